"""Writing golden values back into existing ERP rows through SQLAlchemy, answering like Salesforce does: per row.

Each write updates one row by its primary key (the ERP decides which rows exist, so nothing is inserted) and, if
configured (`touch`), moves its change-time column. A value the column cannot hold (too
long, not a number) is refused before any statement, with the same message on every dialect (SQLite would
store it silently). Rows go in batches, one transaction each; a batch the database refuses is written again row
by row, so one bad row holds back no other. A key that matches no row is refused as `NOT_FOUND`.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator, Sequence
from datetime import datetime

import sqlalchemy as sa

from ..outbound.failures import is_retriable
from ..outbound.outcomes import Confirmed, Outcome, Refused, Write
from ..outbound.settings import ErpTargetSettings
from ..outbound.wire import wire

API = "sqlalchemy"
NOT_FOUND = "NOT_FOUND"
VALUE_TOO_LONG = "STRING_TOO_LONG"
INVALID_VALUE = "INVALID_VALUE"
DATABASE_ERROR = "DATABASE_ERROR"


class ErpWriter:
    def __init__(
        self,
        engine: sa.Engine,
        schema: str | None,
        target: ErpTargetSettings,
        batch_rows: int,
        now: Callable[[], datetime],
    ) -> None:
        metadata = sa.MetaData(schema=schema)
        self.table = sa.Table(target.table, metadata, autoload_with=engine)
        self.engine = engine
        self.target = target
        self.batch_rows = batch_rows
        self.now = now

    def write(self, writes: Sequence[Write], keys: dict[str, str]) -> Iterator[Outcome]:
        """Update the row `keys[golden_id]` of each write; one outcome per batch, to record before the next."""
        valid, refused = [], []
        for write in writes:
            problem = self._problem(write)
            if problem:
                refused.append(Refused(write.golden_id, *problem, retriable=False, payload=write.send))
            else:
                valid.append(write)
        if refused:
            yield Outcome(refused=refused)
        for start in range(0, len(valid), self.batch_rows):
            batch = valid[start : start + self.batch_rows]
            try:
                with self.engine.begin() as connection:
                    results = [self._update(connection, w, keys[w.golden_id]) for w in batch]
            except sa.exc.DBAPIError:
                results = [self._alone(w, keys[w.golden_id]) for w in batch]
            yield self._outcome(batch, results, keys)

    def _problem(self, write: Write) -> tuple[str, str] | None:
        for field, value in write.send.items():
            column = self.table.c[self.target.columns[field]]
            length = getattr(column.type, "length", None)
            if isinstance(value, str) and length is not None and len(value) > length:
                return VALUE_TOO_LONG, f"{self.table.name}.{column.name} holds at most {length} characters"
            if value is not None and column.type.python_type in (int, float) and isinstance(value, str):
                return INVALID_VALUE, f"{self.table.name}.{column.name} holds numbers, not {value!r}"
        return None

    def _update(self, connection: sa.Connection, write: Write, key: str) -> int:
        values = {self.target.columns[field]: value for field, value in write.send.items()}
        if self.target.touch:
            values[self.target.touch] = self.now()
        key_column = self.table.c[self.target.key]
        statement = sa.update(self.table).where(key_column == key_column.type.python_type(key)).values(values)
        return connection.execute(statement).rowcount

    def _alone(self, write: Write, key: str) -> int | tuple[str, str]:
        """The row in a transaction of its own: rows updated, or the database's refusal."""
        try:
            with self.engine.begin() as connection:
                return self._update(connection, write, key)
        except sa.exc.DBAPIError as error:
            return DATABASE_ERROR, str(error.orig)[:1000]

    def _outcome(
        self, batch: list[Write], results: list[int | tuple[str, str]], keys: dict[str, str]
    ) -> Outcome:
        outcome = Outcome()
        api_ref = f"{API}:{self.table.name}"
        for write, result in zip(batch, results, strict=True):
            if result == 1:
                sent = {field: wire(value) for field, value in write.send.items()}
                outcome.confirmed.append(
                    Confirmed(write.golden_id, keys[write.golden_id], False, sent, API, api_ref)
                )
            else:
                code, message = result if isinstance(result, tuple) else (NOT_FOUND, "no row has this key")
                outcome.refused.append(
                    Refused(write.golden_id, code, message, is_retriable(code), write.send)
                )
        return outcome
