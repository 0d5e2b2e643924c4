"""What an analyst sees in the Dagster UI: the layers, a raw and a golden asset's page with their metadata and
checks, a failed check and a failed sync with a readable reason, and the sensors' ticks after a change in the
org.

One `dagster dev` serves the whole module (fixture `dagster_ui`), pointed at an emulator org of the module's
own the way a `.env` would point it. Its automation sensor is switched off, so a test sync does not carry on
into the layers downstream by itself; the tests build the golden records with real asset-job runs recorded in
the same DAGSTER_HOME, like the runs of `sfsync sync`, so they appear in the UI's history. The change-feed and
push sensors keep running, as in a deployment.

The selectors are the words an analyst reads (labels, names, roles), not CSS classes. Each page is screenshotted
into the test's tmp_path, and a failing assertion names its screenshot.
"""

from __future__ import annotations

import re
from pathlib import Path

import dagster as dg
import pytest

from sfsync_assets.lib.emulator.process import EmulatorProcess
from sfsync_assets.lib.salesforce.connection import connect

from .conftest import SEEDED_ACCOUNTS
from .support import (
    LOCATION,
    DagsterDev,
    check_evaluations,
    definitions,
    latest_materialization,
    screenshot,
    wait_for,
)

pytestmark = pytest.mark.browser

RAW_ACCOUNT = dg.AssetKey(["raw", "salesforce", "account"])
RAW_CONTACT = dg.AssetKey(["raw", "salesforce", "contact"])
GOLDEN = dg.AssetKey(["golden", "organization"])
# From the staged tables to the golden records; the automation sensor is off, so the tests build them.
GOLDEN_LAYERS = [
    dg.AssetKey(["staged", "salesforce", "contact"]),
    dg.AssetKey(["staged", "organization"]),
    dg.AssetKey(["staged", "person"]),
    dg.AssetKey(["identity", "organization_matches"]),
    dg.AssetKey(["identity", "person_matches"]),
    dg.AssetKey(["identity", "xref"]),
    dg.AssetKey(["golden", "organization"]),
    dg.AssetKey(["golden", "person"]),
]
SENSOR = "salesforce_change_feed_sensor"
PUSH_SENSOR = "push_salesforce_contact_on_golden"
# The change-feed sensor ticks every 15 s and the push sensors every 30 s; a requested run then waits for the
# daemon and a run worker on a busy 2-core machine.
TICK_TIMEOUT_SECONDS = 60
RUN_TIMEOUT_SECONDS = 90
# Numbers every Salesforce read reports about itself (see ObjectRead.metadata in defs/ingest/salesforce.py).
REQUIRED_METADATA = ("rows_read", "read_mode")
DAILY_API = "DailyApiRequests"


# --- what the tests look at -------------------------------------------------------------------------------


@pytest.fixture(scope="module")
def asset_graph():
    return definitions().resolve_asset_graph()


@pytest.fixture(scope="module")
def staged_account(asset_graph) -> dg.AssetKey:
    """The staged table built from raw/salesforce/account that has checks."""
    children = sorted(
        (
            key
            for key in asset_graph.get(RAW_ACCOUNT).child_keys
            if key.path[0] == "staged" and asset_graph.get(key).check_keys
        ),
        key=lambda key: key.to_user_string(),
    )
    if not children:
        pytest.skip("no checked staged asset is built from raw/salesforce/account yet")
    return children[0]


# --- syncs the tests make, once per module ------------------------------------------------------------------


@pytest.fixture(scope="module")
def materialized_run(dagster_ui: DagsterDev) -> str:
    sync = dagster_ui.materialize([RAW_ACCOUNT])
    assert sync.success, f"syncing {RAW_ACCOUNT.to_user_string()} failed:\n{sync.errors}"
    return sync.run_id


@pytest.fixture(scope="module")
def staged_run(dagster_ui: DagsterDev, materialized_run: str, staged_account: dg.AssetKey) -> str:
    """Stage the Accounts just read: the seeded unusable phone numbers fail the staged table's error-rate check
    (the run itself succeeds: that check does not block)."""
    sync = dagster_ui.materialize([staged_account])
    assert sync.success, f"staging {staged_account.to_user_string()} failed:\n{sync.errors}"
    return sync.run_id


