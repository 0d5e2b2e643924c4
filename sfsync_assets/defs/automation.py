"""Declarative automation runs in OSS only when its sensor runs: start it with the code location."""

import dagster as dg

automation_sensor = dg.AutomationConditionSensorDefinition(
    "sfsync_automation",
    target=dg.AssetSelection.all(),
    default_status=dg.DefaultSensorStatus.RUNNING,
    minimum_interval_seconds=30,
    description="Evaluates every asset's automation condition (schedules, eager downstream updates).",
)
