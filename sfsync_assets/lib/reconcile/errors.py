"""What stops a reconciliation, as a domain exception that names the object, field or table."""

from __future__ import annotations


class ReconcileError(RuntimeError):
    """The data to reconcile is not what reconciliation expects (a field Salesforce lacks, a missing table)."""
