"""Reading Salesforce objects window by window without losing a record or wasting API calls.

- Windows are half-open on `SystemModstamp` ([start, end)), start a lookback before the previous end so commits
  that landed late are read again, and end a little before now so in-flight transactions settle first. Reading
  a record twice is harmless (loads merge on Id); missing one is not.
- `queryAll`, so soft deletes arrive as `IsDeleted = true`.
- One Composite call opens up to five windows at once (it counts as a single API call); each answer's
  `totalSize` decides the path: small deltas page through REST, large ones switch to a Bulk 2.0 query job.
- Describes for up to 25 objects also share one Composite call.
"""

from __future__ import annotations

import io
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from typing import Any
from urllib.parse import quote

import pyarrow as pa
import pyarrow.csv as pa_csv
from simple_salesforce import Salesforce

from .shapes import ObjectShape, soql_datetime, soql_string, typed_value

EPOCH = datetime(2000, 1, 1, tzinfo=UTC)
MAX_COMPOSITE_SUBREQUESTS = 25
MAX_COMPOSITE_QUERIES = 5
# 200 quoted 18-character ids keep a query URL near 5 KB, well inside Salesforce's 16 KB.
_IDS_PER_QUERY = 200


class SalesforceReadError(RuntimeError):
    """Salesforce refused a read; the message names the object and Salesforce's own error."""


@dataclass(frozen=True)
class Window:
    """Records whose SystemModstamp is in [start, end)."""

    start: datetime
    end: datetime

    def condition(self) -> str:
        return f"SystemModstamp >= {soql_datetime(self.start)} AND SystemModstamp < {soql_datetime(self.end)}"

    def as_metadata(self) -> dict[str, str]:
        return {"window_start": self.start.isoformat(), "window_end": self.end.isoformat()}


def next_window(
    previous_end: datetime | None, now: datetime, lookback: timedelta, settle: timedelta
) -> Window:
    """The window after `previous_end` (or everything, the first time), overlapping it by `lookback`."""
    start = EPOCH if previous_end is None else previous_end - lookback
    end = max(now - settle, start + timedelta(microseconds=1000))
    return Window(start, end)


@dataclass
class OpenedWindow:
    """The first REST page of a query (a window, or a list of ids), and how the rest will be read."""

    shape: ObjectShape
    soql: str
    total: int
    first_page: dict[str, Any]
    mode: str  # "rest" or "bulk"
    window: Window | None = None


