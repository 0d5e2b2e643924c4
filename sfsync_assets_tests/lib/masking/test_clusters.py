"""The masked copy resolves into the same identities: every exact-match feature groups the records exactly as it
does on the original, the truth still names each record's entity, and no email, phone or tax id survives."""

from __future__ import annotations

import csv
import sqlite3
from pathlib import Path

import pytest

from sfsync_assets.lib.masking.directory import MaskReport

from .extract import organizations, partition, people


@pytest.fixture(scope="module")
def original_people(company: Path) -> dict:
    return people(company)


@pytest.fixture(scope="module")
def masked_people(masked: tuple[Path, MaskReport]) -> dict:
    return people(masked[0])


@pytest.mark.parametrize("feature", ["email", "phone", "last_name", "first_name_group"])
def test_person_features_cluster_as_before(original_people: dict, masked_people: dict, feature: str) -> None:
    assert masked_people.keys() == original_people.keys()
    before, after = partition(original_people, feature), partition(masked_people, feature)
    assert sum(len(group) for group in before) > 300
    assert after == before


@pytest.mark.parametrize("feature", ["name_key", "phone", "tax_id"])
def test_organization_features_cluster_as_before(
    company: Path, masked: tuple[Path, MaskReport], feature: str
) -> None:
    before, after = partition(organizations(company), feature), partition(organizations(masked[0]), feature)
    assert sum(len(group) for group in before) > 50
    assert after == before


def test_values_change_and_stay_valid(original_people: dict, masked_people: dict) -> None:
    """Emails stay emails and phones stay valid (the features are computed with the product's validators, so a
    fake that is not a valid email or number would have turned into None above); almost every value changed."""
    for feature in ("email", "phone", "last_name"):
        pairs = [(original_people[k][feature], masked_people[k][feature]) for k in original_people]
        present = [(a, b) for a, b in pairs if a is not None]
        assert all(b is not None for _, b in present), feature
        assert sum(a != b for a, b in present) >= 0.95 * len(present), feature


def test_truth_still_names_each_records_entity(company: Path, masked: tuple[Path, MaskReport]) -> None:
    assert (masked[0] / "truth" / "entities.csv").read_bytes() == (
        company / "truth" / "entities.csv"
    ).read_bytes()
    with open(company / "truth" / "entities.csv", encoding="utf-8", newline="") as handle:
        entity_ids = {(r["system"], r["object"], r["source_id"]) for r in csv.DictReader(handle)}
    assert set(people(masked[0])) <= entity_ids


def _everything(directory: Path) -> str:
    """All text of an extract: files decoded as their formats write them, the ERP dumped as SQL."""
    parts = []
    for path in sorted(p for p in directory.rglob("*") if p.is_file()):
        if path.name.endswith(".sqlite"):
            with sqlite3.connect(path) as connection:
                parts += list(connection.iterdump())
        elif path.suffix == ".dat":
            parts.append(path.read_bytes().decode("cp037"))
        else:
            parts.append(path.read_bytes().decode("utf-8", "replace"))
            parts.append(path.read_bytes().decode("cp1252", "replace"))
    return "\n".join(parts)


def test_no_email_phone_or_tax_id_survives(
    company: Path, masked: tuple[Path, MaskReport], original_people: dict
) -> None:
    text = _everything(masked[0]).lower()
    emails = {f["email"] for f in original_people.values() if f["email"]}
    phones = {p for f in original_people.values() for p in f["phone"] or ()}
    taxes = {f["tax_id"].lower() for f in organizations(company).values() if f["tax_id"]}
    assert emails and phones and taxes
    assert [value for value in emails | phones | taxes if value in text] == []
    assert masked[1].failed == [] and masked[1].left_out == []
