"""The matching settings are validated on load, with messages that name the file, the key and the expectation."""

from __future__ import annotations

from pathlib import Path

import pytest
import yaml

from sfsync_assets.lib.config.files import ConfigError
from sfsync_assets.lib.matching.settings import SETTINGS_FILE, load_matching_settings


def test_the_shipped_settings_load() -> None:
    settings = load_matching_settings()
    assert settings.person.id_prefix == "GP" and settings.organization.id_prefix == "GO"
    assert settings.model_path("person").exists() and settings.model_path("organization").exists()


def test_a_rule_on_an_unknown_feature_names_rule_and_features(tmp_path: Path) -> None:
    content = yaml.safe_load(SETTINGS_FILE.read_text(encoding="utf-8"))
    content["person"]["deterministic_rules"].append({"name": "same_fax", "join_on": ["fax"]})
    path = tmp_path / "settings.yaml"
    path.write_text(yaml.safe_dump(content), encoding="utf-8")
    with pytest.raises(
        ConfigError, match=r"settings.yaml: .*same_fax.*\['fax'\] are not person feature columns"
    ):
        load_matching_settings(path)


def test_a_threshold_outside_zero_and_one_is_refused(tmp_path: Path) -> None:
    content = yaml.safe_load(SETTINGS_FILE.read_text(encoding="utf-8"))
    content["organization"]["match_threshold"] = 1.5
    path = tmp_path / "settings.yaml"
    path.write_text(yaml.safe_dump(content), encoding="utf-8")
    with pytest.raises(ConfigError, match=r"organization\.match_threshold"):
        load_matching_settings(path)
