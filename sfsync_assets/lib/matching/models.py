"""The Splink models: which pairs are compared (blocking) and how each feature's agreement is graded.

Blocking rules are chosen for recall: together with the deterministic rules they reach ≥ 99 % of the true pairs
of a generated company (measured in the tests), while the number of compared pairs stays near-linear in the
record count (no rule blocks on a name alone). Names
are graded so the variations real systems produce still count as agreement: nicknames (`Bob`/`Robert` share a
name group), initials (`J.`), swapped first and last names and one-letter typos.
"""

from __future__ import annotations

from typing import Any

import splink.comparison_level_library as cll
import splink.comparison_library as cl
from splink import SettingsCreator, block_on

from .features import FEATURE_COLUMNS, LINEAGE_FEATURES
from .settings import EntityType

UNIQUE_ID = "source_key"
# Features the model never compares, there for the deterministic rules of settings.yaml (ids, golden ids, a
# person's country). Every other feature but lineage goes into the model's database.
NOT_COMPARED: dict[str, tuple[str, ...]] = {
    "person": ("country", "erp_contact_id", "golden_id"),
    "organization": ("erp_customer_id", "golden_id"),
}
MODEL_COLUMNS: dict[str, tuple[str, ...]] = {
    entity_type: (
        UNIQUE_ID,
        *(
            column
            for column in columns
            if column not in LINEAGE_FEATURES and column not in NOT_COMPARED[entity_type]
        ),
    )
    for entity_type, columns in FEATURE_COLUMNS.items()
}


def _jw(column: str, threshold: float) -> str:
    return f"jaro_winkler_similarity({column}_l, {column}_r) >= {threshold}"


def _person_name() -> cl.CustomComparison:
    same_last = f"({_jw('last_name', 0.92)})"
    return cl.CustomComparison(
        output_column_name="full_name",
        comparison_description="first and last name, allowing nicknames, initials, swaps and typos",
        comparison_levels=[
            cll.Or(cll.NullLevel("first_name"), cll.NullLevel("last_name")),
            cll.CustomLevel(
                "first_name_l = first_name_r AND last_name_l = last_name_r", "Exact first and last name"
            ),
            cll.CustomLevel(
                f"first_name_group_l = first_name_group_r AND {same_last}",
                "Same first name or nickname, last name equal or one typo away",
            ),
            cll.CustomLevel(
                "first_name_l = last_name_r AND last_name_l = first_name_r", "First and last name swapped"
            ),
            cll.CustomLevel(
                "(length(first_name_l) = 1 OR length(first_name_r) = 1) "
                f"AND left(first_name_l, 1) = left(first_name_r, 1) AND {same_last}",
                "Initial agrees, last name equal or one typo away",
            ),
            cll.CustomLevel(
                f"{_jw('first_name', 0.88)} AND {_jw('last_name', 0.88)}", "Both names similar (JW >= 0.88)"
            ),
            cll.CustomLevel(f"{same_last}", "Last name agrees, first name differs"),
            cll.ElseLevel(),
        ],
    )


def _person_email() -> cl.CustomComparison:
    """A personal mailbox (`rebecca.white@orange.fr`) only restates the name: every Rebecca White who uses one has
    the same address, so it counts as no evidence either way. Company addresses do count; a company domain that
    was renamed (`acme.com` → `acme-group.com`) keeps the local part."""
    renamed_domain = (
        "(starts_with(email_domain_label_l, email_domain_label_r) "
        "OR starts_with(email_domain_label_r, email_domain_label_l))"
    )
    return cl.CustomComparison(
        output_column_name="email",
        comparison_description="company email address; personal mailboxes are ignored",
        comparison_levels=[
            cll.CustomLevel(
                "email_l IS NULL OR email_r IS NULL OR email_is_free_mail_l OR email_is_free_mail_r",
                "No company address on one side",
            ).configure(is_null_level=True),
            cll.ExactMatchLevel("email"),
            cll.CustomLevel(
                f"email_local_l = email_local_r AND {renamed_domain}",
                "Same local part, renamed company domain",
            ),
            cll.CustomLevel(
                f"{_jw('email_local', 0.88)} AND {renamed_domain}",
                "Local parts similar (JW >= 0.88), same company",
            ),
            # Fixed, about as likely for one person as for two namesakes: EM over-credits it from namesakes at
            # other companies in its training blocks.
            cll.ExactMatchLevel("email_local").configure(
                label_for_charts="Same local part, unrelated company domain",
                m_probability=1e-4,
                fix_m_probability=True,
            ),
            cll.ElseLevel(),
        ],
    )


def _person_phone() -> cl.CustomComparison:
    return cl.CustomComparison(
        output_column_name="phones",
        comparison_description="any work or mobile number in common",
        comparison_levels=[
            cll.CustomLevel("len(phones_l) = 0 OR len(phones_r) = 0", "A side has no phone").configure(
                is_null_level=True
            ),
            cll.ArrayIntersectLevel("phones", min_intersection=1),
            cll.ElseLevel(),
        ],
    )


