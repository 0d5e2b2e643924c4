"""What each API is sent, and that Bulk's echo of it reads back as the same values."""

from __future__ import annotations

import csv
import io

from sfsync_assets.lib.outbound.outcomes import Write
from sfsync_assets.lib.outbound.payloads import PayloadCodec
from sfsync_assets.lib.outbound.settings import load_outbound_settings
from sfsync_assets.lib.outbound.wire import wire

CONTACT = PayloadCodec(load_outbound_settings().targets["contact"])
WRITES = [
    Write("p1", {"LastName": "Ng", "DoNotCall": True, "Account.Golden_Id__c": "o1"}, "o1"),
    Write("p2", {"Email": None, "Account.Golden_Id__c": None}),
    Write("p3", {"Title": "CFO, Europe"}, adopt="003000000000001AAA"),
]


def test_collections_items_link_parents_by_golden_id_and_adopt_by_id() -> None:
    items = [CONTACT.json_record(write) for write in WRITES]

    assert items[0] == {
        "attributes": {"type": "Contact"},
        "Golden_Id__c": "p1",
        "LastName": "Ng",
        "DoNotCall": True,
        "Account": {"Golden_Id__c": "o1"},
    }
    assert items[1] == {
        "attributes": {"type": "Contact"},
        "Golden_Id__c": "p2",
        "Email": None,
        "AccountId": None,
    }
    assert items[2]["id"] == "003000000000001AAA" and items[2]["Golden_Id__c"] == "p3"


def test_a_bulk_file_leaves_unsent_fields_empty_and_nulls_as_na() -> None:
    rows = list(csv.DictReader(io.StringIO(CONTACT.csv_document(WRITES))))

    assert list(rows[0])[:2] == ["Id", "Golden_Id__c"]
    assert (
        rows[0]["Account.Golden_Id__c"] == "o1" and rows[0]["DoNotCall"] == "true" and rows[0]["Email"] == ""
    )
    assert (rows[1]["Email"], rows[1]["AccountId"], rows[1]["Account.Golden_Id__c"]) == ("#N/A", "#N/A", "")
    assert rows[2]["Title"] == "CFO, Europe"


def test_bulk_results_read_back_as_what_was_sent() -> None:
    rows = csv.DictReader(io.StringIO(CONTACT.csv_document(WRITES)))

    for write, row in zip(WRITES, rows, strict=True):
        echoed = {"sf__Id": "003...", "sf__Created": "true", **row}
        assert CONTACT.sent_from_row(echoed) == {field: wire(value) for field, value in write.send.items()}
