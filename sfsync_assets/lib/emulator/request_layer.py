"""What every `/services` request goes through: authentication, the daily API allocation, the limit header,
and errors rendered as Salesforce renders them. Route handlers stay thin: they receive the org, the parsed
request and a write context, and return data or raise `SalesforceApiError`.
"""

from __future__ import annotations

import json
import time
from collections.abc import AsyncIterator, Awaitable, Callable
from dataclasses import dataclass
from typing import Any

from starlette.concurrency import run_in_threadpool
from starlette.requests import Request
from starlette.responses import JSONResponse, Response, StreamingResponse

from .errors import SalesforceApiError
from .faults import Faults
from .limits import DAILY_API_REQUESTS
from .org import Org
from .store import WriteContext


@dataclass
class ApiRequest:
    """The parts of an HTTP request a handler needs, read before leaving the event loop."""

    request: Request
    body: bytes
    version: str
    params: dict[str, str]
    path: dict[str, str]
    method: str = ""

    def __post_init__(self) -> None:
        self.method = self.method or self.request.method

    def json(self) -> Any:
        try:
            return json.loads(self.body or b"null")
        except json.JSONDecodeError as error:
            raise SalesforceApiError(
                400,
                "JSON_PARSER_ERROR",
                f"Unexpected character: {error.msg} at [line:{error.lineno}, column:{error.colno}]",
            ) from error

    def header(self, name: str, default: str = "") -> str:
        return self.request.headers.get(name, default)


def write_context(api_request: ApiRequest, user_id: str, api: str = "rest") -> WriteContext:
    """Origin and duplicate-rule options from `Sforce-Call-Options` and `Sforce-Duplicate-Rule-Header`."""
    client_id = None
    for part in api_request.header("sforce-call-options").split(","):
        key, _, value = part.strip().partition("=")
        if key.strip().lower() == "client" and value.strip():
            client_id = value.strip()
    duplicate_header = api_request.header("sforce-duplicate-rule-header").replace(" ", "").lower()
    return WriteContext(
        user_id=user_id,
        api=api,
        api_version=api_request.version or "59.0",
        client_id=client_id,
        allow_duplicate_save="allowsave=true" in duplicate_header,
    )


Handler = Callable[[Org, ApiRequest, WriteContext], Any]


def api_endpoint(handler: Handler, api: str = "rest") -> Callable[[Request], Awaitable[Response]]:
    """Wrap a handler: authenticate, count one API request, render the result or the error."""

    async def endpoint(request: Request) -> Response:
        body = await request.body()
        return await run_in_threadpool(_handle, handler, api, request, body)

    endpoint.handler = handler  # type: ignore[attr-defined]  # what composite requests call directly
    return endpoint


def _handle(handler: Handler, api: str, request: Request, body: bytes) -> Response:
    org: Org = request.app.state.org
    path = dict(request.path_params)
    version = path.pop("version", "59.0")
    api_request = ApiRequest(request, body, version, dict(request.query_params), path)
    faults: Faults = request.app.state.faults
    request_number = faults.next_request()
    if faults.plan.latency_ms:
        time.sleep(faults.plan.latency_ms / 1000)
    try:
        user_id = org.sessions.user_for(
            request.headers.get("authorization") or request.headers.get("x-sfdc-session")
        )
        if faults.request_fails(request_number):
            raise SalesforceApiError(
                503, "SERVER_UNAVAILABLE", "Service temporarily unavailable, try again later"
            )
        org.limits.consume(DAILY_API_REQUESTS)
        result = handler(org, api_request, write_context(api_request, user_id, api))
        response = result if isinstance(result, Response) else JSONResponse(result)
    except SalesforceApiError as error:
        response = error_response(error)
    response.headers["Sforce-Limit-Info"] = org.limits.header()
    if faults.request_drops(request_number):
        return _cut_halfway(response)
    return response


class ConnectionDropped(ConnectionError):
    """Raised inside a response body on purpose: the server closes the connection mid-response."""


def _cut_halfway(response: Response) -> Response:
    """The same response, announced whole but cut after half its body, as a dropped connection looks."""
    body = bytes(response.body)

    async def half_then_fail() -> AsyncIterator[bytes]:
        yield body[: len(body) // 2]
        raise ConnectionDropped("connection dropped by fault injection")

    headers = dict(response.headers)
    headers["content-length"] = str(len(body))
    return StreamingResponse(half_then_fail(), status_code=response.status_code, headers=headers)


def error_response(error: SalesforceApiError) -> Response:
    if error.status == 300:
        return JSONResponse(error.extra.get("urls", []), status_code=300)
    return JSONResponse(error.body(), status_code=error.status)
