"""Domain exceptions of the copybook reader.

Each one says *where* the problem is (copybook line, byte offset in the data file) so whoever owns the
input can fix it without reading a stack trace. Bad bytes inside a field are not exceptions: they become
`DecodeIssue` rows (see decoder.py) so one corrupt record never stops a file.
"""

from __future__ import annotations


class CopybookError(Exception):
    """Base class for everything the copybook reader refuses to do."""


class PictureError(CopybookError):
    """A PICTURE string is malformed; the parser re-raises it with the copybook line attached."""


class CopybookDefinitionError(CopybookError):
    """The copybook cannot be used; names the copybook, the line number and the offending text."""

    def __init__(self, reason: str, *, source: str, line: int, text: str) -> None:
        self.reason = reason
        self.source = source
        self.line = line
        self.text = text.rstrip()
        super().__init__(f"{source}, line {line}: {reason}: {self.text.strip()!r}")


class CopybookSyntaxError(CopybookDefinitionError):
    """The copybook text is not COBOL this reader understands (bad PICTURE, unknown clause, ...)."""


class UnsupportedFeatureError(CopybookDefinitionError):
    """Valid COBOL that this reader deliberately does not implement (level 66 RENAMES, USAGE NATIONAL)."""


class LayoutError(CopybookDefinitionError):
    """The field tree parses but cannot be laid out (REDEFINES or DEPENDING ON naming the wrong item)."""


class FramingError(CopybookError):
    """The data file cannot be cut into records (bad RDW/BDW, truncated last record)."""

    def __init__(self, reason: str, *, source: str, offset: int) -> None:
        self.reason = reason
        self.source = source
        self.offset = offset
        super().__init__(f"{source}, byte offset {offset}: {reason}")


class DecodeConfigError(CopybookError):
    """Decoding options that cannot work (unknown or multi-byte code page, missing record length)."""
