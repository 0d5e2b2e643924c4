"""The system-of-record matrix is validated against the canonical model on load."""

from __future__ import annotations

from pathlib import Path

import pytest
import yaml

from sfsync_assets.lib.config.files import ConfigError
from sfsync_assets.lib.golden.checks import check_sql, picklist_values
from sfsync_assets.lib.golden.matrix import SYSTEM_OF_RECORD_FILE, load_system_of_record


def write(tmp_path: Path, change) -> Path:
    content = yaml.safe_load(SYSTEM_OF_RECORD_FILE.read_text(encoding="utf-8"))
    change(content)
    path = tmp_path / "system_of_record.yaml"
    path.write_text(yaml.safe_dump(content), encoding="utf-8")
    return path


def test_the_shipped_matrix_ranks_systems_by_field_class() -> None:
    matrix = load_system_of_record()
    assert [matrix.rank("contact", system) for system in ("salesforce", "erp", "legacy_csv")] == [0, 1, 2]
    assert [matrix.rank("finance", system) for system in ("erp", "salesforce", "legacy_ebcdic")] == [0, 1, 2]
    assert matrix.fields["person"]["account_golden_id"].derived == "organization_golden_id"


@pytest.mark.parametrize(
    ("change", "message"),
    [
        (
            lambda c: c["fields"]["person"].update({"Shoe_Size__c": {"class": "contact"}}),
            "fields.person.Shoe_Size__c: not a column of the canonical person",
        ),
        (
            lambda c: c["fields"]["organization"]["Name"].update({"class": "marketing"}),
            "fields.organization.Name: class 'marketing' is not one of",
        ),
        (
            lambda c: c["fields"]["organization"]["Phone"].update({"checks": ["valid_phone"]}),
            "unknown check 'valid_phone'",
        ),
        (
            lambda c: c["system_groups"].update({"legacy": ["legacy_csv", "mainframe"]}),
            r"system_groups: \['mainframe'\] are not systems",
        ),
    ],
)
def test_mistakes_name_the_key_and_the_expectation(tmp_path: Path, change, message: str) -> None:
    with pytest.raises(ConfigError, match=message):
        load_system_of_record(write(tmp_path, change))


def test_picklist_checks_use_the_org_schema() -> None:
    assert "Food & Beverage" in picklist_values("Account", "Industry")
    assert check_sql("picklist:Customer_Profile__c.Payment_Terms__c").startswith("value IN ('Net 15'")
