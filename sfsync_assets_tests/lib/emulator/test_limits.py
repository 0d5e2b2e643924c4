"""API allocations: every request counts, the header and /limits agree, the org refuses once spent."""

from __future__ import annotations

import pytest
from simple_salesforce.exceptions import SalesforceRefusedRequest

from sfsync_assets.lib.emulator.process import EmulatorProcess


def test_limit_header_and_limits_resource_agree(emulator: EmulatorProcess) -> None:
    sf = emulator.salesforce()
    sf.describe()
    used_before = sf.api_usage["api-usage"].used
    limits = sf.limits()
    used_after = sf.api_usage["api-usage"].used
    assert used_after == used_before + 1
    assert limits["DailyApiRequests"]["Max"] - limits["DailyApiRequests"]["Remaining"] == used_after
    for name in (
        "DailyBulkApiBatches",
        "DailyBulkV2QueryJobs",
        "DailyBulkV2QueryFileStorageMB",
        "DataStorageMB",
    ):
        assert limits[name]["Max"] >= limits[name]["Remaining"] >= 0


def test_daily_limit_is_enforced_and_reported(tmp_path) -> None:
    with EmulatorProcess(tmp_path / "org", extra_args=("--daily-api-limit", "25")) as emulator:
        sf = emulator.salesforce()
        calls = 0
        with pytest.raises(SalesforceRefusedRequest) as failure:
            while calls < 100:
                sf.limits()
                calls += 1
        assert failure.value.status == 403
        assert failure.value.content == [
            {"message": "TotalRequests Limit exceeded.", "errorCode": "REQUEST_LIMIT_EXCEEDED"}
        ]
        assert sf.api_usage["api-usage"].used == 25
        assert sf.api_usage["api-usage"].total == 25
        assert calls == 25
        # Raising the allocation (a new day, or a bought add-on) lets work resume.
        emulator.admin.set_limit("DailyApiRequests", maximum=30)
        assert sf.limits()["DailyApiRequests"] == {"Max": 30, "Remaining": 4}


def test_usage_survives_a_restart(fresh_emulator: EmulatorProcess) -> None:
    sf = fresh_emulator.salesforce()
    sf.limits()
    used = sf.api_usage["api-usage"].used
    fresh_emulator.stop()
    fresh_emulator.start()
    sf = fresh_emulator.salesforce()
    sf.limits()
    assert sf.api_usage["api-usage"].used == used + 1
