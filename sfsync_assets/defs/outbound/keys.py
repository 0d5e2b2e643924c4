"""Asset keys of the push-back: one plan and one push per target, plus the consent fast path."""

import dagster as dg

from ...lib.golden.matrix import EntityType
from ...lib.outbound.golden_source import golden_asset_key


def golden_key(entity: EntityType) -> dg.AssetKey:
    return dg.AssetKey(list(golden_asset_key(entity)))


def plan_key(target: str) -> dg.AssetKey:
    return dg.AssetKey(["outbound", "salesforce", target])


def push_key(target: str) -> dg.AssetKey:
    return dg.AssetKey(["outbound", "salesforce", f"{target}_push"])


def consent_key(target: str) -> dg.AssetKey:
    return dg.AssetKey(["outbound", "salesforce", f"{target}_consent"])
