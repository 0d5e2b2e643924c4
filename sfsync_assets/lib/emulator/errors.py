"""Errors the emulator answers with, shaped exactly as Salesforce shapes them on the wire.

One exception type carries the HTTP status, the Salesforce error code and message; the request layer turns it
into the JSON array body that clients such as simple-salesforce parse (`[{"message", "errorCode", "fields"}]`).
"""

from __future__ import annotations

from typing import Any


class SalesforceApiError(Exception):
    """A request Salesforce would refuse; rendered as `[{"message","errorCode","fields"}]` with `status`."""

    def __init__(
        self,
        status: int,
        error_code: str,
        message: str,
        fields: list[str] | tuple[str, ...] = (),
        extra: dict[str, Any] | None = None,
    ) -> None:
        super().__init__(f"{error_code}: {message}")
        self.status = status
        self.error_code = error_code
        self.message = message
        self.fields = list(fields)
        self.extra = extra or {}

    def body(self) -> list[dict[str, Any]]:
        """The REST error body: always a JSON array (simple-salesforce reads `[0]['errorCode']`)."""
        item: dict[str, Any] = {"message": self.message, "errorCode": self.error_code}
        if self.fields:
            item["fields"] = self.fields
        item.update(self.extra)
        return [item]

    def item_error(self) -> dict[str, Any]:
        """The per-record shape used inside sObject Collections results (`statusCode`, not `errorCode`)."""
        item: dict[str, Any] = {"statusCode": self.error_code, "message": self.message, "fields": self.fields}
        item.update(self.extra)
        return item


def not_found() -> SalesforceApiError:
    return SalesforceApiError(404, "NOT_FOUND", "The requested resource does not exist")


def invalid_field(message: str, fields: list[str] | tuple[str, ...] = ()) -> SalesforceApiError:
    return SalesforceApiError(400, "INVALID_FIELD", message, fields)


def malformed_query(message: str) -> SalesforceApiError:
    return SalesforceApiError(400, "MALFORMED_QUERY", message)


def invalid_type(message: str) -> SalesforceApiError:
    return SalesforceApiError(400, "INVALID_TYPE", message)


def malformed_id(value: str) -> SalesforceApiError:
    return SalesforceApiError(400, "MALFORMED_ID", f"malformed id {value}")
