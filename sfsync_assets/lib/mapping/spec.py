"""Mapping files (`config/mappings/<system>__<object>.yaml`), validated on load.

One file per source object says where the raw rows are, how the source writes dates, numbers and phones, which
canonical entity (or entities) it feeds, and for each canonical field: the source field, its type, the
transforms to chain, a default for nulls, whether the source requires it, and which raw table it must point
into. Errors name the file, the key and what was expected (`config.files.load_model`).
"""

from __future__ import annotations

from dataclasses import dataclass
from functools import cached_property
from pathlib import Path
from typing import Annotated, Any, Literal

from pydantic import (
    BaseModel,
    ConfigDict,
    Field,
    StringConstraints,
    ValidationInfo,
    field_validator,
    model_validator,
)

from ..canonical.model import LINEAGE, ORGANIZATION, PERSON, SYSTEMS, Column
from ..config.files import CONFIG_DIR, ConfigError, config_version, load_model
from .dates import DateFormatError, compile_format
from .picklists import ValueMap
from .source_types import FILLS, SourceType
from .transforms import Step, TransformArgumentError

MAPPINGS_DIR = CONFIG_DIR / "mappings"
ENTITIES: dict[str, tuple[Column, ...]] = {"organization": ORGANIZATION, "person": PERSON}
LINEAGE_NAMES = frozenset(column.name for column in LINEAGE)

Identifier = Annotated[str, StringConstraints(pattern=r"^[a-z_][a-z0-9_]*$")]
# Mappings read raw tables only: `raw_<system>.<table>`, the table of asset raw/<system>/<table>.
RawTable = Annotated[str, StringConstraints(pattern=r"^raw_[a-z0-9_]+\.[a-z_][a-z0-9_]*$")]
RegionCode = Annotated[str, StringConstraints(pattern=r"^[A-Z]{2}$")]
SqlType = Literal["VARCHAR", "DOUBLE", "DATE", "TIMESTAMPTZ", "BOOLEAN"]


class _Strict(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True, populate_by_name=True)


class Reference(_Strict):
    """The raw table and column a lookup value must exist in (else ORPHAN_LOOKUP)."""

    table: RawTable
    column: Identifier


class FieldMapping(_Strict):
    """How one value is made: `{from: phone, type: text, transforms: [trim, phone_e164], default: ...,
    required: true, references: {table: raw_x.y, column: id}}`.

    `type` says how the raw value is read (text, integer, decimal, date, timestamp, boolean; text is parsed with
    the source's declared formats); `default` fills a null source value (never a rejected one); `required` means
    the source system requires the value, so an empty one is quarantined (the record is still staged).
    """

    source_field: Identifier | None = Field(default=None, alias="from")
    type: SourceType = "text"
    transforms: tuple[Step, ...] = ()
    default: str | float | bool | None = None
    required: bool = False
    references: Reference | None = None

    @field_validator("transforms", mode="before")
    @classmethod
    def _parse_steps(cls, entries: Any) -> tuple[Step, ...]:
        if not isinstance(entries, list):
            raise ValueError("expected a list of transforms")
        steps = []
        for index, entry in enumerate(entries):
            try:
                steps.append(Step.parse(entry))
            except TransformArgumentError as error:
                raise ValueError(f"transforms[{index}]: {error}") from error
        return tuple(steps)

    @model_validator(mode="after")
    def _has_a_value(self) -> FieldMapping:
        if self.source_field is None and self.default is None:
            raise ValueError("a field needs `from` (a source field) or a `default`")
        return self


class Join(_Strict):
    """Columns of another raw table added to each record, e.g. the billing country of an ERP customer."""

    table: RawTable
    match: dict[Identifier, Identifier] = Field(
        min_length=1, description="source column: joined table column"
    )
    where: str | None = None
    columns: dict[Identifier, Identifier] = Field(
        min_length=1, description="joined column: name in the record"
    )


class RecordLineage(_Strict):
    """Columns that say where a file record was read, copied into the quarantine."""

    file: Identifier
    line: Identifier | None = None
    byte_offset: Identifier | None = None


class IntegrationUserChanges(_Strict):
    """How to tell a change sfsync made as its own user from a person's edit, so the record's change time stays
    the last edit by someone else: `{last_modified_by: last_modified_by_id, users_table:
    raw_salesforce.integration_users, created_at: {from: created_date, type: timestamp}}`.

    A record last modified by one of the users in `users_table` keeps the change time it was staged with before;
    one not staged before takes `created_at` (the one time no later than any edit). Without `users_table` (no
    ingest has recorded a user yet) every change counts as an edit.
    """

    last_modified_by: Identifier
    users_table: RawTable
    created_at: FieldMapping

    @model_validator(mode="after")
    def _reads_a_field(self) -> IntegrationUserChanges:
        if self.created_at.source_field is None:
            raise ValueError("created_at: needs `from`, the source field holding the record's creation time")
        return self


