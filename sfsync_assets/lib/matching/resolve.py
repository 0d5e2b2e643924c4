"""One identity run end to end, outside Dagster (command line, benchmark): link, then cluster, every entity type.

Organizations go first because persons are compared with the names of their organizations and golden persons
point to golden organizations. In Dagster the same steps are the identity/*_matches and identity/xref assets.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

import duckdb

from .clustering import ClusterReport, update_clusters
from .links import LinkReport, update_links
from .settings import ENTITY_TYPES, MATCHING_DIR, MatchingSettings


@dataclass(frozen=True)
class ResolveReport:
    links: dict[str, LinkReport]
    clusters: dict[str, ClusterReport]


def resolve_identities(
    connection: duckdb.DuckDBPyConnection,
    settings: MatchingSettings,
    run_id: str,
    *,
    model_dir: Path = MATCHING_DIR,
    full: bool = False,
) -> ResolveReport:
    links = {
        entity_type: update_links(connection, entity_type, settings, run_id, model_dir=model_dir, full=full)
        for entity_type in ENTITY_TYPES
    }
    clusters = {
        entity_type: update_clusters(connection, entity_type, settings, run_id)
        for entity_type in ENTITY_TYPES
    }
    return ResolveReport(links, clusters)