def _place() -> cl.CustomComparison:
    return cl.CustomComparison(
        output_column_name="place",
        comparison_description="postal code, else city",
        comparison_levels=[
            cll.And(cll.NullLevel("postcode"), cll.NullLevel("city")),
            cll.ExactMatchLevel("postcode"),
            cll.ExactMatchLevel("city"),
            cll.ElseLevel(),
        ],
    )


def _workplace() -> cl.CustomComparison:
    """Where the person works: their organization's name and their postal address. One comparison, because both
    say "same company"; two namesakes at one company still differ on email and phone."""
    same_org = "organization_name_l = organization_name_r"
    return cl.CustomComparison(
        output_column_name="workplace",
        comparison_description="organization name (in the record's own system) and postal code or city",
        comparison_levels=[
            cll.And(cll.NullLevel("organization_name"), cll.NullLevel("postcode"), cll.NullLevel("city")),
            cll.CustomLevel(f"{same_org} AND postcode_l = postcode_r", "Same organization and postal code"),
            # Companies of one name in two cities are two companies (a company has one billing address).
            cll.CustomLevel(
                f"{same_org} AND postcode_l <> postcode_r", "Same organization name, other postal code"
            ),
            cll.CustomLevel(same_org, "Same organization"),
            cll.CustomLevel(_jw("organization_name", 0.9), "Organization names similar (JW >= 0.9)"),
            # Two named organizations that differ outweigh a shared postal code (a city may have only one).
            cll.CustomLevel(
                "organization_name_l IS NOT NULL AND organization_name_r IS NOT NULL",
                "Different organizations",
            ),
            cll.ExactMatchLevel("postcode"),
            cll.ExactMatchLevel("city"),
            cll.ElseLevel(),
        ],
    )


def _person_settings() -> SettingsCreator:
    return SettingsCreator(
        link_type="dedupe_only",
        unique_id_column_name=UNIQUE_ID,
        comparisons=[
            _person_name(),
            _person_email(),
            _person_phone(),
            _workplace(),
            cl.DateOfBirthComparison("birthdate", input_is_string=False),
        ],
        blocking_rules_to_generate_predictions=[
            block_on("email"),
            block_on("phone"),
            block_on("mobile"),
            "l.phone = r.mobile",
            "l.mobile = r.phone",
            block_on("email_local", "postcode"),
            "l.email_local = r.email_local AND (l.postcode IS NULL OR r.postcode IS NULL)",
            block_on("first_name_group", "last_name", "postcode"),
            "l.first_name = r.last_name AND l.last_name = r.first_name",
        ],
        retain_intermediate_calculation_columns=True,
        retain_matching_columns=False,
    )


def _organization_name() -> cl.CustomComparison:
    """One comparison for name and web site: a company's domain is usually its name, so counting both would
    count the same evidence twice."""
    return cl.CustomComparison(
        output_column_name="name_and_website",
        comparison_description="company name without legal form, and web site",
        comparison_levels=[
            cll.And(cll.NullLevel("name_key"), cll.NullLevel("website")),
            cll.And(cll.ExactMatchLevel("name_key"), cll.ExactMatchLevel("website")).configure(
                label_for_charts="Same name and web site"
            ),
            cll.ExactMatchLevel("name_key"),
            cll.ExactMatchLevel("website").configure(label_for_charts="Same web site, other name"),
            cll.CustomLevel(_jw("name_key", 0.95), "Names very similar (JW >= 0.95)"),
            cll.CustomLevel(
                "name_first_token_l = name_first_token_r AND " + _jw("name_key", 0.85),
                "Same first word, names similar (JW >= 0.85)",
            ),
            cll.ElseLevel(),
        ],
    )


def _organization_settings() -> SettingsCreator:
    return SettingsCreator(
        link_type="dedupe_only",
        unique_id_column_name=UNIQUE_ID,
        comparisons=[
            _organization_name(),
            cl.ExactMatch("phone"),
            _place(),
            cl.ExactMatch("country"),
            cl.ExactMatch("tax_id"),
            cl.ExactMatch("credit_limit"),
        ],
        blocking_rules_to_generate_predictions=[
            block_on("name_key"),
            block_on("phone"),
            block_on("website"),
            block_on("tax_id"),
            block_on("name_first_token", "credit_limit"),
            block_on("name_first_token", "postcode"),
        ],
        retain_intermediate_calculation_columns=True,
        retain_matching_columns=False,
    )


# EM sessions: each blocks on some features and estimates the m of the others; together they cover every one.
TRAINING_BLOCKS: dict[str, list[Any]] = {
    "person": [block_on("email"), block_on("phone"), block_on("last_name", "postcode")],
    "organization": [block_on("phone"), block_on("name_key"), block_on("postcode", "country")],
}
# Rules that admit (almost) no false pairs, used to estimate the share of pairs that match.
PRIOR_RULES: dict[str, list[Any]] = {
    "person": [block_on("email"), block_on("phone", "last_name")],
    "organization": [block_on("tax_id"), block_on("phone", "name_key")],
}


def model_settings(entity_type: EntityType) -> SettingsCreator:
    """The untrained model of `entity_type`: comparisons and blocking rules, no parameters yet."""
    return _person_settings() if entity_type == "person" else _organization_settings()
