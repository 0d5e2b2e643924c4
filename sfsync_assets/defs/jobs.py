"""The full sync cycle as one job: everything except per-file legacy partitions and manual assets."""

import dagster as dg

sync_cycle_job = dg.define_asset_job(
    "sync_cycle",
    selection=dg.AssetSelection.all()
    - dg.AssetSelection.key_prefixes(["raw", "legacy"])
    - dg.AssetSelection.tag("sfsync/manual", "true"),
    description="Ingest, validate, resolve, push and reconcile in dependency order (legacy files load per file).",
)
