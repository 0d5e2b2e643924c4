"""The legacy feeds (`config/legacy_feeds.yaml`): which files of the drop folder belong to which feed, and how
each feed is read. Validated on load; errors name the file, the key and what was expected."""

from __future__ import annotations

import re
from pathlib import Path
from typing import Annotated, Literal

from pydantic import BaseModel, ConfigDict, Field, StringConstraints, field_validator, model_validator

from ..config.files import CONFIG_DIR, load_model
from ..copybook import FramingSpec, RecordFormat
from .profiles import Profile

LEGACY_FEEDS_FILE = CONFIG_DIR / "legacy_feeds.yaml"
PROFILE_SUFFIX = ".profile.yaml"
FeedName = Annotated[str, StringConstraints(pattern=r"^[A-Z][A-Z0-9_]*$")]
FeedKind = Literal["csv", "fixed", "ebcdic"]
SYSTEM_OF_KIND = {"csv": "legacy_csv", "fixed": "legacy_fixed", "ebcdic": "legacy_ebcdic"}
PROFILE_FORMAT_OF_KIND = {"csv": "csv", "fixed": "fixed_width", "ebcdic": "ebcdic"}
_PATTERN_WITH_EXTENSION = re.compile(r"(?P<stem>.+)\\\.(?P<extension>[A-Za-z0-9]+)")


class _Strict(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)


class Framing(_Strict):
    """How an EBCDIC file is cut into records: F (fixed length; default: the copybook's record length) or V
    (each record preceded by a 4-byte RDW)."""

    record_format: Literal["F", "V"]
    record_length: int | None = Field(None, ge=1)
    rdw_big_endian: bool = True
    rdw_includes_header: bool = False

    @model_validator(mode="after")
    def _length_for_fixed_only(self) -> Framing:
        if self.record_length is not None and self.record_format != "F":
            raise ValueError("record_length applies to record_format F only (V records carry their length)")
        return self

    def spec(self) -> FramingSpec:
        return FramingSpec(
            RecordFormat(self.record_format),
            self.record_length,
            rdw_big_endian=self.rdw_big_endian,
            rdw_includes_header=self.rdw_includes_header,
        )


class InlineProfile(_Strict):
    inline: Profile


class Feed(_Strict):
    description: str = Field(min_length=1)
    pattern: str  # regular expression the whole file name matches, ending in its extension: NAME_\d{8}\.csv
    system: Literal["legacy_csv", "legacy_fixed", "legacy_ebcdic"]
    kind: FeedKind
    profile: Literal["beside"] | InlineProfile = "beside"
    keep_as_text: list[str] = []  # integer-typed identifiers stored as the text the file holds
    two_digit_year_pivot: int | None = Field(None, ge=0, le=99)  # YY below it is 20YY, otherwise 19YY
    max_lines_per_record: int = Field(10, ge=1)  # a quoted field open longer than this is a broken quote
    copybook: str | None = None  # relative paths are looked up beside the data file
    code_page: str | None = None
    framing: Framing | None = None

    @field_validator("pattern")
    @classmethod
    def _regular_expression_with_extension(cls, value: str) -> str:
        try:
            re.compile(value)
        except re.error as error:
            raise ValueError(f"not a regular expression: {error}") from None
        if _PATTERN_WITH_EXTENSION.fullmatch(value) is None:
            raise ValueError(
                r"the pattern must end with the file's extension, escaped (e.g. NAME_\d{8}\.csv)"
            )
        return value

    @model_validator(mode="after")
    def _kind_settings(self) -> Feed:
        if SYSTEM_OF_KIND[self.kind] != self.system:
            raise ValueError(
                f"kind {self.kind} belongs to system {SYSTEM_OF_KIND[self.kind]}, not {self.system}"
            )
        ebcdic = {"copybook": self.copybook, "code_page": self.code_page, "framing": self.framing}
        if self.kind == "ebcdic":
            missing = [name for name, value in ebcdic.items() if value is None]
            if missing:
                raise ValueError(f"an ebcdic feed needs {', '.join(missing)}")
        elif any(value is not None for value in ebcdic.values()):
            raise ValueError("copybook, code_page and framing apply to ebcdic feeds only")
        if (
            isinstance(self.profile, InlineProfile)
            and self.profile.inline.format != PROFILE_FORMAT_OF_KIND[self.kind]
        ):
            raise ValueError(
                f"profile.inline has format {self.profile.inline.format}; a {self.kind} feed needs "
                f"{PROFILE_FORMAT_OF_KIND[self.kind]}"
            )
        return self

    def matches(self, file_name: str) -> bool:
        return re.fullmatch(self.pattern, file_name) is not None

    def is_profile_name(self, file_name: str) -> bool:
        """`CUSTEXPORT_20261101.profile.yaml` for a feed whose files are `CUSTEXPORT_\\d{8}\\.csv`."""
        stem = _PATTERN_WITH_EXTENSION.fullmatch(self.pattern).group("stem")  # type: ignore[union-attr]
        return re.fullmatch(stem + re.escape(PROFILE_SUFFIX), file_name) is not None

    def profile_path(self, data_file: Path) -> Path | None:
        """Where this file's profile is, or None when the feed declares it inline."""
        return data_file.with_name(data_file.stem + PROFILE_SUFFIX) if self.profile == "beside" else None

    def copybook_path(self, data_file: Path) -> Path | None:
        return None if self.copybook is None else data_file.parent / self.copybook


class LegacyFeedsSettings(_Strict):
    settle_seconds: int = Field(10, ge=0)  # a file unchanged for less than this may still be arriving
    feeds: dict[FeedName, Feed] = Field(min_length=1)


def load_legacy_feeds(path: Path = LEGACY_FEEDS_FILE) -> LegacyFeedsSettings:
    return load_model(path, LegacyFeedsSettings)