class SourceSpec(_Strict):
    """Where a source object's records are and how the source writes its values."""

    system: Literal[SYSTEMS]
    object: str = Field(min_length=1)
    table: RawTable
    id: Identifier
    updated_at: FieldMapping
    integration_user_changes: IntegrationUserChanges | None = None
    deleted: Identifier | None = None
    where: str | None = None
    latest_by: Identifier | None = Field(
        default=None,
        description="when the raw table holds a record several times (one row per delivered file), keep the row "
        "with the greatest value of this column",
    )
    joins: tuple[Join, ...] = ()
    derived: dict[Identifier, str] = Field(
        default_factory=dict,
        description="extra record columns computed in SQL over the source table (`src`), e.g. picking the "
        "address view a REDEFINES selects",
    )
    date_formats: tuple[str, ...] = ("YYYY-MM-DD",)
    decimal_separator: Literal[".", ","] = "."
    thousands_separator: Literal[".", ",", " ", "'"] | None = None
    default_phone_region: RegionCode | None = None
    phone_region_from: tuple[Identifier, ...] = Field(
        default=(),
        description="record columns that may hold the country national phone numbers are read in, tried in "
        "order (e.g. the address country, then a country derived from the website); the first that names a "
        "country wins, else `default_phone_region`",
    )
    record_lineage: RecordLineage | None = None
    checks: tuple[FieldMapping, ...] = Field(
        default=(),
        description="source fields the canonical model does not carry but the source's rules constrain; "
        "problems are quarantined and the record is still staged",
    )

    @field_validator("phone_region_from", mode="before")
    @classmethod
    def _one_or_more_columns(cls, columns: Any) -> Any:
        return (columns,) if isinstance(columns, str) else columns

    @field_validator("date_formats")
    @classmethod
    def _formats_compile(cls, formats: tuple[str, ...]) -> tuple[str, ...]:
        for declared in formats:
            try:
                compile_format(declared)
            except DateFormatError as error:
                raise ValueError(str(error)) from error
        return formats

    @model_validator(mode="after")
    def _consistent(self) -> SourceSpec:
        if self.thousands_separator == self.decimal_separator:
            raise ValueError("thousands_separator must differ from decimal_separator")
        for index, check in enumerate(self.checks):
            if check.source_field is None:
                raise ValueError(f"checks[{index}]: a check needs `from`, the source field it validates")
        if self.updated_at.source_field is None:
            raise ValueError("updated_at: needs `from`, the source field holding the record's change time")
        return self


class TargetSpec(_Strict):
    """One canonical entity a source object feeds, staged as table `staged.<system>_<staged_as>`."""

    entity: Literal["organization", "person"]
    staged_as: Identifier
    description: str = Field(min_length=1)
    usable_if_any: tuple[str, ...] = Field(
        default=(), description="canonical fields of which at least one must have a value, else not staged"
    )
    extra_columns: dict[Identifier, SqlType] = Field(default_factory=dict)
    fields: dict[str, FieldMapping] = Field(min_length=1)

    @property
    def columns(self) -> tuple[Column, ...]:
        return _columns(self.entity, self.extra_columns)

    @field_validator("fields")
    @classmethod
    def _fields_fit_the_canonical_model(
        cls, fields: dict[str, FieldMapping], info: ValidationInfo
    ) -> dict[str, FieldMapping]:
        if "entity" not in info.data:
            return fields
        entity = info.data["entity"]
        types = {
            column.name: column.sql_type for column in _columns(entity, info.data.get("extra_columns", {}))
        }
        for name, mapping in fields.items():
            if name in LINEAGE_NAMES:
                raise ValueError(f"{name}: lineage columns are filled from `source`, not mapped")
            if name not in types:
                raise ValueError(
                    f"{name}: not a column of the canonical {entity} "
                    f"(expected one of {sorted(set(types) - LINEAGE_NAMES)})"
                )
            if types[name] not in FILLS[mapping.type]:
                raise ValueError(f"{name}: type {mapping.type!r} cannot fill a {types[name]} column")
        return fields

    @model_validator(mode="after")
    def _usable_fields_are_mapped(self) -> TargetSpec:
        unknown = [name for name in self.usable_if_any if name not in self.fields]
        if unknown:
            raise ValueError(f"usable_if_any: {unknown} are not mapped in fields")
        return self


