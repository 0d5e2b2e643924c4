"""Writes as each API wants them, and Bulk results back as the values Salesforce took.

A write that adopts a record Salesforce already holds goes by its Id (`id` in JSON, an `Id` column) and stamps
the external id; every other write is an upsert on the external id. The parent reference is one logical field
(`Account.Golden_Id__c`): sent as a relationship by external id, so a child can only point at the parent with that
golden id, whatever its Salesforce Id. When the parent goes away the lookup field itself (`AccountId`) is set to
null. In Bulk CSV an empty cell leaves a field as it is and `#N/A` sets it to null, so one file can carry records
that change different fields.
"""

from __future__ import annotations

import csv
import io
import json
from collections.abc import Iterable, Mapping
from typing import Any

from .outcomes import Write
from .settings import TargetSettings
from .wire import wire

CSV_NULL = "#N/A"
ID = "Id"


class PayloadCodec:
    def __init__(self, target: TargetSettings) -> None:
        self.object = target.object
        self.external_id = target.external_id
        self.parent_field = target.parent_field
        self.relationship = target.parent.relationship if target.parent else None
        self.lookup_field = target.parent.lookup_field if target.parent else None

    def json_record(self, write: Write) -> dict[str, Any]:
        """An sObject Collections item: an upsert, or an update by `id` for an adopted record."""
        record: dict[str, Any] = {"attributes": {"type": self.object}, self.external_id: write.golden_id}
        if write.adopt:
            record["id"] = write.adopt
        for field, value in write.send.items():
            if field != self.parent_field:
                record[field] = value
            elif value is None:
                record[str(self.lookup_field)] = None
            else:
                record[str(self.relationship)] = {self.external_id: value}
        return record

    def _cells(self, write: Write) -> dict[str, str]:
        cells = {self.external_id: write.golden_id, **({ID: write.adopt} if write.adopt else {})}
        for field, value in write.send.items():
            column = self.lookup_field if field == self.parent_field and value is None else field
            cells[str(column)] = CSV_NULL if value is None else str(wire(value))
        return cells

    def was_sent(self, write: Write, payload: Mapping[str, Any]) -> bool:
        """Whether a dead letter's `payload` (a Collections item, or a Bulk row with an empty cell for every
        column the write left alone) is what this write would send."""
        if json.loads(json.dumps(self.json_record(write), sort_keys=True, default=str)) == payload:
            return True
        return {column: cell for column, cell in payload.items() if cell != ""} == self._cells(write)

    def csv_document(self, writes: Iterable[Write]) -> str:
        """A Bulk 2.0 upload: one row per write, an empty cell for every field a write leaves alone."""
        rows = [self._cells(write) for write in writes]
        present = {column for row in rows for column in row}
        keys = [key for key in (ID, self.external_id) if key in present]
        columns = keys + sorted(present - set(keys))
        buffer = io.StringIO()
        writer = csv.writer(buffer, lineterminator="\n")
        writer.writerow(columns)
        writer.writerows([row.get(column, "") for column in columns] for row in rows)
        return buffer.getvalue()

    def sent_from_row(self, row: Mapping[str, str]) -> dict[str, str | None]:
        """The values a Bulk result row says were sent (results echo the uploaded columns)."""
        sent: dict[str, str | None] = {}
        for column, cell in row.items():
            if column.startswith("sf__") or column in (ID, self.external_id) or cell == "":
                continue
            field = self.parent_field if column == self.lookup_field else column
            sent[str(field)] = None if cell == CSV_NULL else cell
        return sent
