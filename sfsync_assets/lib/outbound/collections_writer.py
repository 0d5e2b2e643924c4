"""sObject Collections writes: up to 200 records a call, one answer per record, in request order.

Upserts go to `PATCH composite/sobjects/{Object}/{ExternalId}`; adoptions of records Salesforce already holds to
`PATCH composite/sobjects` (update by id). Always `allOrNone: false`, so one bad record does not hold back the
others. simple-salesforce has no helper for either; `restful` sends them through the same governed session.
"""

from __future__ import annotations

import uuid
from collections.abc import Sequence

from simple_salesforce import Salesforce

from .failures import is_retriable
from .outcomes import Confirmed, Outcome, Refused, Write
from .payloads import PayloadCodec
from .retry import RetryingCaller
from .wire import wire

API = "collections"
REQUEST_TIMEOUT_SECONDS = 300


class CollectionsWriter:
    def __init__(self, sf: Salesforce, codec: PayloadCodec, caller: RetryingCaller) -> None:
        self.sf = sf
        self.codec = codec
        self.caller = caller

    def write(self, writes: Sequence[Write]) -> Outcome:
        """Write `writes`, all adoptions or all upserts."""
        records = [self.codec.json_record(write) for write in writes]
        adopting = writes[0].adopt is not None
        path = "composite/sobjects" + ("" if adopting else f"/{self.codec.object}/{self.codec.external_id}")
        results = self.caller.call(
            f"Collections {'update' if adopting else 'upsert'} of {len(writes)} {self.codec.object}",
            lambda: self.sf.restful(
                path,
                method="PATCH",
                json={"allOrNone": False, "records": records},
                timeout=REQUEST_TIMEOUT_SECONDS,
            ),
        )
        api_ref = f"{API}:{uuid.uuid4().hex}"
        outcome = Outcome()
        for write, record, result in zip(writes, records, results, strict=True):
            if result.get("success"):
                sent = {field: wire(value) for field, value in write.send.items()}
                outcome.confirmed.append(
                    Confirmed(write.golden_id, result["id"], bool(result.get("created")), sent, API, api_ref)
                )
            else:
                error = (result.get("errors") or [{}])[0]
                code = error.get("statusCode", "UNKNOWN_ERROR")
                outcome.refused.append(
                    Refused(write.golden_id, code, error.get("message", ""), is_retriable(code), record)
                )
        return outcome
