"""REST resources under `/services/data/vXX.X/`: versions, limits, describe, sObject rows, getUpdated/Deleted."""

from __future__ import annotations

from datetime import timedelta
from typing import Any

from starlette.requests import Request
from starlette.responses import JSONResponse, Response
from starlette.routing import Route

from ..describe import global_describe, object_describe, object_summary
from ..errors import SalesforceApiError, not_found
from ..ids import normalize_id
from ..org import Org, record_json
from ..request_layer import ApiRequest, api_endpoint
from ..store import WriteContext
from ..values import format_datetime, parse_datetime

API_VERSIONS = ("55.0", "56.0", "57.0", "58.0", "59.0", "60.0", "61.0", "62.0", "63.0", "64.0")
_UPDATED_WINDOW = timedelta(days=30)
_DELETED_WINDOW = timedelta(days=15)
_REPLICATION_ID_LIMIT = 600_000


async def versions(request: Request) -> Response:
    """`GET /services/data/`: the one resource that needs no session and carries no limit header."""
    return JSONResponse(
        [{"label": f"v{v}", "url": f"/services/data/v{v}", "version": v} for v in API_VERSIONS]
    )


def resources(org: Org, request: ApiRequest, ctx: WriteContext) -> dict[str, str]:
    base = f"/services/data/v{request.version}"
    names = ["sobjects", "query", "queryAll", "limits", "composite", "jobs/ingest", "jobs/query"]
    return {name.split("/")[0] if "/" not in name else name: f"{base}/{name}" for name in names}


def limits(org: Org, request: ApiRequest, ctx: WriteContext) -> dict[str, Any]:
    return org.limits.report()


def describe_global(org: Org, request: ApiRequest, ctx: WriteContext) -> dict[str, Any]:
    return global_describe(org.schema, request.version)


def describe_object(org: Org, request: ApiRequest, ctx: WriteContext) -> dict[str, Any]:
    return object_describe(org.schema, org.store.object(request.path["object"]), request.version)


def object_metadata(org: Org, request: ApiRequest, ctx: WriteContext) -> dict[str, Any]:
    obj = org.store.object(request.path["object"])
    return {"objectDescribe": object_summary(obj, request.version), "recentItems": []}


def create_record(org: Org, request: ApiRequest, ctx: WriteContext) -> Response:
    obj = org.store.object(request.path["object"])
    body = request.json()
    if not isinstance(body, dict):
        raise SalesforceApiError(400, "JSON_PARSER_ERROR", "Expected a JSON object describing one record")
    record_id = org.store.create(obj, body, ctx)
    return JSONResponse({"id": record_id, "success": True, "errors": []}, status_code=201)


def record_by_id(org: Org, request: ApiRequest, ctx: WriteContext) -> Response | dict[str, Any]:
    """GET, PATCH (update) and DELETE on `sobjects/Obj/{Id}`."""
    obj = org.store.object(request.path["object"])
    record_id = request.path["record_id"]
    if normalize_id(record_id) is None:
        raise not_found()
    method = request.method
    if method == "PATCH":
        org.store.update(obj, record_id, _record_body(request), ctx)
        return Response(status_code=204)
    if method == "DELETE":
        org.store.delete(obj, record_id, ctx)
        return Response(status_code=204)
    record = org.store.get(obj, record_id)
    if record is None:
        raise not_found()
    return record_json(obj, record, request.version, _selected_fields(obj, request))


def record_by_external_id(org: Org, request: ApiRequest, ctx: WriteContext) -> Response | dict[str, Any]:
    """GET and PATCH (upsert) on `sobjects/Obj/{ExternalIdField}/{value}`."""
    obj = org.store.object(request.path["object"])
    field = obj.field(request.path["field"])
    if field is None or not (field.external_id or field.name == "Id"):
        raise not_found()
    value = request.path["value"]
    if request.method == "PATCH":
        record_id, created = org.store.upsert(obj, field.name, value, _record_body(request), ctx)
        body = {"id": record_id, "success": True, "errors": [], "created": created}
        return JSONResponse(body, status_code=201 if created else 200)
    matches = org.store.ids_by_external_id(obj, field.name, value)
    if not matches and "+" in value:
        # get_by_custom_id encodes spaces as '+' (quote_plus); a literal '+' is tried first.
        matches = org.store.ids_by_external_id(obj, field.name, value.replace("+", " "))
    if len(matches) > 1:
        urls = [f"/services/data/v{request.version}/sobjects/{obj.name}/{m}" for m in matches]
        return JSONResponse(urls, status_code=300)
    if not matches:
        raise not_found()
    return record_json(obj, org.store.get(obj, matches[0]), request.version, _selected_fields(obj, request))


