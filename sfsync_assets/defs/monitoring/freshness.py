"""Freshness policies for every ingest asset (`raw/<system>/*`), from `reconcile.yaml`.

Ingest assets are defined by other modules, so the policies are applied to the loaded definitions as a whole:
`definitions.py` passes what `load_from_defs_folder` returns through `with_ingest_freshness`. Dagster's
freshness daemon then marks an asset WARN/FAIL in the UI when it has not materialized within the window.
"""

from datetime import timedelta

import dagster as dg

from ...lib.reconcile.settings import ReconcileSettings
from .keys import SETTINGS


def ingest_freshness_policies(settings: ReconcileSettings) -> dict[str, dg.FreshnessPolicy]:
    """A time-window policy per source system, keyed by the system's raw asset key prefix (`salesforce`)."""
    return {
        system: dg.FreshnessPolicy.time_window(
            fail_window=timedelta(minutes=window.fail_minutes),
            warn_window=timedelta(minutes=window.warn_minutes),
        )
        for system, window in settings.freshness.items()
    }


def with_ingest_freshness(defs: dg.Definitions, settings: ReconcileSettings = SETTINGS) -> dg.Definitions:
    """`defs` with each source system's policy applied to its raw assets."""
    for system, policy in ingest_freshness_policies(settings).items():
        defs = defs.map_resolved_asset_specs(
            func=lambda spec, policy=policy: dg.apply_freshness_policy(spec, policy),
            selection=dg.AssetSelection.key_prefixes(["raw", system]),
        )
    return defs
