"""Bulk API 2.0 jobs: ingest (insert, update, upsert, delete, hardDelete) and query, processed in the background.

Jobs are rows in SQLite and files under `<state>/bulk/<job id>/`, so a restart keeps them and resumes any job
that was uploaded but not finished. One worker thread processes jobs in order, in internal batches of 10,000
rows (each counted against `DailyBulkApiBatches`), applying exactly the validation and duplicate rules of the
REST API through the same store. Query results are written once, as CSV, with an index of row offsets, so
pages of any `maxRecords` are served straight from the file.
"""

from __future__ import annotations

import base64
import csv
import io
import json
import queue
import shutil
import threading
import time
from array import array
from collections import defaultdict
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

from .errors import SalesforceApiError, not_found
from .faults import Faults
from .ids import make_id
from .limits import DAILY_BULK_API_BATCHES, DAILY_BULK_V2_QUERY_JOBS
from .org import Org
from .schema import ObjectDef
from .soql import compile_soql
from .store import WriteContext
from .values import format_datetime

INGEST = "ingest"
QUERY = "query"
INTERNAL_BATCH_ROWS = 10_000
INGEST_OPERATIONS = {"insert", "update", "upsert", "delete", "hardDelete"}
QUERY_OPERATIONS = {"query", "queryAll"}
DELIMITERS = {"COMMA": ",", "TAB": "\t", "PIPE": "|", "SEMICOLON": ";", "CARET": "^", "BACKQUOTE": "`"}
LINE_ENDINGS = {"LF": "\n", "CRLF": "\r\n"}
TERMINAL_STATES = {"JobComplete", "Failed", "Aborted"}
NULL_MARKER = "#N/A"
_JOB_KEY_PREFIX = "750"

_DDL = """
CREATE TABLE IF NOT EXISTS _bulk_jobs (
    id TEXT PRIMARY KEY,
    kind TEXT NOT NULL,
    info TEXT NOT NULL
)
"""


class _LineCatcher:
    """A file-like target for csv.writer that keeps the last line written, to measure each row's bytes."""

    line = ""

    def write(self, text: str) -> None:
        self.line = text


