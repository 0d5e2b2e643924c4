"""What a preview or sample may show: keys and non-personal values as they are, a personal value never."""

from __future__ import annotations

import pandas as pd

from sfsync_assets.lib.privacy.redaction import REDACTED, redacted, redacted_by_field, redacted_rows


def test_a_person_preview_keeps_keys_and_flags_and_hides_the_person() -> None:
    frame = pd.DataFrame(
        {
            "golden_id": ["GP-1", "GP-2"],
            "FirstName": ["Ada", None],
            "Email": ["ada@example.com", "bob@example.com"],
            "MailingCountry": ["GB", "DE"],
            "HasOptedOutOfEmail": [True, False],
        }
    )

    shown = redacted(frame, "person").fillna("").to_dict("records")  # empty stays empty

    assert shown == [
        {
            "golden_id": "GP-1",
            "FirstName": REDACTED,
            "Email": REDACTED,
            "MailingCountry": "GB",
            "HasOptedOutOfEmail": True,
        },
        {
            "golden_id": "GP-2",
            "FirstName": "",
            "Email": REDACTED,
            "MailingCountry": "DE",
            "HasOptedOutOfEmail": False,
        },
    ]


def test_an_organization_shows_its_name_and_phone_but_not_its_tax_id_and_raw_columns_go_by_name() -> None:
    organization = pd.DataFrame({"Name": ["Acme"], "Phone": ["+441"], "Tax_Id__c": ["DE123"]})
    raw = pd.DataFrame(
        {"CUST_NO": ["C1"], "CONTACT_FIRST": ["Ada"], "contact_email": ["a@x.io"], "city": ["Ely"]}
    )

    assert redacted(organization, "organization").iloc[0].tolist() == ["Acme", "+441", REDACTED]
    assert redacted(raw).iloc[0].tolist() == ["C1", REDACTED, REDACTED, "Ely"]


def test_samples_hide_the_values_of_personal_fields_only() -> None:
    conflicts = pd.DataFrame(
        {
            "entity_type": ["person", "organization", "person"],
            "field": ["Email", "Credit_Limit__c", "person.Phone"],
            "golden_value": ["a@x.io", "100", "+441"],
            "other_value": ["b@x.io", "200", None],
        }
    )
    drift = [
        {"field": "LastName", "expected": "Lovelace", "actual": "Byron"},
        {"field": "Industry", "expected": "A", "actual": "B"},
    ]

    shown = redacted_by_field(conflicts, ["golden_value", "other_value"], entity_column="entity_type")

    assert shown[["golden_value", "other_value"]].fillna("").values.tolist() == [
        [REDACTED, REDACTED],
        ["100", "200"],
        [REDACTED, ""],
    ]
    assert redacted_rows(drift, ["expected", "actual"]) == [
        {"field": "LastName", "expected": REDACTED, "actual": REDACTED},
        {"field": "Industry", "expected": "A", "actual": "B"},
    ]
