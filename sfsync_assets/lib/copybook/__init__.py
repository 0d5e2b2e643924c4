"""Reads mainframe EBCDIC exports described by COBOL copybooks into Arrow tables.

Pure Python + numpy, written here because no PyPI package decodes these files correctly (`copybook`
rejects COMP, `stingray-reader` mis-sizes binary fields and crashes on REDEFINES inside OCCURS, `cobolio`
treats OCCURS DEPENDING ON as zero, `ebcdic-parser` reads positive zoned numbers as negative) and the
reference implementation, Cobrix, needs a JVM and Spark. Knows nothing of Dagster.

    copybook = load_copybook("customer.cpy")
    decoder = CopybookDecoder(copybook, DecodeOptions(encoding="cp037"))
    for batch in decoder.decode_file("customer.dat", FramingSpec(RecordFormat.VB, rdw_includes_header=True)):
        batch.table    # pyarrow.Table, one column per elementary field
        batch.issues   # DecodeIssue per field that could not be decoded (goes to quarantine)

Modules: picture (PICTURE strings), parser (copybook text → field tree), layout (byte offsets, OCCURS,
REDEFINES, ODO), codepages (EBCDIC lookup tables), fields (per-usage vectorised decoders), framing (file →
records), decoder (records → tables), issues (quarantine entries), cli (`sfsync legacy`).
"""

from .decoder import RECORD_NUMBER_COLUMN, RECORD_OFFSET_COLUMN, CopybookDecoder, DecodedBatch
from .errors import (
    CopybookDefinitionError,
    CopybookError,
    CopybookSyntaxError,
    DecodeConfigError,
    FramingError,
    LayoutError,
    PictureError,
    UnsupportedFeatureError,
)
from .fields import DecodeOptions, FloatFormat, TextTrim
from .framing import FramingSpec, Record, RecordBatch, RecordFormat, iter_batches, iter_records
from .issues import ISSUE_SCHEMA, DecodeIssue, issues_table
from .layout import Layout, LayoutRow
from .parser import Copybook, CopybookField, Usage, load_copybook, parse_copybook

__all__ = [
    "ISSUE_SCHEMA",
    "RECORD_NUMBER_COLUMN",
    "RECORD_OFFSET_COLUMN",
    "Copybook",
    "CopybookDecoder",
    "CopybookDefinitionError",
    "CopybookError",
    "CopybookField",
    "CopybookSyntaxError",
    "DecodeConfigError",
    "DecodeIssue",
    "DecodeOptions",
    "DecodedBatch",
    "FloatFormat",
    "FramingError",
    "FramingSpec",
    "Layout",
    "LayoutError",
    "LayoutRow",
    "PictureError",
    "Record",
    "RecordBatch",
    "RecordFormat",
    "TextTrim",
    "UnsupportedFeatureError",
    "Usage",
    "issues_table",
    "iter_batches",
    "iter_records",
    "load_copybook",
    "parse_copybook",
]