class BulkJobs:
    def __init__(self, org: Org, faults: Faults) -> None:
        self.org = org
        self.faults = faults
        self.root = org.state_dir / "bulk"
        self.root.mkdir(exist_ok=True)
        org.store.connection.execute(_DDL)
        self._queue: queue.Queue[str] = queue.Queue()
        self._worker = threading.Thread(target=self._work, name="bulk-jobs", daemon=True)
        self._worker.start()
        for job in self._jobs_in_states({"UploadComplete", "InProgress"}):
            self._queue.put(job["id"])

    # --- job records --------------------------------------------------------------------------------------

    def _jobs_in_states(self, states: set[str]) -> list[dict[str, Any]]:
        rows = self.org.store.query("SELECT info FROM _bulk_jobs").fetchall()
        return [job for job in (json.loads(row[0]) for row in rows) if job["state"] in states]

    def _save(self, job: dict[str, Any]) -> None:
        with self.org.store.lock:
            self.org.store.connection.execute(
                "INSERT INTO _bulk_jobs (id, kind, info) VALUES (?, ?, ?) "
                "ON CONFLICT(id) DO UPDATE SET info = excluded.info",
                (job["id"], job["jobType"], json.dumps(job)),
            )

    def get(self, job_id: str, kind: str) -> dict[str, Any]:
        rows = self.org.store.query("SELECT info FROM _bulk_jobs WHERE id = ?", (job_id,)).fetchall()
        if not rows:
            raise not_found()
        job = json.loads(rows[0][0])
        if job["jobType"] != _job_type(kind):
            raise not_found()
        return job

    def list(self, kind: str) -> list[dict[str, Any]]:
        rows = self.org.store.query("SELECT info FROM _bulk_jobs ORDER BY rowid").fetchall()
        return [job for job in (json.loads(row[0]) for row in rows) if job["jobType"] == _job_type(kind)]

    def _directory(self, job_id: str) -> Path:
        return self.root / job_id

    def _new_job(self, kind: str, spec: dict[str, Any], ctx: WriteContext) -> dict[str, Any]:
        delimiter = spec.get("columnDelimiter", "COMMA")
        line_ending = spec.get("lineEnding", "LF")
        if delimiter not in DELIMITERS:
            raise SalesforceApiError(400, "INVALIDJOB", f"Invalid column delimiter: {delimiter}")
        if line_ending not in LINE_ENDINGS:
            raise SalesforceApiError(400, "INVALIDJOB", f"Invalid line ending: {line_ending}")
        now = format_datetime(self.org.store.clock()).replace("Z", "+0000")
        sequence = int(self.org.store.setting("bulk_job_sequence", "0") or 0) + 1
        self.org.store.set_setting("bulk_job_sequence", str(sequence))
        job_id = make_id(_JOB_KEY_PREFIX, sequence)
        return {
            "id": job_id,
            "operation": spec.get("operation"),
            "object": None,
            "createdById": ctx.user_id,
            "createdDate": now,
            "systemModstamp": now,
            "state": "Open",
            "concurrencyMode": "Parallel",
            "contentType": "CSV",
            "apiVersion": float(ctx.api_version),
            "jobType": _job_type(kind),
            "lineEnding": line_ending,
            "columnDelimiter": delimiter,
            "numberRecordsProcessed": 0,
            "numberRecordsFailed": 0,
            "retries": 0,
            "totalProcessingTime": 0,
            "apiActiveProcessingTime": 0,
            "apexProcessingTime": 0,
            "clientId": ctx.client_id,
        }

    # --- ingest -------------------------------------------------------------------------------------------

    def create_ingest(self, spec: dict[str, Any], ctx: WriteContext) -> dict[str, Any]:
        operation = spec.get("operation")
        if operation not in INGEST_OPERATIONS:
            raise SalesforceApiError(400, "INVALIDJOB", f"Invalid operation: {operation}")
        obj = self.org.schema.object(str(spec.get("object", "")))
        if obj is None:
            raise SalesforceApiError(400, "INVALIDJOB", f"Unable to find object: {spec.get('object')}")
        external_id = spec.get("externalIdFieldName")
        if operation == "upsert":
            field = obj.field(external_id or "")
            if field is None or not (field.external_id or field.name == "Id"):
                raise SalesforceApiError(
                    400, "INVALIDJOB", f"The field {external_id} is not an external id field on {obj.name}"
                )
            external_id = field.name
        job = self._new_job(INGEST, spec, ctx)
        job.update(
            {
                "object": obj.name,
                "externalIdFieldName": external_id,
                "contentUrl": f"services/data/v{ctx.api_version}/jobs/ingest/{job['id']}/batches",
            }
        )
        self._directory(job["id"]).mkdir(parents=True, exist_ok=True)
        self._save(job)
        return job

    def upload(self, job_id: str, data: bytes) -> None:
        job = self.get(job_id, INGEST)
        if job["state"] != "Open":
            raise SalesforceApiError(409, "INVALIDJOBSTATE", f"Job {job_id} is not open for data uploads")
        upload = self._directory(job_id) / "upload.csv"
        if upload.exists():
            raise SalesforceApiError(409, "INVALIDJOBSTATE", "Only one data upload is allowed per job")
        upload.write_bytes(data)

    def change_state(self, job_id: str, kind: str, state: str) -> dict[str, Any]:
        job = self.get(job_id, kind)
        if state == "Aborted":
            if job["state"] in TERMINAL_STATES:
                raise SalesforceApiError(409, "INVALIDJOBSTATE", f"Job {job_id} is already {job['state']}")
            job["state"] = "Aborted"
        elif state == "UploadComplete" and kind == INGEST:
            if job["state"] != "Open":
                raise SalesforceApiError(409, "INVALIDJOBSTATE", f"Job {job_id} is {job['state']}, not Open")
            if not (self._directory(job_id) / "upload.csv").exists():
                job["state"] = "Failed"
                job["errorMessage"] = "No data was uploaded for this job"
            else:
                job["state"] = "UploadComplete"
                self._queue.put(job_id)
        else:
            raise SalesforceApiError(400, "INVALIDJOBSTATE", f"Cannot change a {kind} job to state {state}")
        job["systemModstamp"] = format_datetime(self.org.store.clock()).replace("Z", "+0000")
        self._save(job)
        return job

    def delete(self, job_id: str, kind: str) -> None:
        job = self.get(job_id, kind)
        if job["state"] not in TERMINAL_STATES:
            raise SalesforceApiError(
                400, "INVALIDJOBSTATE", "Only a completed, failed or aborted job can be deleted"
            )
        with self.org.store.lock:
            self.org.store.connection.execute("DELETE FROM _bulk_jobs WHERE id = ?", (job_id,))
        shutil.rmtree(self._directory(job_id), ignore_errors=True)

    def ingest_results(self, job_id: str, result: str) -> bytes:
        """`successfulResults`, `failedResults` or `unprocessedrecords` as CSV."""
        self.get(job_id, INGEST)
        path = self._directory(job_id) / f"{result}.csv"
        return path.read_bytes() if path.exists() else b""

    # --- query --------------------------------------------------------------------------------------------

    def create_query(self, spec: dict[str, Any], ctx: WriteContext) -> dict[str, Any]:
        operation = spec.get("operation")
        if operation not in QUERY_OPERATIONS:
            raise SalesforceApiError(400, "INVALIDJOB", f"Invalid operation: {operation}")
        text = spec.get("query")
        if not text:
            raise SalesforceApiError(400, "INVALIDJOB", "A query job needs a query")
        compiled = compile_soql(
            text,
            self.org.schema,
            include_deleted=operation == "queryAll",
            now=self.org.store.clock(),
            bulk=True,
        )
        self.org.limits.consume(DAILY_BULK_V2_QUERY_JOBS)
        job = self._new_job(QUERY, spec, ctx)
        job.update({"object": compiled.object.name, "query": text, "state": "UploadComplete"})
        self._directory(job["id"]).mkdir(parents=True, exist_ok=True)
        self._save(job)
        self._queue.put(job["id"])
        return job

    def query_page(self, job_id: str, locator: str | None, max_records: int) -> tuple[bytes, str, int]:
        """(CSV page with its header row, next locator or "null", number of records in the page)."""
        job = self.get(job_id, QUERY)
        if job["state"] != "JobComplete":
            raise SalesforceApiError(
                400,
                "INVALIDJOBSTATE",
                f"Job {job_id} is {job['state']}; results are available once it is JobComplete",
            )
        directory = self._directory(job_id)
        offsets = array("Q")
        offsets.frombytes((directory / "offsets.bin").read_bytes())
        start = _decode_locator(locator) if locator else 0
        total = len(offsets) - 1
        if start > total:
            raise SalesforceApiError(400, "INVALIDLOCATOR", f"Invalid locator: {locator}")
        end = min(start + max(max_records, 1), total)
        with open(directory / "result.csv", "rb") as handle:
            header = handle.read(offsets[0])
            handle.seek(offsets[start])
            body = handle.read(offsets[end] - offsets[start])
        next_locator = _encode_locator(end) if end < total else "null"
        return header + body, next_locator, end - start

    # --- processing ---------------------------------------------------------------------------------------

    def _work(self) -> None:
        while True:
            job_id = self._queue.get()
            try:
                job = json.loads(
                    self.org.store.query("SELECT info FROM _bulk_jobs WHERE id = ?", (job_id,)).fetchall()[0][
                        0
                    ]
                )
                if job["state"] in TERMINAL_STATES:
                    continue
                started = time.monotonic()
                job["state"] = "InProgress"
                self._save(job)
                if job["jobType"] == "V2Query":
                    self._run_query(job)
                else:
                    self._run_ingest(job)
                job["totalProcessingTime"] = int((time.monotonic() - started) * 1000)
                job["apiActiveProcessingTime"] = job["totalProcessingTime"]
                job["systemModstamp"] = format_datetime(self.org.store.clock()).replace("Z", "+0000")
                self._save(job)
            except Exception as error:
                self._fail(job_id, f"InternalServerError: {error}")

    def _fail(self, job_id: str, message: str) -> None:
        rows = self.org.store.query("SELECT info FROM _bulk_jobs WHERE id = ?", (job_id,)).fetchall()
        if rows:
            job = json.loads(rows[0][0])
            job.update({"state": "Failed", "errorMessage": message})
            self._save(job)

    def _aborted(self, job_id: str) -> bool:
        rows = self.org.store.query("SELECT info FROM _bulk_jobs WHERE id = ?", (job_id,)).fetchall()
        return bool(rows) and json.loads(rows[0][0])["state"] == "Aborted"

    def _run_query(self, job: dict[str, Any]) -> None:
        compiled = compile_soql(
            job["query"],
            self.org.schema,
            include_deleted=job["operation"] == "queryAll",
            now=self.org.store.clock(),
            bulk=True,
        )
        directory = self._directory(job["id"])
        delimiter = DELIMITERS[job["columnDelimiter"]]
        line_ending = LINE_ENDINGS[job["lineEnding"]]
        catcher = _LineCatcher()
        writer = csv.writer(catcher, delimiter=delimiter, lineterminator=line_ending, quoting=csv.QUOTE_ALL)
        offsets = array("Q")
        position = 0
        with open(directory / "result.csv.partial", "wb") as out:
            writer.writerow(compiled.csv_header())
            header = catcher.line.encode()
            out.write(header)
            position = len(header)
            offsets.append(position)
            cursor = self.org.store.query(compiled.sql, compiled.params)
            chunk: list[bytes] = []
            while rows := cursor.fetchmany(5000):
                for row in rows:
                    writer.writerow(compiled.row_to_csv(row))
                    encoded = catcher.line.encode()
                    chunk.append(encoded)
                    position += len(encoded)
                    offsets.append(position)
                out.write(b"".join(chunk))
                chunk.clear()
                if self._aborted(job["id"]):
                    return
        (directory / "result.csv.partial").rename(directory / "result.csv")
        (directory / "offsets.bin").write_bytes(offsets.tobytes())
        job.update({"state": "JobComplete", "numberRecordsProcessed": len(offsets) - 1})

    def _run_ingest(self, job: dict[str, Any]) -> None:
        obj = self.org.schema.object(job["object"])
        directory = self._directory(job["id"])
        text = (directory / "upload.csv").read_bytes().decode("utf-8-sig")
        reader = csv.reader(io.StringIO(text, newline=""), delimiter=DELIMITERS[job["columnDelimiter"]])
        try:
            header = next(reader)
        except StopIteration:
            job.update({"state": "Failed", "errorMessage": "InvalidBatch : The uploaded CSV is empty"})
            return
        rows = list(reader)
        problem = _header_problem(obj, job, header)
        if problem:
            job.update({"state": "Failed", "errorMessage": f"InvalidBatch : {problem}"})
            _write_csv(directory / "unprocessedrecords.csv", header, rows)
            return
        spread_parents = _rows_with_spread_parents(obj, header, rows)
        ctx = WriteContext(
            user_id=job["createdById"],
            api="bulkapi",
            api_version=str(job["apiVersion"]),
            client_id=job.get("clientId"),
        )
        apply_row = _row_operation(self.org, obj, job, header)
        fail_after = self.faults.plan.fail_job_after
        successes, failures = [], []
        processed = 0
        for batch_start in range(0, len(rows), INTERNAL_BATCH_ROWS):
            if self._aborted(job["id"]):
                job["state"] = "Aborted"
                break
            try:
                self.org.limits.consume(DAILY_BULK_API_BATCHES)
            except SalesforceApiError as error:
                job.update({"state": "Failed", "errorMessage": f"{error.error_code} : {error.message}"})
                break
            batch = rows[batch_start : batch_start + INTERNAL_BATCH_ROWS]
            with self.org.store.transaction():
                for offset, row in enumerate(batch):
                    row_number = batch_start + offset
                    if fail_after is not None and processed >= fail_after:
                        break
                    processed += 1
                    try:
                        if self.faults.row_locked(job["id"], row_number, row_number in spread_parents):
                            raise SalesforceApiError(
                                400,
                                "UNABLE_TO_LOCK_ROW",
                                "unable to obtain exclusive access to this record or 1 records",
                            )
                        with self.org.store.transaction():
                            record_id, created = apply_row(row, ctx)
                        successes.append([record_id, "true" if created else "false", *row])
                    except SalesforceApiError as error:
                        failures.append([_failed_id(obj, job, header, row), _sf_error(error), *row])
            if fail_after is not None and processed >= fail_after and processed < len(rows):
                job.update(
                    {
                        "state": "Failed",
                        "errorMessage": f"InternalServerError : job failed after {processed} records",
                    }
                )
                break
        else:
            job["state"] = "JobComplete"
        _write_csv(directory / "successfulResults.csv", ["sf__Id", "sf__Created", *header], successes)
        _write_csv(directory / "failedResults.csv", ["sf__Id", "sf__Error", *header], failures)
        _write_csv(directory / "unprocessedrecords.csv", header, rows[processed:])
        job.update({"numberRecordsProcessed": processed, "numberRecordsFailed": len(failures)})


