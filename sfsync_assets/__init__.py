"""sfsync: keeps Salesforce consistent with ERP databases and legacy exports."""

import os

# dlt reports usage to its vendor unless told not to; a sync platform sends data only where it is configured to.
os.environ.setdefault("RUNTIME__DLTHUB_TELEMETRY", "false")
