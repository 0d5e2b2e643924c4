"""Mapping transforms and the mapping engine on hostile values: a transform returns a value or raises `Rejected`
with a sentence; mapping a record never raises, whatever its fields hold, and every problem is a finding that
names the field (or the whole record) and says why. Huge values cost time and memory in proportion to their size.
"""

from __future__ import annotations

import math
import re
from datetime import date
from typing import Any

import pytest
from hypothesis import assume, given, settings
from hypothesis import strategies as st

from sfsync_assets.lib.mapping.context import FieldContext
from sfsync_assets.lib.mapping.currency import RateTable
from sfsync_assets.lib.mapping.engine import SourceMapper
from sfsync_assets.lib.mapping.findings import Outcome, Rejected
from sfsync_assets.lib.mapping.picklists import ValueMap
from sfsync_assets.lib.mapping.spec import SourceMapping, load_mappings
from sfsync_assets.lib.mapping.transforms import BUILDERS, Step

from .bounds import run_bounded

pytestmark = pytest.mark.fuzz

MAPPINGS = load_mappings()
RATES = RateTable([(date(2020, 1, 1), "EUR", 1.1), (date(2020, 1, 1), "GBP", 1.3)])
ARGUMENTS = {
    "map": "codes",
    "picklist": "Account.Industry",
    "template": "erp:customers:{}",
    "to_usd": {"currency_from": "currency", "date_from": "on", "rate_date_to": "rate_date"},
    "phone_e164": {"integer_storage": True},
}
STEPS = {
    name: Step(name, ARGUMENTS.get(name)).compile({"codes": ValueMap("codes", {"A": "Alpha"})})
    for name in BUILDERS
}
HOSTILE_TEXT = st.text(
    alphabet=st.characters(codec="utf-8") | st.sampled_from(list("+-0123456789.,@/:²٣ \n\t\x00ÃÂ©&'")),
    max_size=40,
)
FINITE = st.floats(allow_nan=False, allow_infinity=False)
VALUES = st.one_of(
    st.none(),
    HOSTILE_TEXT,
    st.integers(-(10**30), 10**30),
    FINITE,
    st.dates(),
    st.datetimes(),
    st.booleans(),
)


@settings(max_examples=400, deadline=None)
@given(st.sampled_from(sorted(STEPS)), st.data(), st.sampled_from([None, "GB", "US"]))
def test_a_transform_returns_a_value_or_rejects_it_with_a_reason(
    name: str, data: st.DataObject, region: str | None
) -> None:
    """Each transform gets what the engine can hand it: text, or a number for `to_usd` (the mapping loader only
    lets it convert decimal and integer fields)."""
    value = data.draw(FINITE if name == "to_usd" else HOSTILE_TEXT | st.integers())
    context = FieldContext({"currency": "EUR", "on": date(2021, 1, 1)}, region, RATES)
    try:
        STEPS[name](value, context)
    except Rejected as rejection:
        assert rejection.reason and rejection.rule


def _source_fields(mapping: SourceMapping) -> set[str]:
    spec = mapping.spec
    fields = {spec.source.id, *(m.source_field for _, m in spec.field_mappings() if m.source_field)}
    fields |= {column for join in spec.source.joins for column in join.columns.values()}
    return fields | ({spec.source.deleted} if spec.source.deleted else set())


def _references(mapping: SourceMapping, keys: set[str]) -> dict[tuple[str, str], frozenset[str]]:
    return {
        (m.references.table, m.references.column): frozenset(keys)
        for _, m in mapping.spec.field_mappings()
        if m.references is not None
    }


def hits_known_integer_bug(value: Any) -> bool:
    """Text `source_types._integer` crashes on (ValueError): unicode digits, repeated signs, > 4300 digits."""
    if not isinstance(value, str):
        return False
    text = value.strip()
    return text.lstrip("+-").isdigit() and (re.fullmatch(r"[+-]?[0-9]{1,4300}", text) is None)


MAPPERS = {
    mapping.path: SourceMapper(mapping, "fuzz-run", _references(mapping, {"1", "A"}), RATES)
    for mapping in MAPPINGS
}


def _check(mapping: SourceMapping, record: dict[str, Any]) -> None:
    mapped = MAPPERS[mapping.path].map(record)
    targets = {target.staged_as: target for target in mapping.spec.targets}
    assert mapped.rows.keys() == targets.keys()
    for staged_as, row in mapped.rows.items():
        findings = mapped.findings[staged_as]
        if row is None:
            assert any(f.outcome is Outcome.ROW_REJECTED for f in findings)
            continue
        assert list(row) == [column.name for column in targets[staged_as].columns]
        assert all(not isinstance(v, float) or math.isfinite(v) for v in row.values())
    for finding in mapped.distinct_findings():
        assert finding.reason
        assert finding.field or finding.outcome is Outcome.ROW_REJECTED


@settings(max_examples=400, deadline=None)
@given(st.sampled_from(MAPPINGS), st.data())
def test_mapping_a_record_never_raises_and_names_every_problem(
    mapping: SourceMapping, data: st.DataObject
) -> None:
    record = {name: data.draw(VALUES, label=name) for name in sorted(_source_fields(mapping))}
    assume(not any(hits_known_integer_bug(value) for value in record.values()))
    _check(mapping, record)


INTEGER_MAPPINGS = [m for m in MAPPINGS if any(f.type == "integer" for _, f in m.spec.field_mappings())]


@pytest.mark.parametrize("value", ["²", "+-5", "9" * 5000])
def test_a_malformed_integer_is_a_finding_not_a_crash(value: str) -> None:
    for mapping in INTEGER_MAPPINGS:
        _check(mapping, dict.fromkeys(sorted(_source_fields(mapping)), value))


def test_a_decimal_beyond_double_range_is_a_finding() -> None:
    for mapping in MAPPINGS:
        _check(mapping, dict.fromkeys(sorted(_source_fields(mapping)), "9" * 400))


def _map_huge_record() -> None:
    for mapping in MAPPINGS:
        record = {name: ("x@" + "ab. 1" * 100_000) for name in _source_fields(mapping)}
        SourceMapper(mapping, "fuzz-run", _references(mapping, set()), RATES).map(record)


def test_huge_values_cost_bounded_time_and_memory() -> None:
    outcome = run_bounded(_map_huge_record, seconds=60)
    assert outcome.status == "returned", outcome
    assert outcome.peak_mb < 500, outcome
