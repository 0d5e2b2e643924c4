"""Where the push-back reads its configuration: `outbound.yaml` and the system-of-record matrix.

Runs read both through the `outbound` resource (tests and rehearsals point it elsewhere). What must be known when
the definitions load (targets, sensor intervals, code versions) comes from the versioned files themselves.
"""

from pathlib import Path

import dagster as dg

from ...lib.config.files import config_version
from ...lib.outbound.golden_source import SYSTEM_OF_RECORD_FILE
from ...lib.outbound.settings import OUTBOUND_FILE, OutboundSettings, load_outbound_settings

SHIPPED_SETTINGS = load_outbound_settings()
CODE_VERSION = config_version(OUTBOUND_FILE, SYSTEM_OF_RECORD_FILE)


class OutboundResource(dg.ConfigurableResource):
    """The push-back configuration files."""

    settings_file: str = str(OUTBOUND_FILE)
    system_of_record_file: str = str(SYSTEM_OF_RECORD_FILE)

    def settings(self) -> OutboundSettings:
        return load_outbound_settings(Path(self.settings_file))

    @property
    def system_of_record(self) -> Path:
        return Path(self.system_of_record_file)


@dg.definitions
def outbound_resources() -> dg.Definitions:
    return dg.Definitions(resources={"outbound": OutboundResource()})
