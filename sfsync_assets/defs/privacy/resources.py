"""Where erasures read their configuration (`config/privacy.yaml`); tests and rehearsals point it elsewhere."""

from pathlib import Path

import dagster as dg

from ...lib.privacy.settings import PRIVACY_FILE, PrivacySettings, load_privacy_settings


class PrivacyResource(dg.ConfigurableResource):
    """The erasure configuration file."""

    settings_file: str = str(PRIVACY_FILE)

    def settings(self) -> PrivacySettings:
        return load_privacy_settings(Path(self.settings_file))


@dg.definitions
def privacy_resources() -> dg.Definitions:
    return dg.Definitions(resources={"privacy": PrivacyResource()})
