"""Domain exceptions of the legacy-file readers.

Each names the file (and the line, record or key) so whoever owns the feed can fix it without a stack trace.
A bad value or a broken line is not an exception: it becomes a `Rejection` and the rest of the file loads.
"""

from __future__ import annotations


class LegacyFileError(Exception):
    """Base class: a legacy file, or the description of it, that cannot be used as a whole."""


class ProfileError(LegacyFileError):
    """The profile (or the feed's settings) is missing, invalid, or does not describe this file."""


class UnreadableFileError(LegacyFileError):
    """The file does not have the shape its profile declares (e.g. a different column header)."""


class FileChangedError(LegacyFileError):
    """The file in the inbox is not the content its partition was created for."""
