"""Admin seeding writes a batch at once; what it stores must be what creating the records one by one stores."""

from __future__ import annotations

import sqlite3
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import pytest

from sfsync_assets.lib.emulator.admin_client import EmulatorAdminError
from sfsync_assets.lib.emulator.org import DATABASE_FILE, Org
from sfsync_assets.lib.emulator.process import EmulatorProcess
from sfsync_assets.lib.emulator.store import WriteContext

ACCOUNTS: list[dict[str, Any]] = [
    {"Name": "Plain", "AnnualRevenue": 1200.5, "NumberOfEmployees": "40", "Industry": "Manufacturing"},
    {"Name": "Plain too", "AnnualRevenue": 7, "NumberOfEmployees": 3, "Industry": "Retail"},
    {
        "Name": "With history",
        "ERP_Customer_Id__c": "C-1",
        "CreatedDate": "2019-03-04T05:06:07.000+0000",
        "LastModifiedDate": "2021-01-02T03:04:05Z",
    },
    {"Name": "Child of an earlier record", "Parent": {"ERP_Customer_Id__c": "C-1"}, "BillingCity": None},
    {"Name": "Given modstamp", "SystemModstamp": "2022-02-02T02:02:02.000Z", "CurrencyIsoCode": "EUR"},
    {"Name": "Deleted", "IsDeleted": True, "Description": ""},
    {"Name": "Owned", "OwnerId": "005000000000001", "Lifetime_Value__c": 99.5},
]


def _contacts(account_ids: list[str]) -> list[dict[str, Any]]:
    return [
        {"FirstName": "Ada", "LastName": "Lovelace", "AccountId": account_ids[0], "Email": "ada@example.com"},
        {"LastName": "Only", "Account": {"ERP_Customer_Id__c": "C-1"}},
        {"LastName": "Dup", "Email": "ada@example.com", "Account.ERP_Customer_Id__c": "C-1"},
    ]


def _rows(connection: sqlite3.Connection, sql: str) -> list[tuple[Any, ...]]:
    return connection.execute(sql).fetchall()


def _stored(connection: sqlite3.Connection) -> dict[str, list[tuple[Any, ...]]]:
    return {
        "accounts": _rows(connection, "SELECT * FROM obj_account ORDER BY _seq"),
        "contacts": _rows(connection, "SELECT * FROM obj_contact ORDER BY _seq"),
        "changes": _rows(
            connection,
            "SELECT * FROM _change_events WHERE entity IN ('Account', 'Contact') ORDER BY replay_id",
        ),
        "sequences": _rows(connection, "SELECT * FROM _sequences WHERE key_prefix IN ('001', '003')"),
    }


def _create_one_by_one(org: Org, object_name: str, records: list[dict[str, Any]], seeded: sqlite3.Connection):
    """Create `records` as admin seeding did before batches: `create` per record in one transaction, at the
    moment and in the transaction the emulator's own change events record."""
    committed, transaction = _rows(
        seeded,
        f"SELECT commit_timestamp, transaction_key FROM _change_events WHERE entity = '{object_name}' LIMIT 1",
    )[0]
    org.store.clock = lambda: datetime.fromtimestamp(committed / 1000, UTC)
    ctx = WriteContext(user_id=org.credentials.user_id, api="admin", transaction_key=transaction)
    obj = org.store.object(object_name)
    with org.store.transaction():
        return [org.store.create(obj, record, ctx, system_fields=True) for record in records]


def test_seeded_batches_store_what_creating_each_record_stores(
    fresh_emulator: EmulatorProcess, tmp_path: Path
) -> None:
    admin = fresh_emulator.admin
    account_ids = admin.seed("Account", ACCOUNTS)
    contact_ids = admin.seed("Contact", _contacts(account_ids))

    seeded = sqlite3.connect(fresh_emulator.state_dir / DATABASE_FILE)
    reference = Org(tmp_path / "one-by-one")
    try:
        assert _create_one_by_one(reference, "Account", ACCOUNTS, seeded) == account_ids
        assert _create_one_by_one(reference, "Contact", _contacts(account_ids), seeded) == contact_ids
        expected = _stored(reference.store.connection)
        actual = _stored(seeded)
        # The comparison means something only if the batch held what it should.
        assert _rows(
            seeded,
            "SELECT CreatedDate, LastModifiedDate, SystemModstamp FROM obj_account WHERE Name = 'With history'",
        ) == [("2019-03-04T05:06:07.000Z", "2021-01-02T03:04:05.000Z", "2021-01-02T03:04:05.000Z")]
        assert _rows(seeded, "SELECT ParentId, IsDeleted FROM obj_account ORDER BY _seq") == [
            (None, 0),
            (None, 0),
            (None, 0),
            (account_ids[2], 0),
            (None, 0),
            (None, 1),
            (None, 0),
        ]
        assert _rows(seeded, "SELECT Name, AccountId FROM obj_contact ORDER BY _seq") == [
            ("Ada Lovelace", account_ids[0]),
            ("Only", account_ids[2]),
            ("Dup", account_ids[2]),
        ]
    finally:
        reference.close()
        seeded.close()
    assert len(actual["changes"]) == len(ACCOUNTS) + 3
    for table in expected:
        assert actual[table] == expected[table], table


def test_a_bad_record_fails_the_whole_batch(fresh_emulator: EmulatorProcess) -> None:
    admin = fresh_emulator.admin
    with pytest.raises(EmulatorAdminError, match="INVALID_FIELD"):
        admin.seed(
            "Account", [{"Name": "Fine"}, {"Name": "Orphan", "Parent": {"ERP_Customer_Id__c": "none"}}]
        )
    with pytest.raises(EmulatorAdminError, match="INVALID_SEED"):
        admin.seed("Account", [{"Name": "Fine"}, ["not", "a", "record"]])
    assert admin.count("Account") == 0
    assert admin.seed("Account", [{"Name": "Next"}])[0].startswith("0018Z0000000001")
