"""The Dagster code location: everything under `defs/` is discovered and loaded."""

from pathlib import Path

import dagster as dg

from .defs.monitoring.freshness import with_ingest_freshness


@dg.definitions
def defs() -> dg.Definitions:
    return with_ingest_freshness(dg.load_from_defs_folder(path_within_project=Path(__file__).parent))
