"""Where monitoring reads its configuration (`reconcile.yaml` by default; tests and rehearsals point elsewhere),
and the notifier alerts go to."""

from pathlib import Path

import dagster as dg

from ...lib.reconcile.settings import RECONCILE_FILE, ReconcileSettings, load_reconcile_settings
from .notifier import notifier_from_environment


class MonitoringResource(dg.ConfigurableResource):
    """The reconciliation, drift, lag and health configuration file."""

    settings_file: str = str(RECONCILE_FILE)

    def settings(self) -> ReconcileSettings:
        return load_reconcile_settings(Path(self.settings_file))


@dg.definitions
def monitoring_resources() -> dg.Definitions:
    return dg.Definitions(
        resources={"monitoring": MonitoringResource(), "notifier": notifier_from_environment()}
    )
