"""The Streaming API endpoint `/cometd/{version}` (Bayeux long polling) and the change feed's admin controls.

Each POST is one API request through the usual request layer (session check, allocation, limit header). A
`/meta/connect` with nothing to deliver is answered later by `_LongPoll`, which waits on the event loop rather
than in a worker thread, so waiting subscribers never starve the threadpool that REST requests run on.
"""

from __future__ import annotations

import asyncio
import threading
import time
from typing import Any

from starlette.concurrency import run_in_threadpool
from starlette.requests import Request
from starlette.responses import JSONResponse, Response
from starlette.routing import Route
from starlette.types import Receive, Scope, Send

from ..change_feed import CometdServer, PendingConnect, age_events, inject_gap, purge_expired
from ..errors import SalesforceApiError
from ..org import Org
from ..request_layer import ApiRequest, api_endpoint
from ..store import WriteContext
from .admin import admin_endpoint

POLL_INTERVAL_SECONDS = 0.05
_SERVER_LOCK = threading.Lock()


def _server(request: Request) -> CometdServer:
    """The app's one CometD server, made on first use (subscriptions live in memory, as on Salesforce)."""
    state = request.app.state
    with _SERVER_LOCK:
        if getattr(state, "cometd", None) is None:
            state.cometd = CometdServer(state.org.store)
        return state.cometd


class _LongPoll(JSONResponse):
    """A `/meta/connect` answered once events arrive or its timeout passes; the headers already set (the limit
    header) go out with it."""

    def __init__(self, replies: list[dict[str, Any]], pending: PendingConnect) -> None:
        super().__init__([])
        self.replies = replies
        self.pending = pending

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        deadline = time.monotonic() + self.pending.timeout_s
        while time.monotonic() < deadline and not await run_in_threadpool(self.pending.ready):
            await asyncio.sleep(POLL_INTERVAL_SECONDS)
        self.body = self.render([*self.replies, *await run_in_threadpool(self.pending.complete)])
        self.headers["content-length"] = str(len(self.body))
        await super().__call__(scope, receive, send)


def cometd(org: Org, request: ApiRequest, ctx: WriteContext) -> Response:
    messages = request.json()
    if isinstance(messages, dict):
        messages = [messages]
    if not isinstance(messages, list) or not all(isinstance(m, dict) for m in messages):
        raise SalesforceApiError(400, "JSON_PARSER_ERROR", "Expected a JSON array of Bayeux messages")
    exchange = _server(request.request).receive(messages)
    if exchange.pending is None:
        return JSONResponse(exchange.replies)
    return _LongPoll(exchange.replies, exchange.pending)


def gap(org: Org, request: Request, payload: Any) -> dict[str, Any]:
    """POST `{"count": N}`: the next N committed changes reach subscribers as header-only `GAP_*` events."""
    count = payload.get("count") if isinstance(payload, dict) else None
    if not isinstance(count, int) or isinstance(count, bool) or count < 1:
        raise SalesforceApiError(400, "INVALID_GAP", 'expected {"count": N} with N >= 1')
    first, last = inject_gap(org.store, count)
    return {"firstReplayId": first, "lastReplayId": last}


def age(org: Org, request: Request, payload: Any) -> dict[str, Any]:
    """POST `{"hours": H}`: every logged event becomes H hours older; those past 72 hours are purged at once."""
    hours = payload.get("hours") if isinstance(payload, dict) else None
    if not isinstance(hours, int | float) or isinstance(hours, bool) or hours <= 0:
        raise SalesforceApiError(400, "INVALID_AGE", 'expected {"hours": H} with H > 0')
    return {"aged": age_events(org.store, hours), "purged": purge_expired(org.store)}


def routes() -> list[Route]:
    return [
        Route("/cometd/{version}", api_endpoint(cometd), methods=["POST"]),
        Route("/__admin__/change-feed/gap", admin_endpoint(gap), methods=["POST"]),
        Route("/__admin__/change-feed/age", admin_endpoint(age), methods=["POST"]),
    ]
