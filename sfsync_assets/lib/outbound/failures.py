"""Which failures are worth retrying: Salesforce's error codes and the ways a request can fail on the wire.

Retriable: a row lock held by someone else, a server that is briefly unavailable, a connection cut before the
answer arrived (the work may be done; upserts on an external id make doing it again harmless). Everything else
(validation, duplicates, restricted picklists, bad references) fails the same way until someone fixes the data or
the org, so it goes to the dead letter at once.
"""

from __future__ import annotations

import requests
from simple_salesforce.exceptions import SalesforceError

from .errors import RequestFailed

RETRIABLE_CODES = frozenset(
    {
        "UNABLE_TO_LOCK_ROW",
        "SERVER_UNAVAILABLE",
        "REQUEST_RUNNING_TOO_LONG",
        "QUERY_TIMEOUT",
        "CONNECTION_DROPPED",
    }
)
ORG_LIMIT_CODE = "REQUEST_LIMIT_EXCEEDED"


def is_retriable(code: str) -> bool:
    return code in RETRIABLE_CODES


def error_code(content: object) -> str | None:
    """The `errorCode` of a Salesforce REST error body (a JSON array of errors)."""
    if isinstance(content, list) and content and isinstance(content[0], dict):
        return content[0].get("errorCode") or content[0].get("statusCode")
    return None


def request_failure(error: Exception) -> RequestFailed | None:
    """A failed request as a code and whether to retry it; None for errors that are not about the request."""
    if isinstance(error, requests.RequestException):
        return RequestFailed("CONNECTION_DROPPED", str(error), retriable=True)
    if isinstance(error, SalesforceError):
        code = error_code(error.content) or f"HTTP_{error.status}"
        message = str(error.content)[:1000]
        return RequestFailed(code, message, retriable=error.status >= 500 or is_retriable(code))
    return None


def bulk_error(sf_error: str) -> tuple[str, str]:
    """(code, message) from a Bulk `sf__Error` cell such as `UNABLE_TO_LOCK_ROW:unable to obtain...:Field --`."""
    code, _, rest = sf_error.partition(":")
    return code.strip(), rest.rstrip(" -").rstrip(":") or code
