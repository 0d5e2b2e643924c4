"""Where erasures read their configuration (`config/privacy.yaml`) and the key of their hashes (environment)."""

from pathlib import Path

import dagster as dg

from ...lib.privacy.hashing import PRIVACY_KEY_VARIABLE, IdentifierHasher
from ...lib.privacy.settings import PRIVACY_FILE, PrivacySettings, load_privacy_settings


class PrivacyResource(dg.ConfigurableResource):
    """The erasure configuration file and the secret key of the proof's and tombstones' hashes."""

    settings_file: str = str(PRIVACY_FILE)
    hash_key: str

    def settings(self) -> PrivacySettings:
        return load_privacy_settings(Path(self.settings_file))

    def hasher(self) -> IdentifierHasher:
        return IdentifierHasher(self.hash_key)


@dg.definitions
def privacy_resources() -> dg.Definitions:
    return dg.Definitions(resources={"privacy": PrivacyResource(hash_key=dg.EnvVar(PRIVACY_KEY_VARIABLE))})