def _job_type(kind: str) -> str:
    return "V2Query" if kind == QUERY else "V2Ingest"


def _encode_locator(row: int) -> str:
    return base64.b64encode(str(row).encode()).decode().rstrip("=")


def _decode_locator(locator: str) -> int:
    try:
        return int(base64.b64decode(locator + "=" * (-len(locator) % 4)).decode())
    except (ValueError, UnicodeDecodeError) as error:
        raise SalesforceApiError(400, "INVALIDLOCATOR", f"Invalid locator: {locator}") from error


def _header_problem(obj: ObjectDef, job: dict[str, Any], header: list[str]) -> str | None:
    operation = job["operation"]
    lowered = [name.lower() for name in header]
    if operation in {"delete", "hardDelete"} and lowered != ["id"]:
        return "a delete job takes exactly one column, Id"
    if operation == "update" and "id" not in lowered:
        return "an update job needs an Id column"
    if operation == "upsert" and job["externalIdFieldName"].lower() not in lowered:
        return f"an upsert job needs a {job['externalIdFieldName']} column"
    for name in header:
        if "." in name:
            relationship = obj.relationship(name.split(".", 1)[0])
            if relationship is None:
                return f"Field name not found : {name}"
        elif obj.field(name) is None:
            return f"Field name not found : {name}"
    return None


