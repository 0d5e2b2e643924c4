"""ERP ingestion without Dagster: which tables to read, the dlt source, and deletes reconciled by primary key."""
