"""The fixed-width reader on arbitrary lines: every line is a record loaded (bad columns null and quarantined)
or quarantined whole for its length; nothing else escapes, not even a number too wide for its column."""

from __future__ import annotations

from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from sfsync_assets.lib.legacy.fixed_width_reader import FixedWidthFileReader
from sfsync_assets.lib.legacy.profiles import FixedWidthProfile
from sfsync_assets.lib.legacy.settings import Feed

pytestmark = pytest.mark.fuzz

FEED = Feed(description="fuzz", pattern=r"FUZZ_\d{8}\.txt", system="legacy_fixed", kind="fixed")
OVERPUNCH = {"positive": "{ABCDEFGHI = 0..9", "negative": "}JKLMNOPQR = 0..9"}


def _profile(number_width: int = 6) -> FixedWidthProfile:
    return FixedWidthProfile(
        format="fixed_width",
        encoding="latin-1",
        line_terminator="LF",
        record_length=8 + 2 * number_width + 8,
        overpunch=OVERPUNCH,
        columns=[
            {"name": "NAME", "start": 1, "length": 8, "type": "text"},
            {"name": "COUNT", "start": 9, "length": number_width, "type": "unsigned"},
            {
                "name": "AMOUNT",
                "start": 9 + number_width,
                "length": number_width,
                "type": "overpunched signed, 2 implied decimals",
            },
            {
                "name": "PAID",
                "start": 9 + 2 * number_width,
                "length": 8,
                "type": "date YYYYMMDD, 00000000 = none",
            },
        ],
    )


LINE = st.text(alphabet=st.sampled_from("AZ 09{}JR-.é\t"), max_size=30)


@settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(st.lists(LINE, max_size=10), st.binary(max_size=4))
def test_every_line_is_loaded_or_quarantined_with_a_reason(
    tmp_path: Path, lines: list[str], tail: bytes
) -> None:
    path = tmp_path / "FUZZ_20261101.txt"
    path.write_bytes("\n".join(lines).encode("latin-1") + tail)
    reader = FixedWidthFileReader(path, _profile(), FEED)
    batches = list(reader.batches(batch_rows=3))
    loaded = sum(batch.table.num_rows for batch in batches)
    assert reader.counts.data_records == loaded + reader.counts.rejected_records
    for rejection in (r for batch in batches for r in batch.rejections):
        assert rejection.reason and rejection.line_number is not None
        assert rejection.field in ("", "NAME", "COUNT", "AMOUNT", "PAID")


def test_a_number_wider_than_eighteen_digits_is_quarantined_not_fatal(tmp_path: Path) -> None:
    path = tmp_path / "FUZZ_20261101.txt"
    path.write_bytes(b"ACME    " + b"9" * 25 + b"9" * 24 + b"{" + b"20260101\n")
    batches = list(FixedWidthFileReader(path, _profile(25), FEED).batches())
    rules = {(rejection.field, rejection.rule) for batch in batches for rejection in batch.rejections}
    assert {("COUNT", "INVALID_NUMBER"), ("AMOUNT", "INVALID_NUMBER")} <= rules
