"""Reading the legacy drop folder: CSV exports, fixed-width text and mainframe EBCDIC files, each exactly as its
profile declares, into typed Arrow batches plus rejections for the quarantine. Knows nothing of Dagster.

    feed = load_legacy_feeds().feeds["CUSTEXPORT"]
    reader, profile_source = open_reader("CUSTEXPORT", feed, Path("inbound/CUSTEXPORT_20261101.csv"))
    for batch in reader.batches():
        batch.table        # pyarrow.Table: typed columns + _record_number and _line_number / _byte_offset
        batch.rejections   # Rejection per bad field (record loads, field null) or broken record (not loaded)
    reader.counts          # data records found vs the trailer's and the profile's counts

    load_file(connection, "CUSTEXPORT", feed, path, partition_key, run_id)   # → raw_legacy.custexport

Modules: settings (config/legacy_feeds.yaml), profiles (<stem>.profile.yaml), values (dates, numbers,
overpunch), control_records (H/T records), lines (physical lines), columns (typed output columns),
csv_reader, fixed_width_reader, ebcdic_reader (through lib/copybook), readers (reader per feed), records
(what readers return), inbox (drop folder → partition keys), raw_tables (DuckDB tables), quarantining
(rejections → quality.quarantine), load (one file into DuckDB), errors.
"""

from .errors import FileChangedError, LegacyFileError, ProfileError, UnreadableFileError
from .inbox import FilePartition, InboxScan, content_digest, scan_inbox
from .load import LoadSummary, load_file
from .readers import FileReader, open_reader, read_profile
from .records import ReadBatch, RecordCounts, Rejection
from .settings import LEGACY_FEEDS_FILE, Feed, LegacyFeedsSettings, load_legacy_feeds

__all__ = [
    "LEGACY_FEEDS_FILE",
    "Feed",
    "FileChangedError",
    "FilePartition",
    "FileReader",
    "InboxScan",
    "LegacyFeedsSettings",
    "LegacyFileError",
    "LoadSummary",
    "ProfileError",
    "ReadBatch",
    "RecordCounts",
    "Rejection",
    "UnreadableFileError",
    "content_digest",
    "load_file",
    "load_legacy_feeds",
    "open_reader",
    "read_profile",
    "scan_inbox",
]
