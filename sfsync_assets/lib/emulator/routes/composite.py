"""sObject Collections (`composite/sobjects`): up to 200 records per call, per-item results, `allOrNone`.

A well-formed request answers 200 even when items fail; each item reports its own `statusCode` errors. With
`allOrNone` any failure rolls back every item, and the valid ones say why they were not saved.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from starlette.routing import Route

from ..errors import SalesforceApiError
from ..org import Org, record_json
from ..request_layer import ApiRequest, api_endpoint
from ..store import WriteContext

MAX_RECORDS = 200
_ROLLED_BACK = {
    "statusCode": "ALL_OR_NONE_OPERATION_ROLLED_BACK",
    "message": "Record rolled back because not all records were valid and the request was using AllOrNone header",
    "fields": [],
}


class _RollBack(Exception):
    """Raised inside the all-or-none transaction so nothing it wrote is kept."""


def _apply(
    org: Org, items: list[Any], all_or_none: bool, operation: Callable[[Any], dict[str, Any]]
) -> list[dict[str, Any]]:
    if len(items) > MAX_RECORDS:
        raise SalesforceApiError(
            400,
            "EXCEEDED_ID_LIMIT",
            f"record limit reached. cannot submit more than {MAX_RECORDS} records into this call",
        )
    results: list[dict[str, Any]] = []
    try:
        with org.store.transaction():
            for item in items:
                try:
                    with org.store.transaction():
                        results.append(operation(item))
                except SalesforceApiError as error:
                    results.append({"success": False, "errors": [error.item_error()]})
            if all_or_none and any(not r["success"] for r in results):
                raise _RollBack
    except _RollBack:
        results = [
            r if not r["success"] else {"id": None, "success": False, "errors": [_ROLLED_BACK]}
            for r in results
        ]
    return results


def _records(request: ApiRequest) -> tuple[list[dict[str, Any]], bool]:
    body = request.json()
    if not isinstance(body, dict) or not isinstance(body.get("records"), list):
        raise SalesforceApiError(400, "JSON_PARSER_ERROR", 'Expected {"allOrNone": bool, "records": [...]}')
    return body["records"], bool(body.get("allOrNone", False))


def _typed_object(org: Org, record: dict[str, Any]):
    type_name = (record.get("attributes") or {}).get("type")
    if not type_name:
        raise SalesforceApiError(400, "INVALID_TYPE", "Must send a concrete entity type.")
    obj = org.schema.object(type_name)
    if obj is None:
        raise SalesforceApiError(400, "INVALID_TYPE", f"sObject type '{type_name}' is not supported.")
    return obj


def _fields_of(record: dict[str, Any]) -> dict[str, Any]:
    return {k: v for k, v in record.items() if k.lower() not in ("attributes", "id")}


def collection(org: Org, request: ApiRequest, ctx: WriteContext) -> list[dict[str, Any]]:
    """POST creates, PATCH updates (by `id`), DELETE deletes `?ids=`."""
    method = request.method
    if method == "DELETE":
        ids = [i for i in request.params.get("ids", "").split(",") if i]
        all_or_none = request.params.get("allOrNone", "false").lower() == "true"

        def delete(record_id: str) -> dict[str, Any]:
            obj = org.schema.object_by_prefix(record_id[:3])
            if obj is None:
                raise SalesforceApiError(400, "MALFORMED_ID", f"malformed id {record_id}")
            org.store.delete(obj, record_id, ctx)
            return {"id": record_id, "success": True, "errors": []}

        return _apply(org, ids, all_or_none, delete)
    records, all_or_none = _records(request)
    if method == "POST":

        def create(record: dict[str, Any]) -> dict[str, Any]:
            if record.get("id") or record.get("Id"):
                raise SalesforceApiError(400, "INVALID_FIELD", "cannot specify Id in an insert call")
            record_id = org.store.create(_typed_object(org, record), _fields_of(record), ctx)
            return {"id": record_id, "success": True, "errors": []}

        return _apply(org, records, all_or_none, create)

    def update(record: dict[str, Any]) -> dict[str, Any]:
        record_id = record.get("id") or record.get("Id")
        if not record_id:
            raise SalesforceApiError(400, "MISSING_ARGUMENT", "Id not specified in an update call")
        org.store.update(_typed_object(org, record), record_id, _fields_of(record), ctx)
        return {"id": record_id, "success": True, "errors": []}

    return _apply(org, records, all_or_none, update)


def retrieve(org: Org, request: ApiRequest, ctx: WriteContext) -> list[dict[str, Any] | None]:
    """GET `composite/sobjects/Obj?ids=...&fields=...`: records in request order, null where not found."""
    obj = org.store.object(request.path["object"])
    ids = [i for i in request.params.get("ids", "").split(",") if i]
    names = [n.strip() for n in request.params.get("fields", "").split(",") if n.strip()]
    if not ids or not names:
        raise SalesforceApiError(400, "MISSING_ARGUMENT", "ids and fields are required")
    if len(ids) > 2000:
        raise SalesforceApiError(400, "EXCEEDED_ID_LIMIT", "cannot retrieve more than 2000 records")
    fields = []
    for name in names:
        field = obj.field(name)
        if field is None:
            raise SalesforceApiError(
                400, "INVALID_FIELD", f"No such column '{name}' on sobject of type {obj.name}"
            )
        fields.append(field)
    results: list[dict[str, Any] | None] = []
    for record_id in ids:
        record = org.store.get(obj, record_id)
        results.append(record_json(obj, record, request.version, fields) if record else None)
    return results


def upsert(org: Org, request: ApiRequest, ctx: WriteContext) -> list[dict[str, Any]]:
    """PATCH `composite/sobjects/Obj/ExtField`: upsert each record on its external id value."""
    obj = org.store.object(request.path["object"])
    field = obj.field(request.path["field"])
    if field is None or not field.external_id:
        raise SalesforceApiError(
            400, "INVALID_FIELD", f"{request.path['field']} is not an external id field of {obj.name}"
        )
    records, all_or_none = _records(request)

    def upsert_one(record: dict[str, Any]) -> dict[str, Any]:
        value = next((v for k, v in record.items() if k.lower() == field.name.lower()), None)
        if value in (None, ""):
            raise SalesforceApiError(400, "MISSING_ARGUMENT", f"{field.name} not specified", [field.name])
        record_id, created = org.store.upsert(obj, field.name, str(value), _fields_of(record), ctx)
        return {"id": record_id, "success": True, "errors": [], "created": created}

    return _apply(org, records, all_or_none, upsert_one)


def routes() -> list[Route]:
    base = "/services/data/v{version}/composite/sobjects"
    return [
        Route(base, api_endpoint(collection), methods=["POST", "PATCH", "DELETE"]),
        Route(base + "/{object}", api_endpoint(retrieve), methods=["GET"]),
        Route(base + "/{object}/{field}", api_endpoint(upsert), methods=["PATCH"]),
    ]
