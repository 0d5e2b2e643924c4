"""The asset key of erasures, which the push depends on so that it never runs ahead of a pending erasure."""

import dagster as dg

ERASURES_KEY = dg.AssetKey(["privacy", "erasures"])
