"""Bulk API 2.0 resources under `/services/data/vXX.X/jobs/`, as simple-salesforce's `bulk2` drives them."""

from __future__ import annotations

from typing import Any

from starlette.responses import Response
from starlette.routing import Route

from ..bulk_jobs import INGEST, QUERY, BulkJobs
from ..errors import SalesforceApiError
from ..org import Org
from ..request_layer import ApiRequest, api_endpoint
from ..store import WriteContext

DEFAULT_MAX_RECORDS = 50_000


def _jobs(request: ApiRequest) -> BulkJobs:
    return request.request.app.state.bulk_jobs


def _spec(request: ApiRequest) -> dict[str, Any]:
    spec = request.json()
    if not isinstance(spec, dict):
        raise SalesforceApiError(400, "JSON_PARSER_ERROR", "Expected a JSON object describing the job")
    return spec


def ingest_jobs(org: Org, request: ApiRequest, ctx: WriteContext) -> Any:
    if request.method == "POST":
        return _jobs(request).create_ingest(_spec(request), ctx)
    return {"done": True, "records": _jobs(request).list(INGEST), "nextRecordsUrl": None}


def query_jobs(org: Org, request: ApiRequest, ctx: WriteContext) -> Any:
    if request.method == "POST":
        return _jobs(request).create_query(_spec(request), ctx)
    return {"done": True, "records": _jobs(request).list(QUERY), "nextRecordsUrl": None}


def _job(kind: str):
    def handler(org: Org, request: ApiRequest, ctx: WriteContext) -> Any:
        jobs = _jobs(request)
        job_id = request.path["job_id"]
        method = request.method
        if method == "PATCH":
            return jobs.change_state(job_id, kind, str(_spec(request).get("state", "")))
        if method == "DELETE":
            jobs.delete(job_id, kind)
            return Response(status_code=204)
        return jobs.get(job_id, kind)

    return handler


def upload(org: Org, request: ApiRequest, ctx: WriteContext) -> Response:
    _jobs(request).upload(request.path["job_id"], request.body)
    return Response(status_code=201)


def ingest_results(org: Org, request: ApiRequest, ctx: WriteContext) -> Response:
    kind = request.path["result"].lower()
    names = {
        "successfulresults": "successfulResults",
        "failedresults": "failedResults",
        "unprocessedrecords": "unprocessedrecords",
    }
    if kind not in names:
        raise SalesforceApiError(404, "NOT_FOUND", "The requested resource does not exist")
    body = _jobs(request).ingest_results(request.path["job_id"], names[kind])
    return Response(body, media_type="text/csv")


def query_results(org: Org, request: ApiRequest, ctx: WriteContext) -> Response:
    try:
        max_records = int(request.params.get("maxRecords", DEFAULT_MAX_RECORDS))
    except ValueError as error:
        raise SalesforceApiError(400, "INVALIDPARAMETER", "maxRecords must be a positive integer") from error
    body, locator, count = _jobs(request).query_page(
        request.path["job_id"], request.params.get("locator"), max_records
    )
    return Response(
        body, media_type="text/csv", headers={"Sforce-Locator": locator, "Sforce-NumberOfRecords": str(count)}
    )


def routes() -> list[Route]:
    base = "/services/data/v{version}/jobs"
    return [
        Route(base + "/ingest", api_endpoint(ingest_jobs, "bulkapi"), methods=["GET", "POST"]),
        Route(
            base + "/ingest/{job_id}",
            api_endpoint(_job(INGEST), "bulkapi"),
            methods=["GET", "PATCH", "DELETE"],
        ),
        Route(base + "/ingest/{job_id}/batches", api_endpoint(upload, "bulkapi"), methods=["PUT"]),
        Route(base + "/ingest/{job_id}/{result}", api_endpoint(ingest_results, "bulkapi"), methods=["GET"]),
        Route(base + "/query", api_endpoint(query_jobs, "bulkapi"), methods=["GET", "POST"]),
        Route(
            base + "/query/{job_id}", api_endpoint(_job(QUERY), "bulkapi"), methods=["GET", "PATCH", "DELETE"]
        ),
        Route(base + "/query/{job_id}/results", api_endpoint(query_results, "bulkapi"), methods=["GET"]),
    ]