def updated(org: Org, request: ApiRequest, ctx: WriteContext) -> dict[str, Any]:
    """getUpdated: ids whose SystemModstamp falls in [start, end), at most 30 days back."""
    obj = org.store.object(request.path["object"])
    start, end = _replication_window(org, request, _UPDATED_WINDOW)
    rows = org.store.query(
        f'SELECT Id, SystemModstamp FROM "{obj.table}" WHERE SystemModstamp >= ? AND SystemModstamp < ? '
        "AND IsDeleted = 0 ORDER BY SystemModstamp, _seq",
        (start, end),
    ).fetchall()
    _check_id_limit(rows)
    return {"ids": [row[0] for row in rows], "latestDateCovered": _rest_datetime(end)}


def deleted(org: Org, request: ApiRequest, ctx: WriteContext) -> dict[str, Any]:
    """getDeleted: soft-deleted records in [start, end), at most 15 days back."""
    obj = org.store.object(request.path["object"])
    start, end = _replication_window(org, request, _DELETED_WINDOW)
    rows = org.store.query(
        f'SELECT Id, SystemModstamp FROM "{obj.table}" WHERE IsDeleted = 1 AND SystemModstamp >= ? '
        "AND SystemModstamp < ? ORDER BY SystemModstamp, _seq",
        (start, end),
    ).fetchall()
    _check_id_limit(rows)
    earliest = format_datetime(org.store.clock() - _DELETED_WINDOW)
    return {
        "deletedRecords": [{"id": row[0], "deletedDate": _rest_datetime(row[1])} for row in rows],
        "earliestDateAvailable": _rest_datetime(earliest),
        "latestDateCovered": _rest_datetime(end),
    }


def _record_body(request: ApiRequest) -> dict[str, Any]:
    body = request.json()
    if not isinstance(body, dict):
        raise SalesforceApiError(400, "JSON_PARSER_ERROR", "Expected a JSON object describing one record")
    return body


def _selected_fields(obj, request: ApiRequest):
    names = [n.strip() for n in request.params.get("fields", "").split(",") if n.strip()]
    if not names:
        return None
    selected = []
    for name in names:
        field = obj.field(name)
        if field is None:
            raise SalesforceApiError(
                400, "INVALID_FIELD", f"No such column '{name}' on sobject of type {obj.name}"
            )
        selected.append(field)
    return selected


def _replication_window(org: Org, request: ApiRequest, reach: timedelta) -> tuple[str, str]:
    try:
        start = parse_datetime(request.params["start"])
        end = parse_datetime(request.params["end"])
    except (KeyError, ValueError) as error:
        raise SalesforceApiError(
            400, "INVALID_REPLICATION_DATE", "start and end must be ISO-8601 datetimes with a time zone"
        ) from error
    if start >= end:
        raise SalesforceApiError(
            400, "INVALID_REPLICATION_DATE", "startDate must chronologically precede endDate"
        )
    if start < org.store.clock() - reach:
        raise SalesforceApiError(
            400, "INVALID_REPLICATION_DATE", f"startDate cannot be more than {reach.days} days ago"
        )
    return format_datetime(start), format_datetime(min(end, org.store.clock()))


def _check_id_limit(rows: list[Any]) -> None:
    if len(rows) > _REPLICATION_ID_LIMIT:
        raise SalesforceApiError(400, "EXCEEDED_ID_LIMIT", "Too many ids; narrow the replication window")


def _rest_datetime(stored: str) -> str:
    return stored[:-1] + "+0000"


def routes() -> list[Route]:
    base = "/services/data/v{version}"
    return [
        Route("/services/data", versions),
        Route(base, api_endpoint(resources)),
        Route(base + "/limits", api_endpoint(limits)),
        Route(base + "/sobjects", api_endpoint(describe_global)),
        Route(base + "/sobjects/{object}", api_endpoint(object_metadata), methods=["GET"]),
        Route(base + "/sobjects/{object}", api_endpoint(create_record), methods=["POST"]),
        Route(base + "/sobjects/{object}/describe", api_endpoint(describe_object)),
        Route(base + "/sobjects/{object}/updated", api_endpoint(updated)),
        Route(base + "/sobjects/{object}/deleted", api_endpoint(deleted)),
        Route(
            base + "/sobjects/{object}/{record_id}",
            api_endpoint(record_by_id),
            methods=["GET", "PATCH", "DELETE"],
        ),
        Route(
            base + "/sobjects/{object}/{field}/{value:path}",
            api_endpoint(record_by_external_id),
            methods=["GET", "PATCH"],
        ),
    ]
