"""The matching configuration (`config/matching/settings.yaml`), validated on load."""

from __future__ import annotations

import re
from pathlib import Path
from typing import Literal

from pydantic import BaseModel, ConfigDict, Field, field_validator, model_validator

from ..config.files import CONFIG_DIR, load_model
from .features import FEATURE_COLUMNS

MATCHING_DIR = CONFIG_DIR / "matching"
SETTINGS_FILE = MATCHING_DIR / "settings.yaml"
NICKNAMES_FILE = MATCHING_DIR / "nicknames.csv"

EntityType = Literal["person", "organization"]
ENTITY_TYPES: tuple[EntityType, ...] = ("organization", "person")
RULE_NAME = re.compile(r"[a-z][a-z0-9_]*")


class DeterministicRule(BaseModel):
    """Two records that agree on every `join_on` column (and satisfy `where`) are the same entity."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    name: str
    join_on: list[str] = Field(min_length=1)
    where: str | None = None

    @field_validator("name")
    @classmethod
    def _snake_case(cls, name: str) -> str:
        if not RULE_NAME.fullmatch(name):
            raise ValueError(
                f"{name!r} must be lower snake_case: it is stored as the match rule in identity.xref"
            )
        return name


class EntityMatching(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)

    id_prefix: str = Field(pattern=r"^[A-Z]{2,4}$")
    model_file: str = Field(pattern=r"^[\w.-]+\.json$")
    match_threshold: float = Field(gt=0, lt=1)
    # A model link also needs this many features in agreement: a record that holds little (a name and an
    # amount) cannot reach an entity on chance agreement of those alone.
    min_agreeing_features: int = Field(default=2, ge=1)
    # Records sharing one of these feature values fill each other's empty features before they are compared.
    pool_features_by: list[str] = []
    deterministic_rules: list[DeterministicRule] = []


class Training(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)

    seed: int = 42
    u_max_pairs: int = Field(default=5_000_000, ge=10_000)
    # Pairs each EM session samples from its blocking: bounds training time and memory at any record count.
    em_max_pairs: int = Field(default=5_000_000, ge=10_000)
    deterministic_recall: float = Field(default=0.8, gt=0, le=1)


class MatchingSettings(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)

    free_mail_domains: list[str] = []
    legal_suffixes: list[str] = []
    person: EntityMatching
    organization: EntityMatching
    training: Training = Training()

    @model_validator(mode="after")
    def _rules_use_known_features(self) -> MatchingSettings:
        for entity_type in ENTITY_TYPES:
            known = set(FEATURE_COLUMNS[entity_type])
            unknown_pools = set(self.entity(entity_type).pool_features_by) - known
            if unknown_pools:
                raise ValueError(
                    f"{entity_type}.pool_features_by: {sorted(unknown_pools)} are not {entity_type} feature columns"
                )
            for index, rule in enumerate(self.entity(entity_type).deterministic_rules):
                unknown = set(rule.join_on) - known
                if unknown:
                    raise ValueError(
                        f"{entity_type}.deterministic_rules.{index} ({rule.name}): join_on {sorted(unknown)} "
                        f"are not {entity_type} feature columns; expected some of {sorted(known)}"
                    )
        return self

    def entity(self, entity_type: EntityType) -> EntityMatching:
        return self.person if entity_type == "person" else self.organization

    def model_path(self, entity_type: EntityType, directory: Path = MATCHING_DIR) -> Path:
        return directory / self.entity(entity_type).model_file


def load_matching_settings(path: Path = SETTINGS_FILE) -> MatchingSettings:
    return load_model(path, MatchingSettings)
