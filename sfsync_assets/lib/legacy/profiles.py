"""The profile of a legacy file: everything needed to read it, declared by whoever sends it.

The generator (and the sending systems it imitates) put `<stem>.profile.yaml` beside every data file; a feed
can also carry its profile inline in `config/legacy_feeds.yaml`. Three shapes, told apart by `format`:
`csv`, `fixed_width` and `ebcdic`. Ingest reads only what is declared here and never sniffs; the free-text
parts the generator writes (fixed-width column types, EBCDIC date notes, REDEFINES conditions) follow a small
vocabulary that is parsed strictly, so an unknown phrase is an error naming the key rather than a guess.
"""

from __future__ import annotations

import codecs
import re
from dataclasses import dataclass
from pathlib import Path
from typing import Annotated, Literal

from pydantic import BaseModel, ConfigDict, Field, RootModel, field_validator, model_validator

from ..config.files import ConfigError, load_model
from .control_records import ControlTemplate
from .errors import ProfileError
from .values import MAX_DIGITS, DateFormat, Overpunch

ColumnType = Literal["string", "integer", "decimal", "date", "phone"]
ColumnName = Annotated[str, Field(pattern=r"^[A-Za-z][A-Za-z0-9_]*$")]
_FIXED_TYPES = (
    "text | unsigned | zoned unsigned | overpunched signed[, N implied decimals] | "
    "date FORMAT[, 000... = none]"
)
_DATE_RULE = re.compile(r"(?P<format>[^,]+?)\s*(?:,\s*(?P<zero>0+)\s*=\s*\S.*)?")
_OVERPUNCH_CHARS = re.compile(r"(?P<chars>\S{10}) = 0\.\.9")
_VIEW_IN = re.compile(r"(?P<field>[A-Za-z0-9-]+)\s+in\s+\((?P<values>.*)\)", re.IGNORECASE)
_VIEW_EQUALS = re.compile(r"(?P<field>[A-Za-z0-9-]+)\s*=\s*(?P<values>'[^']*')")
_QUOTED_LIST = re.compile(r"'[^']*'(?:\s*,\s*'[^']*')*")


class _Strict(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)


def _ascii_compatible(encoding: str) -> str:
    """Lines are split on the LF byte, so the encoding must write ASCII as ASCII (not UTF-16/32, not EBCDIC)."""
    try:
        codecs.lookup(encoding)
    except LookupError:
        raise ValueError(f"unknown encoding {encoding!r}") from None
    if '\n\r;,|"09AZaz'.encode(encoding, errors="replace") != b'\n\r;,|"09AZaz':
        raise ValueError(
            f"encoding {encoding!r} is not ASCII-compatible; text feeds need one (utf-8, cp1252, ...)"
        )
    return encoding


def _template(text: str | None) -> str | None:
    if text is not None:
        ControlTemplate.parse(text)
    return text


@dataclass(frozen=True)
class DateRule:
    """`YYYYMMDD` or `YYYYMMDD, 0 = unused slot`: the format, and whether an all-zero value means "no date"."""

    format: DateFormat
    zero_is_null: bool

    @classmethod
    def parse(cls, text: str) -> DateRule:
        match = _DATE_RULE.fullmatch(text.strip())
        if match is None:
            raise ValueError(f"date {text!r}: expected FORMAT or 'FORMAT, 0 = <meaning>'")
        return cls(DateFormat.parse(match.group("format")), match.group("zero") is not None)


@dataclass(frozen=True)
class FixedType:
    """A fixed-width column type: `text`, `digits` (unsigned), `overpunch` (signed, `scale` implied
    decimals) or `date`."""

    kind: Literal["text", "digits", "overpunch", "date"]
    scale: int = 0
    date: DateRule | None = None

    @classmethod
    def parse(cls, text: str) -> FixedType:
        words = " ".join(text.lower().split())
        if words == "text":
            return cls("text")
        if words in ("unsigned", "zoned unsigned"):
            return cls("digits")
        overpunched = re.fullmatch(r"overpunched signed(?:, (\d+) implied decimals?)?", words)
        if overpunched:
            return cls("overpunch", scale=int(overpunched.group(1) or 0))
        if words.startswith("date "):
            return cls("date", date=DateRule.parse(text.strip()[len("date ") :]))
        raise ValueError(f"unknown fixed-width type {text!r}; expected one of: {_FIXED_TYPES}")


