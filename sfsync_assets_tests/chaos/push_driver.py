"""One push in a process of its own, so a crash test can SIGKILL it: the product's push entry point on a real
warehouse file against a running emulator.

`python -m sfsync_assets_tests.chaos.push_driver WAREHOUSE STATE_DIR SETTINGS SYSTEM_OF_RECORD TARGET`

urllib3's debug log goes to stderr: one line per HTTP answer, written when the answer's headers arrive and before
the product acts on it. That is what the test watches to pick the moment to kill.
"""

from __future__ import annotations

import json
import logging
import sys
import uuid
from pathlib import Path

import duckdb

from sfsync_assets.lib.emulator.process import EmulatorProcess
from sfsync_assets.lib.outbound.push import PushScope, push
from sfsync_assets.lib.outbound.settings import load_outbound_settings
from sfsync_assets.lib.salesforce.budget import ApiGovernor
from sfsync_assets.lib.salesforce.connection import connect


def main(warehouse: str, state_dir: str, settings_file: str, system_of_record: str, target: str) -> None:
    logging.basicConfig(stream=sys.stderr, level=logging.WARNING, format="%(message)s")
    logging.getLogger("urllib3.connectionpool").setLevel(logging.DEBUG)
    settings = load_outbound_settings(Path(settings_file))
    connection_settings = EmulatorProcess(Path(state_dir)).connection_settings()
    governor = ApiGovernor(settings.salesforce.budget.policy())
    with duckdb.connect(warehouse) as connection:
        result = push(
            connection,
            settings,
            PushScope(target),
            lambda: connect(connection_settings, governor),
            governor,
            f"crash-{uuid.uuid4().hex[:8]}",
            "sfsync",
            Path(system_of_record),
        )
    print(json.dumps(result.metadata()), flush=True)


if __name__ == "__main__":
    main(*sys.argv[1:])
