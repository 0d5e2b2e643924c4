"""Fixtures for the UI tests: Debian's Chromium driven by Playwright, one `dagster dev` per module.

The browser tests skip, saying why, when Playwright or Chromium is missing; `make test` installs both
(`scripts/install_browser.sh`, and `playwright` from requirements.lock). Playwright never downloads a browser
here: it launches `/usr/bin/chromium` (override with SFSYNC_CHROMIUM).
"""

from __future__ import annotations

import os
import shutil
import uuid
from collections.abc import Iterator

import dagster as dg
import pytest

from sfsync_assets.lib.emulator.process import EmulatorProcess, free_port
from sfsync_assets.lib.runtime.environment import emulator_environment

from .support import CHROMIUM, CHROMIUM_FLAGS, DagsterDev, definitions

# Generous for a 2-core machine where the daemon, a run and the browser share the CPUs.
UI_TIMEOUT_MS = 30_000
VIEWPORT = {"width": 1600, "height": 1000}
SEEDED_ACCOUNTS = 25


def pytest_configure(config: pytest.Config) -> None:
    config.addinivalue_line("markers", "browser: drives the Dagster UI in headless Chromium")


@pytest.fixture(scope="session")
def playwright_api():
    """Playwright itself, or a skip that says how to get it."""
    api = pytest.importorskip(
        "playwright.sync_api", reason="Playwright is not installed: pip install -r requirements.lock"
    )
    if not (CHROMIUM.exists() and os.access(CHROMIUM, os.X_OK)):
        pytest.skip(f"Chromium not found at {CHROMIUM}: run scripts/install_browser.sh (Debian's chromium)")
    return api


@pytest.fixture(scope="module")
def browser_context(playwright_api, tmp_path_factory: pytest.TempPathFactory) -> Iterator:
    """Headless Chromium with a fresh profile (`--user-data-dir`), for one module: closed right after it."""
    profile = tmp_path_factory.mktemp("chromium-profile")
    with playwright_api.sync_playwright() as playwright:
        context = playwright.chromium.launch_persistent_context(
            str(profile),
            executable_path=str(CHROMIUM),
            headless=True,
            args=CHROMIUM_FLAGS,
            viewport=VIEWPORT,
            timezone_id="UTC",
            locale="en-US",
        )
        context.set_default_timeout(UI_TIMEOUT_MS)
        playwright_api.expect.set_options(timeout=UI_TIMEOUT_MS)
        try:
            yield context
        finally:
            context.close()


@pytest.fixture
def page(browser_context) -> Iterator:
    page = browser_context.new_page()
    try:
        yield page
    finally:
        page.close()


def automation_sensors() -> list[str]:
    return [
        sensor.name
        for sensor in definitions().sensors or []
        if isinstance(sensor, dg.AutomationConditionSensorDefinition)
    ]


@pytest.fixture(scope="module")
def emulator(tmp_path_factory: pytest.TempPathFactory) -> Iterator[EmulatorProcess]:
    """An org of the tour's own: with golden records built, the push sensors write them back to it, which the
    shared org's other tests must not see."""
    with EmulatorProcess(tmp_path_factory.mktemp("ui-org")) as process:
        yield process


@pytest.fixture(scope="module")
def seeded_accounts(emulator: EmulatorProcess) -> dict[str, list[str]]:
    """Good Accounts, and enough with an unusable phone number that more than 1 % of the org's Accounts lose
    data when staged."""
    tag = uuid.uuid4().hex[:8]
    good = emulator.admin.seed("Account", [{"Name": f"UI tour {tag} {n}"} for n in range(SEEDED_ACCOUNTS)])
    bad_count = max(SEEDED_ACCOUNTS, emulator.admin.count("Account") // 10 + 1)
    bad = emulator.admin.seed(
        "Account", [{"Name": f"UI tour {tag} bad {n}", "Phone": "call me maybe"} for n in range(bad_count)]
    )
    return {"good": good, "bad_phone": bad}


@pytest.fixture(scope="module")
def dagster_ui(
    playwright_api,
    emulator: EmulatorProcess,
    seeded_accounts: dict[str, list[str]],
    tmp_path_factory: pytest.TempPathFactory,
) -> Iterator[DagsterDev]:
    """`dagster dev` on a free port with a DAGSTER_HOME of its own, pointed at the emulator like `.env` would be."""
    folder = tmp_path_factory.mktemp("dagster-ui")
    inbound = folder / "inbound"
    inbound.mkdir()
    settings = emulator_environment(emulator.state_dir, folder, f"sqlite:///{folder / 'erp.sqlite'}", inbound)
    environment = {**os.environ, **settings, "DAGSTER_DISABLE_TELEMETRY": "1"}
    ui = DagsterDev(folder, environment, free_port()).launch()
    try:
        sensors = automation_sensors()  # loads the definitions here while dagster dev starts
        ui.wait_until_loaded()
        ui.graphql("mutation { setNuxSeen }")  # no "Join the Dagster community" dialog over the pages
        for sensor in sensors:
            # Declarative automation would carry each test sync on into staged, identity and golden: minutes
            # of CPU on two cores. The tests build the layers they show themselves.
            ui.stop_sensor(sensor)
        yield ui
    finally:
        ui.stop()
        shutil.rmtree(folder / "dlt", ignore_errors=True)


@pytest.fixture
def expect(playwright_api):
    """Playwright's auto-waiting assertions."""
    return playwright_api.expect
