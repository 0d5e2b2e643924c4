"""Ground truth: which entity every source record is, what was planted where, and the expected golden records.

Survivorship (the default rule the golden layer must reproduce), per field:
  1. system-of-record order by field class — contact fields: salesforce > erp > legacy;
     finance/billing fields: erp > salesforce > legacy (all `legacy_*` systems rank as one);
  2. within a system, the most recently modified record wins (Salesforce `LastModifiedDate`, ERP `updated_at`,
     legacy: the record's own change date);
  3. null/blank values and values carrying a planted error never win.
Values are given after type normalisation (phones E.164, emails lower-case, countries ISO alpha-2, dates ISO,
ERP/legacy codes mapped to the Salesforce picklist value); text is otherwise the winner's own spelling.
"""

from __future__ import annotations

import csv
import json
from collections import Counter
from pathlib import Path
from typing import Any, TextIO

CONTACT = "contact"
FINANCE = "finance"
COMPANY_FIELDS = {
    "Name": CONTACT,
    "Phone": CONTACT,
    "Website": CONTACT,
    "Industry": CONTACT,
    "BillingStreet": FINANCE,
    "BillingCity": FINANCE,
    "BillingPostalCode": FINANCE,
    "BillingCountry": FINANCE,
    "CurrencyIsoCode": FINANCE,
    "Credit_Limit__c": FINANCE,
    "ERP_Customer_Id__c": FINANCE,
    "Payment_Terms__c": FINANCE,
    "Credit_Rating__c": FINANCE,
    "Preferred_Carrier__c": FINANCE,
    "Tax_Id__c": FINANCE,
    "Incoterms__c": FINANCE,
    "Customer_Since__c": FINANCE,
}
PERSON_FIELDS = {
    "FirstName": CONTACT,
    "LastName": CONTACT,
    "Email": CONTACT,
    "Phone": CONTACT,
    "MobilePhone": CONTACT,
    "Title": CONTACT,
    "account_entity_id": CONTACT,
    "ERP_Contact_Id__c": FINANCE,
    # Claimed only by a record that opted out, so any opt-out wins: the most restrictive value across systems.
    "HasOptedOutOfEmail": CONTACT,
}
# Flags every record of these (system, object)s holds (false unless set): an entity none of whose records claims
# the flag still has the value false from them.
FLAGS_HELD_BY = {
    "HasOptedOutOfEmail": frozenset(
        {("salesforce", "Contact"), ("salesforce", "Lead"), ("erp", "customer_contacts")}
    )
}
FIELDS_BY_TYPE = {"company": COMPANY_FIELDS, "person": PERSON_FIELDS}
ENTITY_TYPE_BY_PREFIX = {
    "C": "company",
    "P": "person",
    "O": "order",
    "I": "invoice",
    "D": "deal",
    "U": "user",
    "N": "credit_note",
}
RANKS = {CONTACT: {"salesforce": 0, "erp": 1, "legacy": 2}, FINANCE: {"erp": 0, "salesforce": 1, "legacy": 2}}

EXPECTED_ERRORS = {
    "duplicate": "DUPLICATE_RECORD",
    "conflicting_edit": "CONFLICTING_EDIT",
    "orphan_lookup": "ORPHAN_LOOKUP",
    "invalid_picklist": "INVALID_PICKLIST_VALUE",
    "missing_required": "REQUIRED_FIELD_MISSING",
    "impossible_date": "INVALID_DATE",
    "mojibake": "MOJIBAKE",
    "phone_leading_zero_lost": "PHONE_LEADING_ZERO_LOST",
    "lifetime_value_drift": "FORMULA_CHANGED_WITHOUT_MODSTAMP",
    # Variation: no error; identity resolution must still put the record in its entity.
    "nickname": "",
    "name_typo": "",
    "initial_only": "",
    "swapped_names": "",
    "email_domain_changed": "",
    "address_abbreviation": "",
    "company_name_variation": "",
}
ENTITY_COLUMNS = ("system", "object", "source_key", "source_id", "entity_id", "entity_type")
PROBLEM_COLUMNS = (
    "system",
    "object",
    "file",
    "source_key",
    "record_number",
    "line",
    "field",
    "kind",
    "expected_error",
    "detail",
)

# A source record's claim on an entity's field values: (system, object, source_key, modified seconds, values).
Claim = tuple[str, str, str, int, dict[str, Any]]


