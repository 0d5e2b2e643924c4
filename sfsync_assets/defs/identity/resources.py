"""Where identity resolution keeps its files: the saved match models (versioned with the code) and the charts
a training run renders. Tests and rehearsals point both elsewhere."""

from pathlib import Path

import dagster as dg

from ...lib.matching.settings import MATCHING_DIR, MatchingSettings, load_matching_settings

DEFAULT_CHART_DIR = "data/identity/charts"


class MatchingResource(dg.ConfigurableResource):
    """`model_dir` holds `person_model.json` and `organization_model.json`; `chart_dir` receives the HTML charts
    of each training run."""

    model_dir: str = str(MATCHING_DIR)
    chart_dir: str = DEFAULT_CHART_DIR

    def settings(self) -> MatchingSettings:
        return load_matching_settings()

    @property
    def models(self) -> Path:
        return Path(self.model_dir)

    @property
    def charts(self) -> Path:
        return Path(self.chart_dir)


@dg.definitions
def identity_resources() -> dg.Definitions:
    return dg.Definitions(resources={"matching": MatchingResource()})
