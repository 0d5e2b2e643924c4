"""Emulator administration, outside `/services` so no real client reaches it by accident.

Seeding (which, unlike the API, accepts system fields such as `CreatedDate` and `SystemModstamp`, so generated
history looks real), reset, limits, session expiry, sessions of users other than the integration user (people
editing records), silent field changes (a formula or roll-up whose value moves without `SystemModstamp`) and
picklist edits (an admin changing the org's setup while it runs). Every call needs the org's admin key in
`X-Emulator-Admin-Key`.
"""

from __future__ import annotations

import dataclasses
import json
import secrets
from collections.abc import Callable
from typing import Any

from starlette.concurrency import run_in_threadpool
from starlette.requests import Request
from starlette.responses import JSONResponse, Response
from starlette.routing import Route

from ..errors import SalesforceApiError
from ..faults import FaultPlan, FaultSpecError
from ..limits import DAILY_API_REQUESTS
from ..org import Org
from ..store import WriteContext
from ..tables import quote

ADMIN_KEY_HEADER = "x-emulator-admin-key"
MAX_SEED_RECORDS = 10_000


def admin_endpoint(handler: Callable[[Org, Request, Any], Any]):
    async def endpoint(request: Request) -> Response:
        org: Org = request.app.state.org
        if not secrets.compare_digest(request.headers.get(ADMIN_KEY_HEADER, ""), org.credentials.admin_key):
            return JSONResponse({"error": "admin key missing or wrong"}, status_code=401)
        body = await request.body()
        try:
            payload = json.loads(body) if body else None
            result = await run_in_threadpool(handler, org, request, payload)
        except json.JSONDecodeError as error:
            return JSONResponse({"error": f"body is not JSON: {error}"}, status_code=400)
        except SalesforceApiError as error:
            return JSONResponse(error.body(), status_code=error.status)
        return JSONResponse(result)

    return endpoint


def seed(org: Org, request: Request, records: Any) -> dict[str, Any]:
    """Insert records as given, system fields included; no duplicate or picklist rules, so planted dirt gets in."""
    obj = org.store.object(request.path_params["object"])
    if (
        not isinstance(records, list)
        or len(records) > MAX_SEED_RECORDS
        or not all(isinstance(record, dict) for record in records)
    ):
        raise SalesforceApiError(
            400, "INVALID_SEED", f"expected a JSON list of at most {MAX_SEED_RECORDS} records (objects)"
        )
    ctx = WriteContext(user_id=org.credentials.user_id, api="admin")
    return {"ids": org.store.seed(obj, records, ctx)}


def count(org: Org, request: Request, payload: Any) -> dict[str, Any]:
    obj = org.store.object(request.path_params["object"])
    rows = org.store.query(f"SELECT count(*) FROM {quote(obj.table)} WHERE IsDeleted = 0").fetchall()
    return {"count": rows[0][0]}


def reset(org: Org, request: Request, payload: Any) -> dict[str, Any]:
    """Remove every record except the integration user and the organization; clear the change log and usage."""
    keep = {org.credentials.user_id, org.credentials.organization_id}
    removed = 0
    with org.store.transaction():
        for obj in org.schema.objects.values():
            removed += org.store.connection.execute(
                f"DELETE FROM {quote(obj.table)} WHERE Id NOT IN (?, ?)", tuple(keep)
            ).rowcount
        # Events removed by a reset count as expired, so a subscriber resuming from before it is told, not starved.
        sequence = org.store.connection.execute(
            "SELECT seq FROM sqlite_sequence WHERE name = '_change_events'"
        ).fetchall()
        org.store.connection.execute("DELETE FROM _change_events")
        org.store.connection.execute("DELETE FROM _settings WHERE key = 'change_feed.gaps'")
        org.store.set_setting("change_feed.expired_through", str(sequence[0][0] if sequence else 0))
    org.limits.set_maximum(DAILY_API_REQUESTS, org.limits.usage(DAILY_API_REQUESTS)[1], used=0)
    return {"removed": removed}