@pytest.fixture(scope="module")
def change_feed_run(dagster_ui: DagsterDev, emulator: EmulatorProcess) -> str:
    """The run the change-feed sensor requests for a Contact another application creates in the org."""
    # The sensor's first tick only finds its place in the feed; changes after it are news.
    wait_for(
        "change-feed tick that kept its position",
        lambda: [t for t in _finished_ticks(dagster_ui, SENSOR) if t["status"] in ("SKIPPED", "SUCCESS")],
        TICK_TIMEOUT_SECONDS,
    )
    someone = connect(emulator.connection_settings(client_id="crm"))
    someone.Contact.create({"LastName": "Changed in Salesforce", "Email": "changed@example.com"})
    tick = wait_for(
        "change-feed tick requesting a run",
        lambda: next((t for t in _finished_ticks(dagster_ui, SENSOR) if t["runIds"]), None),
        TICK_TIMEOUT_SECONDS,
    )
    [run_id] = tick["runIds"]
    status = wait_for(
        "end of the change-feed run",
        lambda: (s := dagster_ui.run_status(run_id)) in ("SUCCESS", "FAILURE", "CANCELED") and s,
        RUN_TIMEOUT_SECONDS,
    )
    assert status == "SUCCESS", f"run {run_id} requested by {SENSOR} ended {status}"
    return run_id


@pytest.fixture(scope="module")
def golden_run(dagster_ui: DagsterDev, staged_run: str, change_feed_run: str) -> str:
    """The Accounts and the changed Contact, staged, resolved and made golden records (with their checks)."""
    sync = dagster_ui.materialize(GOLDEN_LAYERS)
    assert sync.success, f"building the golden records failed:\n{sync.errors}"
    return sync.run_id


def _finished_ticks(ui: DagsterDev, sensor: str) -> list[dict]:
    return [tick for tick in ui.sensor_ticks(sensor) if tick["status"] != "STARTED"]


@pytest.fixture(scope="module")
def failed_run(dagster_ui: DagsterDev, materialized_run: str, emulator: EmulatorProcess) -> str:
    """A sync that the API budget governor stops: the org is at 95 % of its daily API allocation."""
    before = emulator.admin.limits()[DAILY_API]
    emulator.admin.set_limit(DAILY_API, maximum=1000, used=950)
    try:
        sync = dagster_ui.materialize([RAW_ACCOUNT])
    finally:
        emulator.admin.set_limit(DAILY_API, maximum=before["Max"], used=before["Max"] - before["Remaining"])
    assert not sync.success, "the sync should have stopped on the API budget"
    assert "Stopped before reading" in sync.errors, sync.errors
    return sync.run_id


# --- helpers ------------------------------------------------------------------------------------------------


def _url(ui: DagsterDev, key: dg.AssetKey, view: str | None = None) -> str:
    return f"{ui.url}/assets/{'/'.join(key.path)}" + (f"?view={view}" if view else "")


def _section(page, label: str):
    """A labelled block of the asset page ("Owners", "Kinds", "Row count"...): the label and its content."""
    return page.get_by_text(label, exact=True).first.locator("xpath=..")


def _number(value: int) -> re.Pattern[str]:
    return re.compile(rf"(^|\D)({value}|{value:,})(\D|$)")


def _readable(description: str) -> str:
    """The first words of a description as the UI renders its markdown."""
    text = re.sub(r"[`*_]{1,2}(?=\w)|(?<=\w)[`*]{1,2}", "", description.strip().splitlines()[0])
    return text[:60]


# --- the tour -----------------------------------------------------------------------------------------------


def test_lineage_shows_every_layer(dagster_ui: DagsterDev, asset_graph, page, expect, tmp_path: Path) -> None:
    groups = sorted({asset_graph.get(key).group_name for key in asset_graph.get_all_asset_keys()})
    assert "raw" in groups, f"no asset in group raw; groups are {groups}"
    page.goto(f"{dagster_ui.url}/asset-groups")
    with screenshot(page, tmp_path / "lineage.png"):
        expect(page.get_by_text("Global asset lineage")).to_be_visible()
        if len(groups) == 1:
            # A single group is drawn as its assets, ungrouped; its name shows on the group's own page.
            page.goto(f"{dagster_ui.url}/locations/sfsync_assets/asset-groups/raw/lineage")
            expect(page.get_by_text("raw", exact=True).first).to_be_visible()
            return
        graph = page.locator("svg")
        nodes = {group: graph.get_by_text(group, exact=True).first for group in groups}
        for group, node in nodes.items():
            expect(node, f"group {group} in the graph").to_be_visible()
        # Data flows left to right, so the source layer comes first.
        left = {group: node.bounding_box()["x"] for group, node in nodes.items()}
        assert left["raw"] == min(left.values()), f"raw is not the leftmost layer: {left}"


