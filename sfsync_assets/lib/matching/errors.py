"""Domain errors of identity resolution; each message says which file, entity type or record is concerned."""

from __future__ import annotations


class MatchingError(Exception):
    """Identity resolution cannot go on."""


class MatchingConfigError(MatchingError):
    """A matching configuration file (settings, nicknames, saved model) cannot be used."""


class ModelNotTrainedError(MatchingError):
    """Matching was asked for before the `identity/match_model` asset trained and saved a model."""