def limits(org: Org, request: Request, payload: Any) -> dict[str, Any]:
    """PUT `{"DailyApiRequests": {"max": N, "used": U}}` changes counters; GET reports them."""
    if request.method == "PUT":
        if not isinstance(payload, dict):
            raise SalesforceApiError(
                400, "INVALID_LIMITS", 'expected {"DailyApiRequests": {"max": N, "used": U}}'
            )
        for name, values in payload.items():
            current_used, current_max = org.limits.usage(name)
            org.limits.set_maximum(
                name, int(values.get("max", current_max)), int(values.get("used", current_used))
            )
    return org.limits.report()


def expire_sessions(org: Org, request: Request, payload: Any) -> dict[str, Any]:
    return {"expired": org.sessions.expire_all()}


def user_session(org: Org, request: Request, payload: Any) -> dict[str, Any]:
    """A session of another user of the org (`{"user_id": "005..."}`), so a test can edit records as a person
    rather than as the integration user."""
    user_id = payload.get("user_id") if isinstance(payload, dict) else None
    user = org.store.get(org.schema.object("User"), user_id) if isinstance(user_id, str) else None
    if user is None:
        raise SalesforceApiError(
            400, "INVALID_USER", f'expected {{"user_id": ...}} of a User, got {payload!r}'
        )
    return {"access_token": org.sessions.issue(user["Id"]), "user_id": user["Id"]}


def silent_update(org: Org, request: Request, values: Any) -> dict[str, Any]:
    obj = org.store.object(request.path_params["object"])
    if not isinstance(values, dict):
        raise SalesforceApiError(400, "INVALID_UPDATE", "expected a JSON object of field values")
    org.store.set_without_modstamp(obj, request.path_params["record_id"], values)
    return {"id": request.path_params["record_id"]}


def picklist_values(org: Org, request: Request, values: Any) -> dict[str, Any]:
    """PUT `{"values": [...]}` replaces a picklist's values for the running org (describe and validation)."""
    obj = org.store.object(request.path_params["object"])
    field = obj.field(request.path_params["field"])
    if field is None or field.type not in ("picklist", "multipicklist"):
        raise SalesforceApiError(
            400, "INVALID_FIELD", f"{obj.name}.{request.path_params['field']} is not a picklist field"
        )
    if not isinstance(values, dict) or not isinstance(values.get("values"), list) or not values["values"]:
        raise SalesforceApiError(400, "INVALID_PICKLIST", 'expected {"values": ["value", ...]}')
    obj.fields[field.name.lower()] = dataclasses.replace(
        field, picklist_values=tuple(str(value) for value in values["values"])
    )
    return {
        "object": obj.name,
        "field": field.name,
        "values": list(obj.fields[field.name.lower()].picklist_values),
    }


def faults(org: Org, request: Request, payload: Any) -> dict[str, Any]:
    """PUT a fault plan as JSON (`{"http_503": 0.05, "seed": 7}`; `{}` clears every fault); GET the plan in force."""
    if request.method == "PUT":
        if not isinstance(payload, dict):
            raise SalesforceApiError(400, "INVALID_FAULTS", "expected a JSON object of fault settings")
        try:
            plan = FaultPlan.from_json(payload)
        except FaultSpecError as error:
            raise SalesforceApiError(400, "INVALID_FAULTS", str(error)) from error
        request.app.state.faults.put_in_force(plan, org.limits)
    return request.app.state.faults.plan.as_dict()


def routes() -> list[Route]:
    return [
        Route("/__admin__/seed/{object}", admin_endpoint(seed), methods=["POST"]),
        Route("/__admin__/reset", admin_endpoint(reset), methods=["POST"]),
        Route("/__admin__/count/{object}", admin_endpoint(count), methods=["GET"]),
        Route("/__admin__/faults", admin_endpoint(faults), methods=["GET", "PUT"]),
        Route("/__admin__/limits", admin_endpoint(limits), methods=["GET", "PUT"]),
        Route("/__admin__/sessions/expire", admin_endpoint(expire_sessions), methods=["POST"]),
        Route("/__admin__/sessions", admin_endpoint(user_session), methods=["POST"]),
        Route("/__admin__/records/{object}/{record_id}", admin_endpoint(silent_update), methods=["PATCH"]),
        Route("/__admin__/picklists/{object}/{field}", admin_endpoint(picklist_values), methods=["PUT"]),
    ]