def _columns(entity: str, extra_columns: dict[str, str]) -> tuple[Column, ...]:
    return ENTITIES[entity] + tuple(
        Column(name, sql_type, "extra") for name, sql_type in extra_columns.items()
    )


class QualitySpec(_Strict):
    max_error_rate: float = Field(
        0.01, ge=0, le=1, description="share of records that lost data above which the error_rate check fails"
    )


class MappingSpec(_Strict):
    """A whole mapping file."""

    enabled: bool = Field(True, description="false keeps the file validated but not staged (e.g. no raw yet)")
    source: SourceSpec
    value_maps: dict[Identifier, dict[str, str]] = Field(default_factory=dict)
    quality: QualitySpec = QualitySpec()
    targets: tuple[TargetSpec, ...]

    @model_validator(mode="after")
    def _steps_compile(self) -> MappingSpec:
        if not self.targets:
            raise ValueError("targets: expected at least one target entity")
        maps = self.maps()
        for where, mapping in self.field_mappings():
            for index, step in enumerate(mapping.transforms):
                try:
                    step.compile(maps)
                except TransformArgumentError as error:
                    raise ValueError(f"{where}.transforms[{index}]: {error}") from error
        names = [target.staged_as for target in self.targets]
        if len(set(names)) != len(names):
            raise ValueError(f"targets: staged_as names must differ, got {names}")
        return self

    def maps(self) -> dict[str, ValueMap]:
        return {name: ValueMap(name, entries) for name, entries in self.value_maps.items()}

    def field_mappings(self) -> list[tuple[str, FieldMapping]]:
        """Every field mapping with the key that locates it in the file."""
        found = [("source.updated_at", self.source.updated_at)]
        if self.source.integration_user_changes is not None:
            found.append(
                (
                    "source.integration_user_changes.created_at",
                    self.source.integration_user_changes.created_at,
                )
            )
        found += [(f"source.checks[{index}]", mapping) for index, mapping in enumerate(self.source.checks)]
        for index, target in enumerate(self.targets):
            found += [(f"targets[{index}].fields.{name}", mapping) for name, mapping in target.fields.items()]
        return found


@dataclass(frozen=True)
class SourceMapping:
    """A loaded mapping file: its validated content, where it came from and its version."""

    path: Path
    spec: MappingSpec

    @cached_property
    def version(self) -> str:
        """Changes whenever the file does: the code version of the staged assets built from it."""
        return config_version(self.path)

    @property
    def raw_tables(self) -> list[str]:
        """Every raw table the mapping reads: its source, its joins and the tables its lookups point into."""
        source = self.spec.source
        tables = [source.table, *(join.table for join in source.joins)]
        tables += [m.references.table for _, m in self.spec.field_mappings() if m.references is not None]
        return list(dict.fromkeys(tables))

    @property
    def uses_rates(self) -> bool:
        return any(step.name == "to_usd" for _, m in self.spec.field_mappings() for step in m.transforms)


def raw_asset_path(table: str) -> list[str]:
    """`raw_erp.customers` → `["raw", "erp", "customers"]`: the asset that loads a raw table."""
    schema, _, name = table.partition(".")
    return ["raw", schema.removeprefix("raw_"), name]


def load_mapping(path: Path) -> SourceMapping:
    spec = load_model(path, MappingSpec)
    expected = f"{spec.source.system}__{spec.source.object.lower()}.yaml"
    if Path(path).name != expected:
        raise ConfigError(
            f"{path}: source.system/source.object: one file per source object, named {expected!r} "
            f"for {spec.source.system} {spec.source.object}"
        )
    return SourceMapping(Path(path), spec)


def load_mappings(directory: Path = MAPPINGS_DIR) -> list[SourceMapping]:
    """Every mapping file of `directory`, in file-name order; two files may not stage to the same table."""
    mappings = [load_mapping(path) for path in sorted(Path(directory).glob("*.yaml"))]
    seen: dict[tuple[str, str], Path] = {}
    for mapping in mappings:
        for index, target in enumerate(mapping.spec.targets):
            key = (mapping.spec.source.system, target.staged_as)
            if key in seen:
                raise ConfigError(
                    f"{mapping.path}: targets[{index}].staged_as: {target.staged_as!r} is already staged by "
                    f"{seen[key].name}; expected a name unique within system {key[0]}"
                )
            seen[key] = mapping.path
    return mappings
