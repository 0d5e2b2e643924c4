"""A deployment's Dagster home is ready before anything opens it: the run worker, the sensors and a test thread
may all open the instance at once."""

from __future__ import annotations

from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import dagster as dg

from sfsync_assets.lib.runtime.environment import REPOSITORY_DAGSTER_YAML, prepare_dagster_home


def _open_and_list_runs(home: Path) -> int:
    with dg.DagsterInstance.from_config(str(home)) as instance:
        return len(instance.get_runs(limit=1))


def test_home_holds_the_repository_settings_and_its_storage(tmp_path: Path) -> None:
    home = prepare_dagster_home({"DAGSTER_HOME": str(tmp_path / "dagster_home")})

    assert (home / "dagster.yaml").read_text() == REPOSITORY_DAGSTER_YAML.read_text()
    for storage in ("history/runs.db", "history/runs/index.db", "schedules/schedules.db"):
        assert (home / storage).is_file(), f"{storage} not created"


def test_many_openers_at_once_share_the_prepared_storage(tmp_path: Path) -> None:
    home = prepare_dagster_home({"DAGSTER_HOME": str(tmp_path / "dagster_home")})

    with ThreadPoolExecutor(max_workers=6) as pool:
        assert list(pool.map(_open_and_list_runs, [home] * 6)) == [0] * 6
    prepare_dagster_home({"DAGSTER_HOME": str(home)})  # again, on an existing home: nothing to create
    assert _open_and_list_runs(home) == 0