def test_asset_page_shows_the_metadata_of_a_real_sync(
    dagster_ui: DagsterDev, asset_graph, materialized_run: str, page, expect, tmp_path: Path
) -> None:
    run_id, metadata = latest_materialization(dagster_ui, RAW_ACCOUNT.path)
    assert run_id == materialized_run
    for label in REQUIRED_METADATA:
        assert label in metadata, f"{RAW_ACCOUNT.to_user_string()} did not report {label}: {sorted(metadata)}"
    assert metadata["rows_read"] >= SEEDED_ACCOUNTS
    node = asset_graph.get(RAW_ACCOUNT)

    page.goto(_url(dagster_ui, RAW_ACCOUNT))
    with screenshot(page, tmp_path / "asset-metadata.png"):
        expect(page.get_by_text(_readable(node.description)).first).to_be_visible()
        expect(_section(page, "Kinds")).to_contain_text(re.compile("salesforce", re.IGNORECASE))
        expect(_section(page, "Owners")).to_contain_text("integration")
        expect(page.get_by_text("Metadata", exact=True).first).to_be_visible()
        # Our own numbers: one row per key, holding the key and its value.
        for label, value in sorted(metadata.items()):
            if "/" in label or value is None:
                continue  # namespaced keys (dagster/..., dagster_dlt/...) are shown elsewhere or not at all
            row = page.get_by_role("row").filter(has=page.get_by_text(label, exact=True))
            # Whole numbers and text exactly; for a float, the row itself (the UI rounds it its own way).
            expected = (
                _number(value) if isinstance(value, int) else value[:40] if isinstance(value, str) else ""
            )
            expect(row.first, f"metadata {label} = {value}").to_contain_text(expected)
        if "dagster/row_count" in metadata:
            expect(_section(page, "Row count")).to_contain_text(_number(metadata["dagster/row_count"]))
        page.get_by_role("row").filter(
            has=page.get_by_text("rows_read", exact=True)
        ).first.scroll_into_view_if_needed()


def test_sensors_page_lists_the_change_feed_sensor_running(
    dagster_ui: DagsterDev, page, expect, tmp_path: Path
) -> None:
    page.goto(f"{dagster_ui.url}/automation")
    with screenshot(page, tmp_path / "automation.png"):
        link = page.get_by_role("link", name=re.compile(rf"\b{SENSOR}\b"))
        expect(link).to_be_visible()
    link.click()
    with screenshot(page, tmp_path / "sensor.png"):
        expect(page.get_by_text("Follows Salesforce's change feed").first).to_be_visible()
        running = page.get_by_role("row").filter(has=page.get_by_text("Running", exact=True))
        expect(running.get_by_role("checkbox")).to_be_checked()


def test_failed_check_shows_a_readable_reason(
    dagster_ui: DagsterDev,
    asset_graph,
    staged_account: dg.AssetKey,
    staged_run: str,
    page,
    expect,
    tmp_path: Path,
) -> None:
    evaluations = check_evaluations(dagster_ui, staged_account.path)
    failed = {name: e for name, e in evaluations.items() if e["status"] == "FAILED"}
    assert failed, f"no check of {staged_account.to_user_string()} failed: {evaluations}"
    page.goto(_url(dagster_ui, staged_account, "checks"))
    with screenshot(page, tmp_path / "checks.png"):
        for check in sorted(key.name for key in asset_graph.get(staged_account).check_keys):
            expect(page.get_by_text(check, exact=True).first, f"check {check}").to_be_visible()
    name, evaluation = sorted(failed.items())[0]
    page.get_by_text(name, exact=True).first.click()
    with screenshot(page, tmp_path / f"check-{name}.png"):
        expect(page).to_have_url(re.compile(rf"checkDetail={name}\b"))
        expect(page.get_by_text("Failed", exact=True).first).to_be_visible()
        if evaluation["description"]:
            expect(page.get_by_text(evaluation["description"]).first).to_be_visible()


def test_failed_sync_shows_a_readable_reason(
    dagster_ui: DagsterDev, failed_run: str, page, expect, tmp_path: Path
) -> None:
    reason = re.compile(r"Stopped before reading: .*API (usage|budget)")
    page.goto(f"{dagster_ui.url}/runs/{failed_run}")
    with screenshot(page, tmp_path / "failed-run.png"):
        expect(page.get_by_text("Failure", exact=True).first).to_be_visible()
        expect(page.get_by_text(reason).first).to_be_visible()
    page.goto(_url(dagster_ui, RAW_ACCOUNT, "events"))
    with screenshot(page, tmp_path / "asset-events.png"):
        expect(page.get_by_text(f"Run {failed_run[:8]} failed").first).to_be_visible()


