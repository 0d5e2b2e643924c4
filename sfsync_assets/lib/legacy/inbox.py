"""The drop folder as the sensor sees it: which files belong to which feed, under which partition key.

A file's partition key is its name plus a short hash of its content (`CUSTEXPORT_20261101.csv@3f2a9c1e4b7d`):
the same file dropped twice has one key and loads once, a corrected re-drop under the same name gets a new
key and loads again. Hashes are remembered by (size, mtime) between scans so unchanged files are not re-read.

Profiles beside data files and the copybooks feeds name are companions, not data. A data file waits while
it may still be arriving (changed less than `settle_seconds` ago) or while its profile or copybook is
missing. Any other file is reported as unmatched; dot-files (transfers in progress) are ignored.
"""

from __future__ import annotations

import hashlib
import json
from dataclasses import asdict, dataclass, field
from pathlib import Path

from .errors import FileChangedError
from .settings import LegacyFeedsSettings

KEY_SEPARATOR = "@"
DIGEST_CHARS = 12
_CHUNK = 1 << 20


def content_digest(path: Path) -> str:
    digest = hashlib.sha256()
    with path.open("rb") as handle:
        while chunk := handle.read(_CHUNK):
            digest.update(chunk)
    return digest.hexdigest()[:DIGEST_CHARS]


@dataclass(frozen=True)
class FilePartition:
    file_name: str
    digest: str

    @property
    def key(self) -> str:
        return f"{self.file_name}{KEY_SEPARATOR}{self.digest}"

    @classmethod
    def parse(cls, key: str) -> FilePartition:
        file_name, separator, digest = key.rpartition(KEY_SEPARATOR)
        if not separator or not file_name or len(digest) != DIGEST_CHARS:
            raise ValueError(
                f"partition key {key!r} is not <file name>{KEY_SEPARATOR}<{DIGEST_CHARS}-char hash>"
            )
        return cls(file_name, digest)

    def verified_path(self, folder: Path) -> Path:
        """The file in `folder`, provided it still has the content this partition was created for."""
        path = folder / self.file_name
        if not path.is_file():
            raise FileChangedError(
                f"{self.file_name} is no longer in {folder}; partition {self.key} cannot be loaded"
            )
        found = content_digest(path)
        if found != self.digest:
            raise FileChangedError(
                f"{path} has changed since partition {self.key} was created (content hash {found}, expected "
                f"{self.digest}); the newer version has its own partition"
            )
        return path


@dataclass(frozen=True)
class Fingerprint:
    size: int
    mtime_ns: int
    digest: str


@dataclass(frozen=True)
class InboxFile:
    feed: str
    partition: FilePartition


@dataclass
class InboxScan:
    ready: list[InboxFile] = field(default_factory=list)
    waiting: dict[str, str] = field(default_factory=dict)  # file name → what it waits for
    unmatched: dict[str, str] = field(default_factory=dict)  # file name → why no feed takes it
    fingerprints: dict[str, Fingerprint] = field(default_factory=dict)

    def describe(self) -> str:
        parts = [f"{len(self.ready)} file(s) ready"]
        if self.waiting:
            parts.append(
                "waiting: " + "; ".join(f"{name} ({why})" for name, why in sorted(self.waiting.items()))
            )
        if self.unmatched:
            parts.append(
                "unmatched: " + "; ".join(f"{name} ({why})" for name, why in sorted(self.unmatched.items()))
            )
        return ", ".join(parts)


def fingerprints_to_cursor(fingerprints: dict[str, Fingerprint]) -> str:
    return json.dumps(
        {name: asdict(print_) for name, print_ in sorted(fingerprints.items())}, separators=(",", ":")
    )


def fingerprints_from_cursor(cursor: str | None) -> dict[str, Fingerprint]:
    """An unreadable cursor (e.g. from an older version) only costs re-hashing."""
    try:
        return {name: Fingerprint(**value) for name, value in json.loads(cursor or "{}").items()}
    except (TypeError, ValueError, AttributeError):
        return {}


def scan_inbox(
    folder: Path, settings: LegacyFeedsSettings, known: dict[str, Fingerprint], now: float
) -> InboxScan:
    if not folder.is_dir():
        raise FileNotFoundError(f"the legacy inbox {folder} does not exist or is not a folder")
    scan = InboxScan()
    copybooks = {feed.copybook for feed in settings.feeds.values() if feed.copybook}
    for path in sorted(folder.iterdir()):
        name = path.name
        if name.startswith(".") or not path.is_file() or name in copybooks:
            continue
        feeds = [feed_name for feed_name, feed in settings.feeds.items() if feed.matches(name)]
        if len(feeds) != 1:
            if not any(feed.is_profile_name(name) for feed in settings.feeds.values()):
                scan.unmatched[name] = f"matches feeds {feeds}" if feeds else "matches no feed pattern"
            continue
        feed = settings.feeds[feeds[0]]
        stat = path.stat()
        if now - stat.st_mtime < settings.settle_seconds:
            scan.waiting[name] = f"changed less than {settings.settle_seconds} s ago"
            continue
        missing = [
            p.name for p in (feed.profile_path(path), feed.copybook_path(path)) if p and not p.is_file()
        ]
        if missing:
            scan.waiting[name] = f"{' and '.join(missing)} not there yet"
            continue
        previous = known.get(name)
        if previous is not None and (previous.size, previous.mtime_ns) == (stat.st_size, stat.st_mtime_ns):
            digest = previous.digest
        else:
            digest = content_digest(path)
        scan.fingerprints[name] = Fingerprint(stat.st_size, stat.st_mtime_ns, digest)
        scan.ready.append(InboxFile(feeds[0], FilePartition(name, digest)))
    return scan
