"""Domain exceptions of masking: each says which input (file, table, key) could not be masked and why."""

from __future__ import annotations


class MaskingError(Exception):
    """An extract, or part of one, that cannot be masked; nothing half-masked is left behind for it."""


class MaskKeyError(MaskingError):
    """The masking key is missing or too short to keep the fakes unguessable."""
