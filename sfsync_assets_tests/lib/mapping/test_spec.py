"""Mapping files: the shipped ones load, and a broken one is refused with its file, key and expectation."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest
import yaml

from sfsync_assets.lib.config.files import ConfigError
from sfsync_assets.lib.mapping.spec import MAPPINGS_DIR, load_mapping, load_mappings, raw_asset_path

MINIMAL = {
    "source": {
        "system": "erp",
        "object": "customers",
        "table": "raw_erp.customers",
        "id": "customer_id",
        "updated_at": {"from": "updated_at", "type": "timestamp"},
    },
    "value_maps": {"payment_terms": {"NT30": "Net 30"}},
    "targets": [
        {
            "entity": "organization",
            "staged_as": "customer",
            "description": "ERP customers.",
            "fields": {
                "Name": {"from": "name", "transforms": ["trim"]},
                "Payment_Terms__c": {"from": "payment_terms", "transforms": [{"map": "payment_terms"}]},
            },
        }
    ],
}


def write(directory: Path, content: dict, name: str = "erp__customers.yaml") -> Path:
    path = directory / name
    path.write_text(yaml.safe_dump(content, sort_keys=False), encoding="utf-8")
    return path


def edited(change) -> dict:
    content = yaml.safe_load(yaml.safe_dump(MINIMAL))
    change(content)
    return content


def test_every_shipped_mapping_loads() -> None:
    mappings = load_mappings()
    assert {m.path.name for m in mappings} == {p.name for p in MAPPINGS_DIR.glob("*.yaml")}
    assert all(m.spec.targets for m in mappings)


def test_a_valid_file_loads(tmp_path: Path) -> None:
    mapping = load_mapping(write(tmp_path, MINIMAL))
    assert mapping.spec.targets[0].fields["Name"].source_field == "name"
    assert mapping.raw_tables == ["raw_erp.customers"]
    assert raw_asset_path("raw_erp.customers") == ["raw", "erp", "customers"]


@pytest.mark.parametrize(
    ("change", "key", "expectation"),
    [
        (
            lambda c: c["targets"][0]["fields"].update({"Colour": {"from": "colour"}}),
            "targets.0.fields",
            "Colour: not a column of the canonical organization",
        ),
        (
            lambda c: c["targets"][0]["fields"]["Name"].update({"transforms": ["shout"]}),
            "targets.0.fields.Name.transforms",
            "unknown transform 'shout'",
        ),
        (
            lambda c: c["targets"][0]["fields"]["Payment_Terms__c"].update(
                {"transforms": [{"map": "terms"}]}
            ),
            "targets[0].fields.Payment_Terms__c.transforms[0]",
            "expects the name of a value map",
        ),
        (
            lambda c: c["targets"][0]["fields"]["Name"].update(
                {"transforms": [{"picklist": "Account.Colour"}]}
            ),
            "targets[0].fields.Name.transforms[0]",
            "not a picklist field of the org schema",
        ),
        (
            lambda c: c["source"].update({"date_formats": ["DD/QQ/YYYY"]}),
            "source.date_formats",
            "unknown letter 'Q'",
        ),
        (
            lambda c: c["targets"][0]["fields"].update({"Customer_Since__c": {"from": "since"}}),
            "targets.0.fields",
            "Customer_Since__c: type 'text' cannot fill a DATE column",
        ),
        (lambda c: c["source"].update({"table": "staged.customers"}), "source.table", "String should match"),
        (lambda c: c["source"].update({"system": "sap"}), "source.system", "Input should be 'salesforce'"),
        (lambda c: c["source"].pop("id"), "source.id", "Field required"),
        (lambda c: c["targets"][0].update({"usable_if_any": ["Phone"]}), "usable_if_any", "not mapped"),
    ],
)
def test_errors_name_file_key_and_expectation(tmp_path: Path, change, key: str, expectation: str) -> None:
    path = write(tmp_path, edited(change))
    with pytest.raises(ConfigError) as raised:
        load_mapping(path)
    message = str(raised.value)
    assert str(path) in message
    assert key in message
    assert expectation in message


def test_file_must_be_named_after_its_source_object(tmp_path: Path) -> None:
    path = write(tmp_path, MINIMAL, name="customers.yaml")
    with pytest.raises(
        ConfigError, match=r"customers\.yaml: source\.system/source\.object: .*'erp__customers\.yaml'"
    ):
        load_mapping(path)


def test_two_files_may_not_stage_the_same_table(tmp_path: Path) -> None:
    write(tmp_path, MINIMAL)
    other = edited(
        lambda c: c["source"].update({"object": "customer_contacts", "table": "raw_erp.customer_contacts"})
    )
    write(tmp_path, other, name="erp__customer_contacts.yaml")
    with pytest.raises(ConfigError, match=r"targets\[0\]\.staged_as: 'customer' is already staged by erp__"):
        load_mappings(tmp_path)


def test_version_follows_the_file(tmp_path: Path) -> None:
    path = tmp_path / "salesforce__account.yaml"
    shutil.copy(MAPPINGS_DIR / path.name, path)
    before = load_mapping(path).version
    path.write_text(
        path.read_text(encoding="utf-8").replace("default_phone_region: US", "default_phone_region: CA")
    )
    assert load_mapping(path).version != before
