"""The Composite resource (`/composite`): up to 25 subrequests in one call that counts once against limits.

Subrequests run in order through the same handlers as standalone requests; a later subrequest may refer to an
earlier result with `@{referenceId.field}`. With `allOrNone`, a failed subrequest rolls back everything.
At most 5 subrequests may be queries or sObject Collections, as in Salesforce.
"""

from __future__ import annotations

import json
import re
from typing import Any
from urllib.parse import parse_qsl, urlsplit

from starlette.routing import Match, Route

from ..errors import SalesforceApiError
from ..org import Org
from ..request_layer import ApiRequest, api_endpoint
from ..store import WriteContext

MAX_SUBREQUESTS = 25
MAX_QUERY_OR_COLLECTION_SUBREQUESTS = 5
_REFERENCE = re.compile(r"@\{([A-Za-z0-9_]+)\.([A-Za-z0-9_.\[\]]+)\}")


class _RollBack(Exception):
    """Raised inside the all-or-none transaction so nothing it wrote is kept."""


def _resolve(value: Any, results: dict[str, Any]) -> Any:
    """Replace `@{ref.field}` references with values from earlier subrequests' bodies."""
    if isinstance(value, str):

        def lookup(match: re.Match[str]) -> str:
            current: Any = results.get(match.group(1))
            for part in re.findall(r"[A-Za-z0-9_]+|\[\d+\]", match.group(2)):
                current = current[int(part[1:-1])] if part.startswith("[") else (current or {}).get(part)
            return "" if current is None else str(current)

        return _REFERENCE.sub(lookup, value)
    if isinstance(value, dict):
        return {k: _resolve(v, results) for k, v in value.items()}
    if isinstance(value, list):
        return [_resolve(v, results) for v in value]
    return value


def _dispatch(outer: ApiRequest, ctx: WriteContext, org: Org, subrequest: dict[str, Any]) -> tuple[int, Any]:
    method = str(subrequest.get("method", "GET")).upper()
    parts = urlsplit(str(subrequest.get("url", "")))
    path = parts.path.rstrip("/")
    scope = {"type": "http", "path": path, "method": method, "root_path": ""}
    for route in outer.request.app.router.routes:
        match, child = route.matches(scope)
        if match != Match.FULL or not hasattr(route.endpoint, "handler"):
            continue
        params = dict(child.get("path_params", {}))
        version = params.pop("version", outer.version)
        body = json.dumps(subrequest["body"]).encode() if "body" in subrequest else b""
        inner = ApiRequest(outer.request, body, version, dict(parse_qsl(parts.query)), params, method)
        result = route.endpoint.handler(org, inner, ctx)
        status = getattr(result, "status_code", 200)
        content = getattr(result, "body", None)
        if content is not None:
            return status, json.loads(content) if content else None
        return status, result
    raise SalesforceApiError(404, "NOT_FOUND", f"The requested resource does not exist: {path}")


def _is_query_or_collection(subrequest: dict[str, Any]) -> bool:
    url = str(subrequest.get("url", ""))
    return "/query" in url or "/composite/sobjects" in url


def composite(org: Org, request: ApiRequest, ctx: WriteContext) -> dict[str, Any]:
    payload = request.json()
    subrequests = payload.get("compositeRequest") if isinstance(payload, dict) else None
    if not isinstance(subrequests, list) or not subrequests:
        raise SalesforceApiError(400, "JSON_PARSER_ERROR", 'Expected {"compositeRequest": [...]}')
    if len(subrequests) > MAX_SUBREQUESTS:
        raise SalesforceApiError(
            400, "LIMIT_EXCEEDED", f"Composite requests take at most {MAX_SUBREQUESTS} subrequests"
        )
    if sum(_is_query_or_collection(s) for s in subrequests) > MAX_QUERY_OR_COLLECTION_SUBREQUESTS:
        raise SalesforceApiError(
            400,
            "LIMIT_EXCEEDED",
            f"Composite requests take at most "
            f"{MAX_QUERY_OR_COLLECTION_SUBREQUESTS} query or collection subrequests",
        )
    all_or_none = bool(payload.get("allOrNone", False))
    responses: list[dict[str, Any]] = []
    bodies: dict[str, Any] = {}
    try:
        with org.store.transaction():
            for subrequest in subrequests:
                reference = str(subrequest.get("referenceId", ""))
                try:
                    with org.store.transaction():
                        status, body = _dispatch(request, ctx, org, _resolve(subrequest, bodies))
                except SalesforceApiError as error:
                    status, body = error.status, error.body()
                bodies[reference] = body
                responses.append(
                    {"body": body, "httpHeaders": {}, "httpStatusCode": status, "referenceId": reference}
                )
                if status >= 400 and all_or_none:
                    raise _RollBack
    except _RollBack:
        failed = len(responses)
        rolled_back = [
            {
                "errorCode": "PROCESSING_HALTED",
                "message": "The transaction was rolled back since another operation in the same "
                "transaction failed.",
            }
        ]
        responses = [
            r if index == failed - 1 else {**r, "body": rolled_back, "httpStatusCode": 400}
            for index, r in enumerate(responses)
        ] + [
            {
                "body": rolled_back,
                "httpHeaders": {},
                "httpStatusCode": 400,
                "referenceId": str(s.get("referenceId", "")),
            }
            for s in subrequests[failed:]
        ]
    return {"compositeResponse": responses}


def routes() -> list[Route]:
    return [Route("/services/data/v{version}/composite", api_endpoint(composite), methods=["POST"])]
