"""The legacy EBCDIC reader on damaged mainframe files: the generator's CUSTMAST (fixed records, REDEFINES, dates)
and ARTRANS (RDW records, OCCURS DEPENDING ON) with bytes flipped, cut or inserted. Every record that can be
framed loads or is quarantined with its record number and byte offset; a damaged end of file is one rejection;
nothing but a domain error (naming the file) escapes."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from sfsync_assets.lib.generator.pipeline import GenerateConfig, generate_company
from sfsync_assets.lib.legacy.errors import LegacyFileError
from sfsync_assets.lib.legacy.readers import open_reader
from sfsync_assets.lib.legacy.settings import load_legacy_feeds

pytestmark = pytest.mark.fuzz

FEEDS = load_legacy_feeds().feeds


@pytest.fixture(scope="module")
def inbound(tmp_path_factory: pytest.TempPathFactory) -> Path:
    company = tmp_path_factory.mktemp("ebcdic") / "company"
    generate_company(GenerateConfig(out_dir=company, scale=300, seed=3))
    return company / "inbound"


DAMAGE = st.lists(
    st.tuples(st.sampled_from(["flip", "cut", "insert"]), st.floats(0, 1), st.binary(min_size=1, max_size=6)),
    min_size=1,
    max_size=4,
)


def _damaged(data: bytes, damage: list[tuple[str, float, bytes]]) -> bytes:
    for kind, where, payload in damage:
        at = int(where * len(data))
        if kind == "flip":
            data = data[:at] + payload + data[at + len(payload) :]
        elif kind == "cut":
            data = data[:at]
        else:
            data = data[:at] + payload + data[at:]
    return data


@settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(st.sampled_from(["CUSTMAST", "ARTRANS"]), DAMAGE)
def test_damaged_files_load_what_can_be_framed_and_quarantine_the_rest(
    inbound: Path, tmp_path: Path, feed_name: str, damage: list[tuple[str, float, bytes]]
) -> None:
    original = next(inbound.glob(f"{feed_name}_*.dat"))
    folder = tmp_path / feed_name
    shutil.copytree(inbound, folder, dirs_exist_ok=True)
    target = folder / original.name
    target.write_bytes(_damaged(original.read_bytes(), damage))
    try:
        reader, _ = open_reader(feed_name, FEEDS[feed_name], target)
        batches = list(reader.batches())
    except LegacyFileError as error:
        assert target.name in str(error)
        return
    loaded = sum(batch.table.num_rows for batch in batches)
    rejections = [rejection for batch in batches for rejection in batch.rejections]
    assert reader.counts.data_records >= loaded
    for rejection in rejections:
        assert rejection.reason and rejection.rule
        assert rejection.record_number is not None or rejection.byte_offset is not None
