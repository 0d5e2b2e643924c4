"""Links from a golden record's page to the pages that explain it: the match model's charts (why records became
one entity) and the latest sync-health report (what happened to them downstream).

Taken from the latest materializations of identity/match_model and monitoring/sync_health in Dagster's event
log, so a link always names the file those assets wrote, wherever their resources put it; a file since deleted is
not linked.
"""

from pathlib import Path
from urllib.parse import unquote, urlparse

import dagster as dg

from ..identity.match_model import MODEL_KEY
from ..monitoring.keys import HEALTH_REPORT_LABEL, SYNC_HEALTH

CHART_SUFFIX = "_chart"


def local_file(url: str) -> Path | None:
    """The file a `file://` URL names, if it exists."""
    parsed = urlparse(url)
    path = Path(unquote(parsed.path))
    return path if parsed.scheme == "file" and path.is_file() else None


def _latest_metadata(instance: dg.DagsterInstance, key: dg.AssetKey) -> dict[str, object]:
    event = instance.get_latest_materialization_event(key)
    materialization = event.asset_materialization if event else None
    return (
        {label: value.value for label, value in materialization.metadata.items()} if materialization else {}
    )


def page_links(instance: dg.DagsterInstance, entity_type: str) -> dict[str, dg.MetadataValue]:
    """`<chart>_chart` for each chart of the entity type's match model, and `sync_health_report`."""
    charts = {
        label.removeprefix(f"{entity_type}_"): url
        for label, url in _latest_metadata(instance, MODEL_KEY).items()
        if label.startswith(f"{entity_type}_") and label.endswith(CHART_SUFFIX)
    }
    report = _latest_metadata(instance, SYNC_HEALTH).get(HEALTH_REPORT_LABEL)
    links = {**charts, **({"sync_health_report": report} if report else {})}
    return {
        label: dg.MetadataValue.url(str(url))
        for label, url in sorted(links.items())
        if isinstance(url, str) and local_file(url)
    }