def system_group(system: str) -> str:
    return "legacy" if system.startswith("legacy") else system


def golden_record(entity_id: str, claims: list[Claim]) -> dict[str, Any] | None:
    """The expected golden record of one company or person under the default survivorship rule."""
    entity_type = ENTITY_TYPE_BY_PREFIX[entity_id[0]]
    field_classes = FIELDS_BY_TYPE.get(entity_type)
    if field_classes is None or not claims:
        return None
    ordered = {
        field_class: sorted(claims, key=lambda c, ranks=ranks: (ranks[system_group(c[0])], -c[3], c[2]))
        for field_class, ranks in RANKS.items()
    }
    values: dict[str, Any] = {}
    winners: dict[str, int] = {}
    sources: list[list[str]] = []
    source_index: dict[str, int] = {}

    def win(field: str, value: Any, claim: Claim) -> None:
        system, obj, source_key = claim[0], claim[1], claim[2]
        values[field] = value
        if source_key not in source_index:
            source_index[source_key] = len(sources)
            sources.append([system, obj, source_key])
        winners[field] = source_index[source_key]

    for field, field_class in field_classes.items():
        claim = next((c for c in ordered[field_class] if c[4].get(field) not in (None, "")), None)
        if claim is not None:
            win(field, claim[4][field], claim)
        elif field in FLAGS_HELD_BY:
            holder = next((c for c in ordered[field_class] if (c[0], c[1]) in FLAGS_HELD_BY[field]), None)
            if holder is not None:
                win(field, False, holder)
    return {
        "entity_id": entity_id,
        "entity_type": entity_type,
        "values": values,
        "winners": winners,
        "sources": sources,
    }


class TruthWriter:
    """Streams the truth files of one run; golden records are computed per chunk from the claims."""

    def __init__(self, truth_dir: Path, append: bool = False) -> None:
        truth_dir.mkdir(parents=True, exist_ok=True)
        mode = "a" if append else "w"
        self._entities_file = self._open(truth_dir / "entities.csv", mode)
        self._problems_file = self._open(truth_dir / "planted_problems.csv", mode)
        self._golden_file = self._open(truth_dir / "golden_expected.jsonl", mode)
        self._entities = csv.writer(self._entities_file, lineterminator="\n")
        self._problems = csv.writer(self._problems_file, lineterminator="\n")
        if not append:
            self._entities.writerow(ENTITY_COLUMNS)
            self._problems.writerow(PROBLEM_COLUMNS)
        self._claims: dict[str, list[Claim]] = {}
        self.problem_counts: Counter[str] = Counter()
        self.entity_rows = 0
        self.golden_rows = 0

    @staticmethod
    def _open(path: Path, mode: str) -> TextIO:
        return open(path, mode, encoding="utf-8", newline="")

    def entity(self, system: str, obj: str, source_key: str, source_id: Any, entity_id: str) -> None:
        self._entities.writerow(
            (system, obj, source_key, source_id, entity_id, ENTITY_TYPE_BY_PREFIX[entity_id[0]])
        )
        self.entity_rows += 1

    def problem(
        self,
        system: str,
        obj: str,
        source_key: str,
        field: str,
        kind: str,
        *,
        file: str = "",
        record_number: int | None = None,
        line: int | None = None,
        detail: str = "",
    ) -> None:
        self._problems.writerow(
            (
                system,
                obj,
                file,
                source_key,
                "" if record_number is None else record_number,
                "" if line is None else line,
                field,
                kind,
                EXPECTED_ERRORS[kind],
                detail,
            )
        )
        self.problem_counts[kind] += 1

    def claim(
        self, entity_id: str, system: str, obj: str, source_key: str, modified: int, values: dict[str, Any]
    ) -> None:
        self._claims.setdefault(entity_id, []).append((system, obj, source_key, modified, values))

    def flush_golden(self) -> None:
        """Write the golden records of every entity claimed since the last flush, in entity id order."""
        for entity_id in sorted(self._claims):
            record = golden_record(entity_id, self._claims[entity_id])
            if record is not None:
                self._golden_file.write(json.dumps(record, ensure_ascii=False, separators=(",", ":")) + "\n")
                self.golden_rows += 1
        self._claims.clear()

    def close(self) -> None:
        self.flush_golden()
        for handle in (self._entities_file, self._problems_file, self._golden_file):
            handle.close()
