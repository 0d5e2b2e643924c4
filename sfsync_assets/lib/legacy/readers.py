"""The reader for one file of a feed, with the profile that describes it (beside the file, or inline)."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path
from typing import Protocol

from .csv_reader import CsvFileReader
from .ebcdic_reader import EbcdicFileReader
from .errors import ProfileError
from .fixed_width_reader import FixedWidthFileReader
from .profiles import CsvProfile, EbcdicProfile, FixedWidthProfile, load_profile
from .records import ReadBatch, RecordCounts
from .settings import PROFILE_FORMAT_OF_KIND, Feed

AnyProfile = CsvProfile | FixedWidthProfile | EbcdicProfile


class FileReader(Protocol):
    counts: RecordCounts  # complete once batches() is exhausted

    def batches(self) -> Iterator[ReadBatch]: ...


def read_profile(feed_name: str, feed: Feed, data_file: Path) -> tuple[AnyProfile, str]:
    """The profile, and where it came from (its file name, or `inline`)."""
    profile_path = feed.profile_path(data_file)
    if profile_path is None:
        assert not isinstance(feed.profile, str)
        return feed.profile.inline, "inline"
    if not profile_path.exists():
        raise ProfileError(f"{data_file.name}: no profile {profile_path.name} beside it (feed {feed_name})")
    profile = load_profile(profile_path)
    expected = PROFILE_FORMAT_OF_KIND[feed.kind]
    problems = [
        f"{key} is {actual!r}, expected {wanted!r}"
        for key, actual, wanted in (
            ("format", profile.format, expected),
            ("feed", profile.feed, feed_name),
            ("file", profile.file, data_file.name),
        )
        if actual is not None and actual != wanted
    ]
    if problems:
        raise ProfileError(f"{profile_path}: does not describe {data_file.name}: {'; '.join(problems)}")
    return profile, profile_path.name


def open_reader(feed_name: str, feed: Feed, data_file: Path) -> tuple[FileReader, str]:
    """A reader for `data_file`, and where its profile came from."""
    profile, source = read_profile(feed_name, feed, data_file)
    if isinstance(profile, CsvProfile):
        return CsvFileReader(data_file, profile, feed), source
    if isinstance(profile, FixedWidthProfile):
        return FixedWidthFileReader(data_file, profile, feed), source
    copybook = feed.copybook_path(data_file)
    assert copybook is not None  # the feed model requires a copybook for ebcdic feeds
    return EbcdicFileReader(data_file, profile, feed, copybook), source
