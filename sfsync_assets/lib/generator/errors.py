"""What can go wrong when generating or mutating a company, as exceptions that name the file, key or
system."""

from __future__ import annotations


class GeneratorError(Exception):
    """Base of every error this package raises on purpose."""


class RatesError(GeneratorError):
    """A rates file that cannot be used: names the file, the key and what was expected."""


class OutputDirError(GeneratorError):
    """The output directory is not what the command needs (not empty for generate, no company for mutate)."""


class SalesforceLoadError(GeneratorError):
    """Seeding or changing the emulator's org failed; names the object and how far it got."""
