"""Same seed, same bytes (every file, the SQLite database included); another seed, other data."""

from __future__ import annotations

import hashlib
from pathlib import Path

import pytest

from sfsync_assets.lib.generator.errors import OutputDirError
from sfsync_assets.lib.generator.pipeline import GenerateConfig, generate_company


def digests(directory: Path) -> dict[str, str]:
    return {
        str(path.relative_to(directory)): hashlib.sha256(path.read_bytes()).hexdigest()
        for path in sorted(directory.rglob("*"))
        if path.is_file()
    }


@pytest.fixture(scope="module")
def runs(tmp_path_factory: pytest.TempPathFactory) -> dict[str, dict[str, str]]:
    base = tmp_path_factory.mktemp("determinism")
    results = {}
    for name, seed in (("first", 11), ("again", 11), ("other", 12)):
        generate_company(GenerateConfig(out_dir=base / name, scale=4_000, seed=seed, chunk_customers=40))
        results[name] = digests(base / name)
    return results


def test_same_seed_gives_byte_identical_files(runs: dict[str, dict[str, str]]) -> None:
    assert len(runs["first"]) >= 25
    assert "erp.sqlite" in runs["first"] and "truth/golden_expected.jsonl" in runs["first"]
    assert runs["first"] == runs["again"]


def test_another_seed_gives_other_data(runs: dict[str, dict[str, str]]) -> None:
    differing = {name for name, digest in runs["first"].items() if runs["other"].get(name) != digest}
    assert {
        "salesforce/Account.jsonl",
        "erp.sqlite",
        "inbound/CUSTMAST_20261101.dat",
        "truth/entities.csv",
    } <= differing
    assert runs["first"]["inbound/CUSTMAST.cpy"] == runs["other"]["inbound/CUSTMAST.cpy"]


def test_refuses_to_overwrite_a_company_unless_asked(tmp_path: Path) -> None:
    generate_company(GenerateConfig(out_dir=tmp_path, scale=1_000, seed=1))
    with pytest.raises(OutputDirError, match="--overwrite"):
        generate_company(GenerateConfig(out_dir=tmp_path, scale=1_000, seed=1))
    (tmp_path / "notes.txt").write_text("kept", encoding="utf-8")
    generate_company(GenerateConfig(out_dir=tmp_path, scale=1_000, seed=2, overwrite=True))
    assert (tmp_path / "notes.txt").read_text(encoding="utf-8") == "kept"
