"""One generated company and its masked copy, shared by the masking tests (they only read them)."""

from __future__ import annotations

from pathlib import Path

import pytest

from sfsync_assets.lib.generator.pipeline import GenerateConfig, generate_company
from sfsync_assets.lib.masking.directory import MaskReport, mask_extract
from sfsync_assets.lib.masking.key import MaskKey
from sfsync_assets.lib.masking.values import Masker

SCALE = 2_000
SEED = 11
KEY = MaskKey(b"masking-tests-key-0123456789")


@pytest.fixture(scope="session")
def masker() -> Masker:
    return Masker(KEY)


@pytest.fixture(scope="session")
def company(tmp_path_factory: pytest.TempPathFactory) -> Path:
    out_dir = tmp_path_factory.mktemp("masking") / "original"
    generate_company(GenerateConfig(out_dir=out_dir, scale=SCALE, seed=SEED))
    return out_dir


@pytest.fixture(scope="session")
def masked(company: Path, masker: Masker) -> tuple[Path, MaskReport]:
    target = company.parent / "masked"
    return target, mask_extract(masker, company, target, progress=lambda line: None)
