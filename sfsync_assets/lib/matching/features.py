"""Matching features: the canonical records reduced to the normalised columns the rules and the model compare.

One row per staged record, keyed by `source_key`. Records that share a pooling key (`pool_features_by`, e.g. the
ERP customer number) lend each other the features they lack: an ERP billing address and its customer row are
one record in the ERP, split in two by staging, and each alone is too thin to compare with a Salesforce Account.
`fingerprint` hashes every (pooled) feature, so a later run can tell which records changed since they were last
matched (only those are scored again).
"""

from __future__ import annotations

from typing import TYPE_CHECKING

import duckdb

from .nicknames import NICKNAME_TABLE, install_nickname_groups
from .text import fold, install_text_functions

if TYPE_CHECKING:
    from pathlib import Path

    from .settings import EntityType, MatchingSettings

LINEAGE_FEATURES = ("source_key", "source_system", "source_object", "source_id", "is_deleted")
FEATURE_COLUMNS: dict[str, tuple[str, ...]] = {
    "person": (
        *LINEAGE_FEATURES,
        "first_name",
        "last_name",
        "first_name_group",
        "email",
        "email_local",
        "email_domain_label",
        "email_is_free_mail",
        "phone",
        "mobile",
        "phones",
        "postcode",
        "city",
        "country",
        "birthdate",
        "organization_name",
        "erp_contact_id",
        "golden_id",
    ),
    "organization": (
        *LINEAGE_FEATURES,
        "name_key",
        "name_first_token",
        "phone",
        "website",
        "postcode",
        "city",
        "country",
        "tax_id",
        "credit_limit",
        "erp_customer_id",
        "golden_id",
    ),
}
STAGED_TABLES = {"person": "staged.person", "organization": "staged.organization"}


def compute_features(
    connection: duckdb.DuckDBPyConnection,
    entity_type: EntityType,
    settings: MatchingSettings,
    nicknames_file: Path,
) -> str:
    """Build the features of every staged record of `entity_type` into a temporary table; returns its name."""
    install_text_functions(connection)
    install_nickname_groups(connection, nicknames_file)
    select = _person_sql(settings) if entity_type == "person" else _organization_sql(settings)
    select = select.replace("{source}", STAGED_TABLES[entity_type])
    for key in settings.entity(entity_type).pool_features_by:
        select = _pooled_sql(select, entity_type, key)
    columns = ", ".join(FEATURE_COLUMNS[entity_type][1:])
    table = f"sfsync_current_{entity_type}_features"
    connection.execute(
        f"CREATE OR REPLACE TEMP TABLE {table} AS SELECT *, md5(concat_ws('|', {columns})) AS fingerprint "
        f"FROM ({select})"
    )
    return table


def _pooled_sql(select: str, entity_type: EntityType, key: str) -> str:
    """Fill each record's empty features from the other records with the same non-empty `key`."""
    own = {*LINEAGE_FEATURES, key, "golden_id"}
    pooled = ", ".join(
        f"coalesce({column}, max({column}) OVER (PARTITION BY {key})) AS {column}"
        if column != "phones"
        else f"CASE WHEN len(phones) = 0 THEN max(phones) OVER (PARTITION BY {key}) ELSE phones END AS phones"
        for column in FEATURE_COLUMNS[entity_type]
        if column not in own
    )
    return (
        f"SELECT * REPLACE ({pooled}) FROM ({select}) AS unpooled WHERE {key} IS NOT NULL "
        f"UNION ALL SELECT * FROM ({select}) AS unpooled WHERE {key} IS NULL"
    )


def _sql_list(values: list[str]) -> str:
    return ", ".join("'" + value.replace("'", "''") + "'" for value in values) or "NULL"


def _person_sql(settings: MatchingSettings) -> str:
    """Persons, with the name of the organization each record points to in its own system: two namesakes at
    different companies differ there even when their email domains do not tell."""
    free_mail = _sql_list([domain.lower() for domain in settings.free_mail_domains])
    return f"""
        WITH employers AS (
            SELECT source_key AS organization_source_key, {_organization_name_sql(settings)} AS organization_name
            FROM {STAGED_TABLES["organization"]}
        ),
        named AS (
            SELECT *,
                sfsync_fold(FirstName) AS first_name,
                sfsync_fold(LastName) AS last_name,
                nullif(lower(trim(Email)), '') AS email_address
            FROM {{source}}
        )
        SELECT
            source_key, source_system, source_object, source_id, coalesce(is_deleted, false) AS is_deleted,
            first_name,
            last_name,
            coalesce(groups.name_group, first_name) AS first_name_group,
            email_address AS email,
            nullif(split_part(email_address, '@', 1), '') AS email_local,
            nullif(split_part(split_part(email_address, '@', 2), '.', 1), '') AS email_domain_label,
            coalesce(split_part(email_address, '@', 2) IN ({free_mail}), false) AS email_is_free_mail,
            nullif(trim(Phone), '') AS phone,
            nullif(trim(MobilePhone), '') AS mobile,
            list_distinct(list_filter([nullif(trim(Phone), ''), nullif(trim(MobilePhone), '')],
                                      lambda x: x IS NOT NULL)) AS phones,
            sfsync_alnum(MailingPostalCode) AS postcode,
            sfsync_fold(MailingCity) AS city,
            upper(nullif(trim(MailingCountry), '')) AS country,
            Birthdate AS birthdate,
            employers.organization_name,
            nullif(trim(ERP_Contact_Id__c), '') AS erp_contact_id,
            nullif(trim(Golden_Id__c), '') AS golden_id
        FROM named
        LEFT JOIN {NICKNAME_TABLE} AS groups ON groups.name = named.first_name
        LEFT JOIN employers USING (organization_source_key)
    """


def _legal_suffix_regex(settings: MatchingSettings) -> str:
    """` (ltd|co ltd|gmbh|...)` repeated at the end of a folded name, longest alternatives first."""
    suffixes = sorted({fold(suffix) for suffix in settings.legal_suffixes} - {""}, key=len, reverse=True)
    if not suffixes:
        return "$^"
    return "( (" + "|".join(suffixes) + "))+$"


def _organization_name_sql(settings: MatchingSettings) -> str:
    """The folded company name without its legal form (`Highland Beverages, Ltda.` → `highland beverages`)."""
    suffixes = _legal_suffix_regex(settings).replace("'", "''")
    return f"nullif(trim(regexp_replace(sfsync_fold(coalesce(Name, name_normalized)), '{suffixes}', '')), '')"


def _organization_sql(settings: MatchingSettings) -> str:
    return f"""
        WITH named AS (
            SELECT *, {_organization_name_sql(settings)} AS name_key
            FROM {{source}}
        )
        SELECT
            source_key, source_system, source_object, source_id, coalesce(is_deleted, false) AS is_deleted,
            name_key,
            split_part(name_key, ' ', 1) AS name_first_token,
            nullif(trim(Phone), '') AS phone,
            nullif(regexp_replace(lower(trim(Website)), '^(https?://)?(www\\.)?([^/]*).*$', '\\3'), '') AS website,
            sfsync_alnum(BillingPostalCode) AS postcode,
            sfsync_fold(BillingCity) AS city,
            upper(nullif(trim(BillingCountry), '')) AS country,
            sfsync_alnum(Tax_Id__c) AS tax_id,
            Credit_Limit__c AS credit_limit,
            nullif(trim(ERP_Customer_Id__c), '') AS erp_customer_id,
            nullif(trim(Golden_Id__c), '') AS golden_id
        FROM named
    """