@dataclass(frozen=True)
class ViewCondition:
    """When a REDEFINES view applies: `FIELD in ('A', 'B')`, `FIELD = 'A'`, or `otherwise` (values None)."""

    field: str | None
    values: tuple[str, ...] | None

    @classmethod
    def parse(cls, text: str) -> ViewCondition:
        text = text.strip()
        if text.lower() == "otherwise":
            return cls(None, None)
        match = _VIEW_IN.fullmatch(text) or _VIEW_EQUALS.fullmatch(text)
        if match is None or _QUOTED_LIST.fullmatch(match.group("values").strip()) is None:
            raise ValueError(f"condition {text!r}: expected FIELD in ('A', 'B'), FIELD = 'A' or otherwise")
        values = re.findall(r"'([^']*)'", match.group("values"))
        return cls(match.group("field").upper(), tuple(values))


class CsvColumn(_Strict):
    name: ColumnName
    type: ColumnType = "string"
    format: str | None = None
    scale: int | None = Field(None, ge=0, le=MAX_DIGITS)
    key: bool = False
    nullable: bool = True
    required: bool = False
    multiline: bool = False
    references: str | None = None
    codes: dict[str, str] | None = None
    note: str | None = None

    @model_validator(mode="after")
    def _type_options(self) -> CsvColumn:
        if self.format is not None:
            if self.type != "date":
                raise ValueError(f"column {self.name}: format applies to date columns only")
            DateFormat.parse(self.format)
        if self.type == "decimal" and self.scale is None:
            raise ValueError(
                f"column {self.name}: a decimal column needs its scale (digits after the separator)"
            )
        if self.scale is not None and self.type != "decimal":
            raise ValueError(f"column {self.name}: scale applies to decimal columns only")
        if self.codes is not None and self.type != "string":
            raise ValueError(f"column {self.name}: codes apply to string columns only")
        return self


class CsvProfile(_Strict):
    format: Literal["csv"]
    feed: str | None = None
    file: str | None = None
    encoding: str
    bom: bool = False
    delimiter: str = Field(min_length=1, max_length=1)
    quote: str = Field('"', min_length=1, max_length=1)
    line_terminator: Literal["CRLF", "LF"]
    header_record: str | None = None
    trailer_record: str | None = None
    column_header_row: bool = True
    records: int | None = Field(None, ge=0)
    date_formats: list[str] = []
    decimal_separator: str = Field(".", min_length=1, max_length=1)
    thousands_separator: str | None = Field(None, min_length=1, max_length=1)
    columns: list[CsvColumn] = Field(min_length=1)

    _encoding = field_validator("encoding")(_ascii_compatible)
    _templates = field_validator("header_record", "trailer_record")(_template)

    @model_validator(mode="after")
    def _consistent(self) -> CsvProfile:
        if self.bom and codecs.lookup(self.encoding).name != "utf-8":
            raise ValueError(
                f"bom: a byte-order mark is declared, but encoding {self.encoding} has none (utf-8 only)"
            )
        if self.delimiter == self.quote or self.thousands_separator == self.decimal_separator:
            raise ValueError("delimiter/quote and decimal/thousands separators must differ")
        names = [column.name for column in self.columns]
        if len(set(names)) != len(names):
            raise ValueError(f"columns: duplicate names {sorted({n for n in names if names.count(n) > 1})}")
        for format_text in self.date_formats:
            DateFormat.parse(format_text)
        for column in self.columns:
            if column.type == "date" and column.format is None and len(self.date_formats) != 1:
                raise ValueError(
                    f"column {column.name}: a date column needs a format (its own, or a single entry in date_formats)"
                )
            if column.format is not None and self.date_formats and column.format not in self.date_formats:
                raise ValueError(f"column {column.name}: format {column.format} is not in date_formats")
        return self

    def date_format(self, column: CsvColumn) -> DateFormat:
        return DateFormat.parse(column.format or self.date_formats[0])


