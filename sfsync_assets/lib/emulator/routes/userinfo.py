"""The OpenID Connect UserInfo endpoint: who the session's bearer token belongs to.

Like Salesforce, it lives under `/services/oauth2/` (not `/services/data/`), so it is not counted against the
daily API allocation, and it refuses a missing or invalid token with 403 and a plain-text code
(`Missing_OAuth_Token`, `Bad_OAuth_Token`) rather than the REST API's 401 JSON body.
"""

from __future__ import annotations

from typing import Any

from starlette.concurrency import run_in_threadpool
from starlette.requests import Request
from starlette.responses import JSONResponse, PlainTextResponse, Response
from starlette.routing import Route

from ..errors import SalesforceApiError
from ..org import Org


async def userinfo(request: Request) -> Response:
    return await run_in_threadpool(_userinfo, request)


def _userinfo(request: Request) -> Response:
    org: Org = request.app.state.org
    authorization = request.headers.get("authorization", "")
    if not authorization.strip():
        return PlainTextResponse("Missing_OAuth_Token", status_code=403)
    try:
        user_id = org.sessions.user_for(authorization)
    except SalesforceApiError:
        return PlainTextResponse("Bad_OAuth_Token", status_code=403)
    user = org.store.get(org.schema.object("User"), user_id)
    if user is None or user.get("IsActive") == 0:
        return PlainTextResponse("Inactive", status_code=403)
    return JSONResponse(_claims(org, user, f"https://{request.headers.get('host', request.url.netloc)}"))


def _claims(org: Org, user: dict[str, Any], instance: str) -> dict[str, Any]:
    """The claims Salesforce answers with that a client can use, in its field names."""
    organization_id = org.credentials.organization_id
    return {
        "sub": f"{instance}/id/{organization_id}/{user['Id']}",
        "user_id": user["Id"],
        "organization_id": organization_id,
        "preferred_username": user["Username"],
        "nickname": user.get("Alias"),
        "name": user.get("Name"),
        "given_name": user.get("FirstName"),
        "family_name": user.get("LastName"),
        "email": user.get("Email"),
        "email_verified": True,
        "active": True,
        "user_type": "STANDARD",
        "updated_at": user.get("LastModifiedDate"),
        "urls": {
            "rest": f"{instance}/services/data/v{{version}}/",
            "sobjects": f"{instance}/services/data/v{{version}}/sobjects/",
            "query": f"{instance}/services/data/v{{version}}/query/",
        },
    }


def routes() -> list[Route]:
    return [
        Route("/services/oauth2/userinfo", userinfo, methods=["GET", "POST"]),
        Route("/{prefix:path}/services/oauth2/userinfo", userinfo, methods=["GET", "POST"]),
    ]
