"""`query` / `queryAll`: SOQL pages of 2,000 records linked by `nextRecordsUrl`.

A query locator remembers the compiled query; each page re-runs it with LIMIT/OFFSET over the compiled ORDER BY
(which always ends with insertion order), so paging is stable without holding a cursor open between requests.
"""

from __future__ import annotations

import itertools
import threading
from dataclasses import dataclass
from typing import Any

from starlette.routing import Route

from ..errors import SalesforceApiError
from ..ids import make_id
from ..org import Org
from ..request_layer import ApiRequest, api_endpoint
from ..soql import CompiledQuery, compile_soql
from ..store import WriteContext

PAGE_SIZE = 2000
_MIN_PAGE_SIZE = 200
_LOCATOR_PREFIX = "01g"


@dataclass
class _OpenQuery:
    compiled: CompiledQuery
    total: int
    page_size: int


class QueryLocators:
    """Open query cursors by locator id (in memory: Salesforce expires them after 15 minutes anyway)."""

    def __init__(self) -> None:
        self._open: dict[str, _OpenQuery] = {}
        self._sequence = itertools.count(1)
        self._lock = threading.Lock()

    def open(self, query: _OpenQuery) -> str:
        with self._lock:
            locator = make_id(_LOCATOR_PREFIX, next(self._sequence))
            self._open[locator] = query
            return locator

    def get(self, locator: str) -> _OpenQuery:
        query = self._open.get(locator)
        if query is None:
            raise SalesforceApiError(400, "INVALID_QUERY_LOCATOR", "invalid query locator")
        return query


def _page(
    org: Org, request: ApiRequest, open_query: _OpenQuery, locator: str | None, offset: int
) -> dict[str, Any]:
    compiled = open_query.compiled
    rows = org.store.query(
        f"SELECT * FROM ({compiled.sql}) LIMIT ? OFFSET ?", [*compiled.params, open_query.page_size, offset]
    ).fetchall()
    records = [compiled.row_to_record(row, request.version) for row in rows]
    next_offset = offset + len(rows)
    result: dict[str, Any] = {
        "totalSize": open_query.total,
        "done": next_offset >= open_query.total,
        "records": records,
    }
    if not result["done"]:
        if locator is None:
            locator = request.request.app.state.locators.open(open_query)
        result["nextRecordsUrl"] = f"/services/data/v{request.version}/query/{locator}-{next_offset}"
    return result


def _run(org: Org, request: ApiRequest, include_deleted: bool) -> dict[str, Any]:
    text = request.params.get("q")
    if not text:
        raise SalesforceApiError(400, "MALFORMED_QUERY", "A query string must be provided as the q parameter")
    compiled = compile_soql(text, org.schema, include_deleted=include_deleted, now=org.store.clock())
    total = org.store.query(compiled.count_sql, compiled.count_params).fetchall()[0][0]
    if compiled.is_count:
        return {"totalSize": total, "done": True, "records": []}
    return _page(org, request, _OpenQuery(compiled, total, _page_size(request)), None, 0)


def _page_size(request: ApiRequest) -> int:
    """`Sforce-Query-Options: batchSize=N` (200–2,000) or the default 2,000."""
    for part in request.header("sforce-query-options").split(","):
        key, _, value = part.strip().partition("=")
        if key.lower() == "batchsize" and value.isdigit():
            return max(_MIN_PAGE_SIZE, min(PAGE_SIZE, int(value)))
    return PAGE_SIZE


def query(org: Org, request: ApiRequest, ctx: WriteContext) -> dict[str, Any]:
    return _run(org, request, include_deleted=False)


def query_all(org: Org, request: ApiRequest, ctx: WriteContext) -> dict[str, Any]:
    return _run(org, request, include_deleted=True)


def query_more(org: Org, request: ApiRequest, ctx: WriteContext) -> dict[str, Any]:
    """The next page: `query/{locator}-{offset}` (also reached through `queryAll/...`)."""
    locator, _, offset = request.path["locator"].rpartition("/")[2].partition("-")
    if not offset.isdigit():
        raise SalesforceApiError(400, "INVALID_QUERY_LOCATOR", "invalid query locator")
    open_query = request.request.app.state.locators.get(locator)
    return _page(org, request, open_query, locator, int(offset))


def routes() -> list[Route]:
    base = "/services/data/v{version}"
    return [
        Route(base + "/query", api_endpoint(query)),
        Route(base + "/queryAll", api_endpoint(query_all)),
        Route(base + "/query/{locator:path}", api_endpoint(query_more)),
        Route(base + "/queryAll/{locator:path}", api_endpoint(query_more)),
    ]
