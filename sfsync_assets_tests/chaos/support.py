"""Helpers of the chaos and crash suites: settings a process can load, and reruns until nothing is left."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

import yaml

from sfsync_assets.lib.outbound.settings import OutboundSettings

MAX_RERUNS = 6


def write_settings(settings: OutboundSettings, directory: Path) -> Path:
    """The settings as an `outbound.yaml` of their own, for a process or resource that reads a file."""
    path = directory / "outbound.yaml"
    path.write_text(yaml.safe_dump(settings.model_dump(mode="json")), encoding="utf-8")
    return path


def rerun_until_converged(rerun: Callable[[], bool], left: Callable[[], object]) -> int:
    """Rerun as an operator would until a rerun succeeds with nothing left outstanding; how many it took.

    `rerun` says whether it succeeded (every step of its run did)."""
    for count in range(1, MAX_RERUNS + 1):
        if rerun() and not left():
            return count
    raise AssertionError(f"still outstanding after {MAX_RERUNS} reruns: {left()}")
