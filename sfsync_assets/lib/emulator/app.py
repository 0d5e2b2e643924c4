"""The emulator's ASGI application: routes from each resource module over one org."""

from __future__ import annotations

from starlette.applications import Starlette
from starlette.types import Receive, Scope, Send

from .bulk_jobs import BulkJobs
from .faults import FaultPlan, Faults
from .org import Org
from .routes import admin, bulk2, composite, composite_request, login, query, rest, streaming, userinfo


class _TrailingSlashTolerant:
    """Salesforce accepts `query/` and `query` alike; strip trailing slashes instead of redirecting."""

    def __init__(self, app: Starlette) -> None:
        self.app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] == "http" and len(scope["path"]) > 1 and scope["path"].endswith("/"):
            scope = dict(scope)
            scope["path"] = scope["path"].rstrip("/") or "/"
        await self.app(scope, receive, send)


def create_app(org: Org, plan: FaultPlan | None = None) -> _TrailingSlashTolerant:
    app = Starlette(
        routes=[
            *login.routes(),
            *userinfo.routes(),
            *query.routes(),
            *composite.routes(),
            *composite_request.routes(),
            *bulk2.routes(),
            *rest.routes(),
            *admin.routes(),
            *streaming.routes(),
        ]
    )
    app.state.org = org
    app.state.faults = Faults()
    app.state.locators = query.QueryLocators()
    app.state.bulk_jobs = BulkJobs(org, app.state.faults)
    app.state.faults.put_in_force(plan or FaultPlan(), org.limits)
    return _TrailingSlashTolerant(app)