class SalesforceReader:
    def __init__(
        self,
        sf: Salesforce,
        *,
        bulk_threshold: int = 2000,
        bulk_page_records: int = 200_000,
        bulk_poll_seconds: float = 1.0,
    ) -> None:
        self.sf = sf
        self.bulk_threshold = bulk_threshold
        self.bulk_page_records = bulk_page_records
        self.bulk_poll_seconds = bulk_poll_seconds

    def _url(self, path: str) -> str:
        return f"/services/data/v{self.sf.sf_version}/{path}"

    def _composite(self, subrequests: list[dict[str, Any]]) -> dict[str, dict[str, Any]]:
        answer = self.sf.restful(
            "composite", method="POST", json={"allOrNone": False, "compositeRequest": subrequests}
        )
        return {item["referenceId"]: item for item in answer["compositeResponse"]}

    def describe(self, object_names: list[str]) -> dict[str, ObjectShape]:
        """Field shapes of the objects, 25 describes per API call."""
        shapes: dict[str, ObjectShape] = {}
        for start in range(0, len(object_names), MAX_COMPOSITE_SUBREQUESTS):
            chunk = object_names[start : start + MAX_COMPOSITE_SUBREQUESTS]
            answers = self._composite(
                [
                    {"method": "GET", "url": self._url(f"sobjects/{name}/describe"), "referenceId": f"d{i}"}
                    for i, name in enumerate(chunk)
                ]
            )
            for i, name in enumerate(chunk):
                answer = answers[f"d{i}"]
                if answer["httpStatusCode"] != 200:
                    raise SalesforceReadError(f"describe {name} failed: {_error_text(answer['body'])}")
                shapes[name] = ObjectShape.from_describe(answer["body"])
        return shapes

    def soql(self, shape: ObjectShape, window: Window) -> str:
        return f"SELECT {', '.join(shape.selectable)} FROM {shape.name} WHERE {window.condition()}"

    def open_windows(self, requests: list[tuple[ObjectShape, Window]]) -> list[OpenedWindow]:
        """First pages of several windows, five per API call; each decides REST or Bulk from its totalSize."""
        return self._open([(shape, self.soql(shape, window), window) for shape, window in requests])

    def open_ids(self, shape: ObjectShape, record_ids: list[str]) -> list[OpenedWindow]:
        """First pages of queries for the given records (deleted ones included), in chunks that fit a URL."""
        chunks = [record_ids[i : i + _IDS_PER_QUERY] for i in range(0, len(record_ids), _IDS_PER_QUERY)]
        soqls = [
            f"SELECT {', '.join(shape.selectable)} FROM {shape.name} "
            f"WHERE Id IN ({', '.join(soql_string(str(record_id)) for record_id in chunk)})"
            for chunk in chunks
        ]
        return self._open([(shape, soql, None) for soql in soqls])

    def _open(self, queries: list[tuple[ObjectShape, str, Window | None]]) -> list[OpenedWindow]:
        opened: list[OpenedWindow] = []
        for start in range(0, len(queries), MAX_COMPOSITE_QUERIES):
            chunk = queries[start : start + MAX_COMPOSITE_QUERIES]
            answers = self._composite(
                [
                    {"method": "GET", "url": self._url("queryAll/?q=" + quote(soql)), "referenceId": f"q{i}"}
                    for i, (_, soql, _) in enumerate(chunk)
                ]
            )
            for i, (shape, soql, window) in enumerate(chunk):
                answer = answers[f"q{i}"]
                if answer["httpStatusCode"] != 200:
                    raise SalesforceReadError(f"query of {shape.name} failed: {_error_text(answer['body'])}")
                body = answer["body"]
                mode = "bulk" if body["totalSize"] > self.bulk_threshold else "rest"
                opened.append(OpenedWindow(shape, soql, body["totalSize"], body, mode, window))
        return opened

    def records(self, opened: OpenedWindow) -> Iterator[dict[str, Any]]:
        """Every record of the query as a dict of typed values."""
        for table in self.tables(opened):
            yield from table.to_pylist()

    def tables(self, opened: OpenedWindow) -> Iterator[pa.Table]:
        """Every record of the query as typed Arrow tables, page by page: Bulk 2.0 CSV pages are parsed by Arrow
        (a million rows without a Python loop per field), REST pages converted once each."""
        schema = opened.shape.arrow_schema()
        if opened.mode == "bulk":
            pages = getattr(self.sf.bulk2, opened.shape.name).query_all(
                opened.soql, max_records=self.bulk_page_records, wait=self.bulk_poll_seconds
            )
            for page in pages:
                yield _csv_table(page, schema)
            return
        page = opened.first_page
        while True:
            rows = [
                {f.name: typed_value(f, record.get(f.name)) for f in opened.shape.fields}
                for record in page["records"]
            ]
            yield pa.Table.from_pylist(rows, schema=schema)
            if page["done"]:
                return
            page = self.sf.query_more(page["nextRecordsUrl"], identifier_is_url=True)


def _csv_table(page: str, schema: pa.Schema) -> pa.Table:
    """A Bulk 2.0 result page (header row, quoted values, empty for null) as a table of `schema`: read as text,
    then cast, because Arrow's cast (unlike its CSV reader) takes Salesforce's `...00.000Z` datetimes."""
    as_text = pa.schema([pa.field(name, pa.string()) for name in schema.names])
    options = pa_csv.ConvertOptions(
        column_types=as_text, null_values=[""], strings_can_be_null=True, quoted_strings_can_be_null=True
    )
    # Street and description fields carry newlines inside quoted values.
    parse = pa_csv.ParseOptions(newlines_in_values=True)
    table = pa_csv.read_csv(io.BytesIO(page.encode("utf-8")), parse_options=parse, convert_options=options)
    return table.select(schema.names).cast(schema)


def _error_text(body: Any) -> str:
    if isinstance(body, list) and body and isinstance(body[0], dict):
        return f"{body[0].get('errorCode')}: {body[0].get('message')}"
    return str(body)