def _record(header: list[str], row: list[str], skip: set[str]) -> dict[str, Any]:
    """CSV cells to field values: an empty cell leaves the field alone, `#N/A` sets it to null."""
    record: dict[str, Any] = {}
    for name, value in zip(header, row, strict=False):
        if name.lower() in skip or value == "":
            continue
        record[name] = None if value == NULL_MARKER else value
    return record


def _row_operation(
    org: Org, obj: ObjectDef, job: dict[str, Any], header: list[str]
) -> Callable[[list[str], WriteContext], tuple[str, bool]]:
    store = org.store
    operation = job["operation"]
    id_index = next((i for i, name in enumerate(header) if name.lower() == "id"), None)

    def row_id(row: list[str]) -> str:
        if id_index is None or id_index >= len(row) or not row[id_index]:
            raise SalesforceApiError(400, "MISSING_ARGUMENT", "Id not specified in an update call", ["Id"])
        return row[id_index]

    if operation == "insert":
        return lambda row, ctx: (store.create(obj, _record(header, row, set()), ctx), True)
    if operation == "update":

        def update(row: list[str], ctx: WriteContext) -> tuple[str, bool]:
            record_id = row_id(row)
            store.update(obj, record_id, _record(header, row, {"id"}), ctx)
            return store.get(obj, record_id)["Id"], False

        return update
    if operation == "upsert":
        external = job["externalIdFieldName"]
        index = next(i for i, name in enumerate(header) if name.lower() == external.lower())

        def upsert(row: list[str], ctx: WriteContext) -> tuple[str, bool]:
            value = row[index] if index < len(row) else ""
            if not value:
                raise SalesforceApiError(400, "MISSING_ARGUMENT", f"{external} not specified", [external])
            return store.upsert(obj, external, value, _record(header, row, {external.lower()}), ctx)

        return upsert

    delete = store.delete if operation == "delete" else store.hard_delete

    def remove(row: list[str], ctx: WriteContext) -> tuple[str, bool]:
        record = store.get(obj, row_id(row), include_deleted=operation == "hardDelete")
        if record is None:
            raise SalesforceApiError(400, "ENTITY_IS_DELETED", "entity is deleted", ["Id"])
        delete(obj, record["Id"], ctx)
        return record["Id"], False

    return remove