def test_golden_asset_page_shows_its_definition_and_latest_numbers(
    dagster_ui: DagsterDev, asset_graph, golden_run: str, page, expect, tmp_path: Path
) -> None:
    node = asset_graph.get(GOLDEN)
    run_id, metadata = latest_materialization(dagster_ui, GOLDEN.path)
    assert run_id == golden_run
    assert metadata["dagster/row_count"] > 0, metadata
    page.goto(_url(dagster_ui, GOLDEN))
    with screenshot(page, tmp_path / "golden-asset.png"):
        expect(page.get_by_role("tab", name="Overview")).to_be_visible()
        expect(page.get_by_text(_readable(node.description)).first).to_be_visible()
        kinds = _section(page, "Kinds")
        for kind in sorted(node.kinds):
            expect(kinds, f"kind {kind}").to_contain_text(re.compile(re.escape(kind), re.IGNORECASE))
        for owner in node.owners:
            expect(_section(page, "Owners"), f"owner {owner}").to_contain_text(owner.removeprefix("team:"))
        expect(_section(page, "Group")).to_contain_text(node.group_name)
        expect(_section(page, "Row count")).to_contain_text(_number(metadata["dagster/row_count"]))
        row = page.get_by_role("row").filter(has=page.get_by_text("values_refused", exact=True))
        expect(row.first).to_contain_text(_number(metadata["values_refused"]))


def test_golden_asset_checks_tab_shows_its_checks_passed(
    dagster_ui: DagsterDev, asset_graph, golden_run: str, page, expect, tmp_path: Path
) -> None:
    checks = sorted(check.name for check in asset_graph.get(GOLDEN).check_keys)
    assert checks, f"{GOLDEN.to_user_string()} has no checks"
    evaluations = check_evaluations(dagster_ui, GOLDEN.path)
    assert {name: e["status"] for name, e in evaluations.items()} == dict.fromkeys(checks, "SUCCEEDED")
    page.goto(_url(dagster_ui, GOLDEN, "checks"))
    with screenshot(page, tmp_path / "golden-checks.png"):
        for check in checks:
            # The check's own entry in the list: its name and status, and no other check's name.
            item = (
                page.locator("div")
                .filter(has=page.get_by_text(check, exact=True))
                .filter(has_text="Succeeded")
            )
            for other in set(checks) - {check}:
                item = item.filter(has_not_text=other)
            expect(item.last, f"check {check}").to_be_visible()
        # The first check is open: its verdict in words and the numbers behind it.
        expect(page.get_by_text(evaluations[checks[0]]["description"]).first).to_be_visible()
        expect(page.get_by_text("Passed", exact=True).first).to_be_visible()


def test_change_feed_sensor_page_shows_the_tick_that_read_a_change(
    dagster_ui: DagsterDev, change_feed_run: str, page, expect, tmp_path: Path
) -> None:
    run_id, metadata = latest_materialization(dagster_ui, RAW_CONTACT.path)
    assert run_id == change_feed_run
    assert (metadata["read_mode"], metadata["record_ids_requested"]) == ("by_id", 1), metadata
    _expect_tick_with_run(dagster_ui, SENSOR, change_feed_run, page, expect, tmp_path / "change-feed.png")


def test_push_sensor_page_shows_the_tick_that_requested_a_push(
    dagster_ui: DagsterDev, golden_run: str, page, expect, tmp_path: Path
) -> None:
    """The changed Contact is now a golden person: the push sensor asks for a push of that version."""
    tick = wait_for(
        f"{PUSH_SENSOR} tick requesting a push",
        lambda: next((t for t in _finished_ticks(dagster_ui, PUSH_SENSOR) if t["runIds"]), None),
        TICK_TIMEOUT_SECONDS,
    )
    _expect_tick_with_run(dagster_ui, PUSH_SENSOR, tick["runIds"][0], page, expect, tmp_path / "push.png")


def _expect_tick_with_run(ui: DagsterDev, sensor: str, run_id: str, page, expect, path: Path) -> None:
    page.goto(f"{ui.url}/locations/{LOCATION}/sensors/{sensor}")
    with screenshot(page, path):
        expect(page.get_by_text(sensor).first).to_be_visible()
        expect(page.get_by_text("1 run requested").first).to_be_visible()
        expect(page.get_by_role("link", name=run_id[:8]).first).to_be_visible()