class FixedColumn(_Strict):
    name: ColumnName
    start: int = Field(ge=1)  # 1-based position of the first character
    length: int = Field(ge=1)
    type: str

    @field_validator("type")
    @classmethod
    def _known_type(cls, value: str) -> str:
        FixedType.parse(value)
        return value

    @property
    def fixed_type(self) -> FixedType:
        return FixedType.parse(self.type)


class OverpunchCharacters(_Strict):
    """`{ABCDEFGHI = 0..9`: the ten characters that end a positive (or negative) number, for digits 0 to 9."""

    positive: str
    negative: str

    @field_validator("positive", "negative")
    @classmethod
    def _ten_characters(cls, value: str) -> str:
        if _OVERPUNCH_CHARS.fullmatch(value.strip()) is None:
            raise ValueError(f"{value!r}: expected ten sign characters, then ' = 0..9'")
        return value

    def overpunch(self) -> Overpunch:
        positive, negative = (
            _OVERPUNCH_CHARS.fullmatch(text.strip()).group("chars")  # type: ignore[union-attr]
            for text in (self.positive, self.negative)
        )
        return Overpunch(positive, negative)


class FixedWidthProfile(_Strict):
    format: Literal["fixed_width"]
    feed: str | None = None
    file: str | None = None
    encoding: str
    line_terminator: Literal["CRLF", "LF"]
    record_length: int = Field(ge=1)
    records: int | None = Field(None, ge=0)
    header_record: str | None = None
    trailer_record: str | None = None
    overpunch: OverpunchCharacters | None = None
    columns: list[FixedColumn] = Field(min_length=1)

    _encoding = field_validator("encoding")(_ascii_compatible)
    _templates = field_validator("header_record", "trailer_record")(_template)

    @model_validator(mode="after")
    def _columns_fit(self) -> FixedWidthProfile:
        end = 0
        for column in sorted(self.columns, key=lambda c: c.start):
            if column.start <= end:
                raise ValueError(f"column {column.name} starts at {column.start}, inside the previous column")
            end = column.start + column.length - 1
            if end > self.record_length:
                raise ValueError(
                    f"column {column.name} ends at {end}, past record_length {self.record_length}"
                )
            if column.fixed_type.kind == "overpunch" and self.overpunch is None:
                raise ValueError(
                    f"column {column.name} is overpunched but the profile declares no overpunch table"
                )
        return self


class EbcdicProfile(_Strict):
    format: Literal["ebcdic"]
    feed: str | None = None
    file: str | None = None
    encoding: str | None = None
    record_format: Literal["F", "FB", "V", "VB"] | None = None
    record_length: int | None = Field(None, ge=1)
    record_descriptor_word: str | None = None
    copybook: str | None = None
    records: int | None = Field(None, ge=0)
    redefines: dict[str, dict[str, str]] = {}
    dates: dict[str, str] = {}
    occurs_depending_on: dict[str, str] = {}

    @field_validator("dates")
    @classmethod
    def _date_rules(cls, value: dict[str, str]) -> dict[str, str]:
        for rule in value.values():
            DateRule.parse(rule)
        return value

    @field_validator("redefines")
    @classmethod
    def _view_conditions(cls, value: dict[str, dict[str, str]]) -> dict[str, dict[str, str]]:
        for area, views in value.items():
            conditions = [ViewCondition.parse(text) for text in views.values()]
            if any(condition.field is None for condition in conditions[:-1]):
                raise ValueError(f"{area}: 'otherwise' must be the last view")
        return value

    def date_rules(self) -> dict[str, DateRule]:
        return {name: DateRule.parse(text) for name, text in self.dates.items()}

    def view_conditions(self) -> dict[str, dict[str, ViewCondition]]:
        return {
            area: {view: ViewCondition.parse(text) for view, text in views.items()}
            for area, views in self.redefines.items()
        }


Profile = Annotated[CsvProfile | FixedWidthProfile | EbcdicProfile, Field(discriminator="format")]


class ProfileDocument(RootModel[Profile]):
    pass


def load_profile(path: Path) -> CsvProfile | FixedWidthProfile | EbcdicProfile:
    """Read and validate a `<stem>.profile.yaml`; errors name the file and the key."""
    try:
        return load_model(path, ProfileDocument).root
    except ConfigError as error:
        raise ProfileError(str(error)) from error