def _failed_id(obj: ObjectDef, job: dict[str, Any], header: list[str], row: list[str]) -> str:
    """Failed rows carry the Id when the caller gave one (update, delete), else an empty cell."""
    for name, value in zip(header, row, strict=False):
        if name.lower() == "id":
            return value
    return ""


def _sf_error(error: SalesforceApiError) -> str:
    return f"{error.error_code}:{error.message}:{','.join(error.fields)} --"


def _rows_with_spread_parents(obj: ObjectDef, header: list[str], rows: list[list[str]]) -> set[int]:
    """Rows whose parent's children land in more than one internal batch: the lock-contention pattern."""
    parent_columns = [
        i
        for i, name in enumerate(header)
        if "." in name or ((field := obj.field(name)) is not None and field.type == "reference")
    ]
    if not parent_columns:
        return set()
    batches_by_parent: dict[tuple[int, str], set[int]] = defaultdict(set)
    for number, row in enumerate(rows):
        for column in parent_columns:
            if column < len(row) and row[column]:
                batches_by_parent[(column, row[column])].add(number // INTERNAL_BATCH_ROWS)
    spread = {key for key, batches in batches_by_parent.items() if len(batches) > 1}
    return {
        number
        for number, row in enumerate(rows)
        if any(column < len(row) and (column, row[column]) in spread for column in parent_columns)
    }


def _write_csv(path: Path, header: list[str], rows: Iterator[list[str]] | list[list[str]]) -> None:
    with open(path, "w", encoding="utf-8", newline="") as handle:
        writer = csv.writer(handle, lineterminator="\n")
        writer.writerow(header)
        writer.writerows(rows)
