"""Reconciliation without Dagster: what Salesforce and the ERP hold against the golden records, drift and its
causes, sync lag, heartbeats and the sync health report."""
