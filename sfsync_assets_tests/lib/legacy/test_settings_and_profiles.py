"""legacy_feeds.yaml and profiles are validated on load, with errors that name the file, the key and the rule."""

from __future__ import annotations

from datetime import date
from decimal import Decimal
from pathlib import Path

import pytest
import yaml

from sfsync_assets.lib.config.files import ConfigError
from sfsync_assets.lib.legacy.errors import ProfileError
from sfsync_assets.lib.legacy.profiles import load_profile
from sfsync_assets.lib.legacy.settings import LEGACY_FEEDS_FILE, load_legacy_feeds
from sfsync_assets.lib.legacy.values import DateFormat, DecimalFormat, Overpunch, Rejected

GENERATED_NAMES = {
    "CUSTEXPORT": "CUSTEXPORT_20261101.csv",
    "CONTACTS": "CONTACTS_20261101.csv",
    "ORDERS": "ORDERS_20261102.csv",
    "ARBAL": "ARBAL_20261101.txt",
    "CUSTMAST": "CUSTMAST_20261101.dat",
    "ARTRANS": "ARTRANS_20261101.dat",
}


def write_yaml(path: Path, content: object) -> Path:
    path.write_text(yaml.safe_dump(content), encoding="utf-8")
    return path


def test_the_repository_config_declares_every_generated_feed() -> None:
    feeds = load_legacy_feeds().feeds
    assert set(feeds) == set(GENERATED_NAMES)
    for name, file_name in GENERATED_NAMES.items():
        assert [feed for feed, settings in feeds.items() if settings.matches(file_name)] == [name]
        assert feeds[name].is_profile_name(file_name.rsplit(".", 1)[0] + ".profile.yaml")
    assert feeds["ARTRANS"].framing and feeds["ARTRANS"].framing.rdw_includes_header


@pytest.mark.parametrize(
    ("change", "message"),
    [
        ({"system": "legacy_ebcdic"}, r"feeds\.CUSTEXPORT: .*kind csv belongs to system legacy_csv"),
        ({"pattern": "CUSTEXPORT_.*"}, r"feeds\.CUSTEXPORT\.pattern: .*must end with the file's extension"),
        ({"copybook": "X.cpy"}, r"feeds\.CUSTEXPORT: .*apply to ebcdic feeds only"),
        ({"kind": "ebcdic", "system": "legacy_ebcdic"}, r"an ebcdic feed needs copybook, code_page, framing"),
        ({"profile": "elsewhere"}, r"feeds\.CUSTEXPORT\.profile"),
    ],
)
def test_invalid_feed_settings_name_the_file_and_key(tmp_path: Path, change: dict, message: str) -> None:
    config = yaml.safe_load(LEGACY_FEEDS_FILE.read_text(encoding="utf-8"))
    config["feeds"]["CUSTEXPORT"].update(change)
    path = write_yaml(tmp_path / "legacy_feeds.yaml", config)

    with pytest.raises(ConfigError, match=rf"legacy_feeds\.yaml: .*{message}"):
        load_legacy_feeds(path)


@pytest.mark.parametrize(
    ("profile", "message"),
    [
        (
            {"format": "csv", "encoding": "utf-8", "line_terminator": "LF", "columns": [{"name": "A"}]},
            r"delimiter",
        ),
        (
            {
                "format": "csv",
                "encoding": "utf-16",
                "delimiter": ",",
                "line_terminator": "LF",
                "columns": [{"name": "A"}],
            },
            r"csv\.encoding: .*not ASCII-compatible",
        ),
        (
            {
                "format": "csv",
                "encoding": "utf-8",
                "delimiter": ",",
                "line_terminator": "LF",
                "columns": [{"name": "D", "type": "date", "format": "MM/YYYY"}],
            },
            r"csv\.columns\.0: .*needs exactly one day",
        ),
        (
            {
                "format": "fixed_width",
                "encoding": "ascii",
                "line_terminator": "LF",
                "record_length": 5,
                "columns": [{"name": "A", "start": 1, "length": 5, "type": "packed"}],
            },
            r"fixed_width\.columns\.0\.type: .*unknown fixed-width type 'packed'",
        ),
        (
            {"format": "ebcdic", "redefines": {"AREA": {"V1": "otherwise", "V2": "F = 'X'"}}},
            r"ebcdic\.redefines: .*'otherwise' must be the last view",
        ),
        ({"format": "xml"}, r"does not match any of the expected tags"),
    ],
)
def test_invalid_profiles_name_the_file_and_key(tmp_path: Path, profile: dict, message: str) -> None:
    path = write_yaml(tmp_path / "FEED_1.profile.yaml", profile)

    with pytest.raises(ProfileError, match=rf"FEED_1\.profile\.yaml: .*{message}"):
        load_profile(path)


@pytest.mark.parametrize(
    ("date_format", "text", "expected"),
    [
        ("DD/MM/YYYY", "29/02/2024", date(2024, 2, 29)),
        ("DD-Mon-YY", "03-Oct-26", date(2026, 10, 3)),
        ("YYYYMMDD", "19991231", date(1999, 12, 31)),
        ("DD/MM/YYYY", "29/02/2025", None),
        ("DD/MM/YYYY", "2025-02-01", None),
        ("DD-Mon-YY", "01-Foo-25", None),
        ("YYYYMMDD", "20250000", None),
    ],
)
def test_dates_are_read_only_in_the_declared_format(
    date_format: str, text: str, expected: date | None
) -> None:
    parsed = DateFormat.parse(date_format)
    if expected is None:
        with pytest.raises(Rejected) as rejected:
            parsed.read(text, two_digit_year_pivot=70)
        assert rejected.value.rule == "INVALID_DATE"
    else:
        assert parsed.read(text, two_digit_year_pivot=70) == expected


def test_decimals_follow_the_declared_separators() -> None:
    comma = DecimalFormat(",", ".", 2)
    assert [comma.read(t) for t in ("1.234.567,5", "-12,34", "7")] == [
        Decimal("1234567.50"),
        Decimal("-12.34"),
        Decimal("7.00"),
    ]
    for text in ("1,234.56", "12.34", "1.234.56,00", "1,234", "--1"):
        with pytest.raises(Rejected):
            comma.read(text)


def test_overpunched_sign_characters_carry_the_last_digit() -> None:
    overpunch = Overpunch("{ABCDEFGHI", "}JKLMNOPQR")
    assert overpunch.read("0012345E", 2) == Decimal("1234.55")
    assert overpunch.read("0012345N", 2) == Decimal("-1234.55")
    assert overpunch.read("}", 0) == Decimal("-0")
    for text in ("0012345", "00 1234E", ""):
        with pytest.raises(Rejected):
            overpunch.read(text, 2)
