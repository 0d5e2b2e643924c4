"""Login endpoints, matched by path suffix so `Salesforce(domain='127.0.0.1:PORT/x')` reaches them.

simple-salesforce posts to `https://{domain}.salesforce.com/services/...`; with that domain the path becomes
`/x.salesforce.com/services/Soap/u/59.0`, so any prefix before `/services/` is accepted.
"""

from __future__ import annotations

import base64
import binascii
import time
from urllib.parse import parse_qsl
from xml.dom import minidom
from xml.parsers.expat import ExpatError
from xml.sax.saxutils import escape

from starlette.concurrency import run_in_threadpool
from starlette.requests import Request
from starlette.responses import JSONResponse, Response
from starlette.routing import Route

from ..org import Org

_SOAP_FAULT = """<?xml version="1.0" encoding="UTF-8"?>
<soapenv:Envelope xmlns:soapenv="http://schemas.xmlsoap.org/soap/envelope/" xmlns:sf="urn:fault.partner.soap.sforce.com" xmlns:xsi="http://www.w3.org/2001/XMLSchema-instance"><soapenv:Body><soapenv:Fault><faultcode>sf:{code}</faultcode><faultstring>{code}: {message}</faultstring><detail><sf:LoginFault xsi:type="sf:LoginFault"><sf:exceptionCode>{code}</sf:exceptionCode><sf:exceptionMessage>{message}</sf:exceptionMessage></sf:LoginFault></detail></soapenv:Fault></soapenv:Body></soapenv:Envelope>"""  # noqa: E501
_SOAP_LOGIN_RESPONSE = """<?xml version="1.0" encoding="UTF-8"?>
<soapenv:Envelope xmlns:soapenv="http://schemas.xmlsoap.org/soap/envelope/" xmlns="urn:partner.soap.sforce.com" xmlns:xsi="http://www.w3.org/2001/XMLSchema-instance"><soapenv:Body><loginResponse><result><metadataServerUrl>{instance}/services/Soap/m/{version}/{org_id}</metadataServerUrl><passwordExpired>false</passwordExpired><sandbox>false</sandbox><serverUrl>{instance}/services/Soap/u/{version}/{org_id}</serverUrl><sessionId>{session}</sessionId><userId>{user_id}</userId><userInfo><organizationId>{org_id}</organizationId><userName>{username}</userName></userInfo></result></loginResponse></soapenv:Body></soapenv:Envelope>"""
_INVALID_LOGIN = "Invalid username, password, security token; or user locked out."


def _instance_url(request: Request) -> str:
    return f"https://{request.headers.get('host', request.url.netloc)}"


def _soap_text(document: minidom.Document, tag: str) -> str:
    nodes = document.getElementsByTagNameNS("*", tag) or document.getElementsByTagName(tag)
    if not nodes or not nodes[0].firstChild:
        return ""
    return "".join(node.data for node in nodes[0].childNodes if node.nodeType == node.TEXT_NODE)


async def soap_login(request: Request) -> Response:
    body = await request.body()
    return await run_in_threadpool(_soap_login, request, body)


def _soap_login(request: Request, body: bytes) -> Response:
    org: Org = request.app.state.org
    try:
        document = minidom.parseString(body)
    except ExpatError:
        return _soap_fault("INVALID_LOGIN", "Malformed login request")
    username = _soap_text(document, "username")
    password = _soap_text(document, "password")
    if not org.sessions.check_password(username, password, token_required=True):
        return _soap_fault("INVALID_LOGIN", _INVALID_LOGIN)
    version = request.path_params.get("version", "59.0")
    xml = _SOAP_LOGIN_RESPONSE.format(
        instance=_instance_url(request),
        version=version,
        org_id=org.credentials.organization_id,
        session=escape(org.sessions.issue()),
        user_id=org.credentials.user_id,
        username=escape(org.credentials.username),
    )
    return Response(xml, media_type="text/xml; charset=utf-8")


def _soap_fault(code: str, message: str) -> Response:
    return Response(
        _SOAP_FAULT.format(code=code, message=escape(message)),
        status_code=500,
        media_type="text/xml; charset=utf-8",
    )


async def oauth_token(request: Request) -> Response:
    # The token endpoint takes application/x-www-form-urlencoded; parsing it needs no multipart library.
    form = dict(parse_qsl((await request.body()).decode("utf-8", "replace")))
    return await run_in_threadpool(_oauth_token, request, form)


def _oauth_token(request: Request, form: dict[str, str]) -> Response:
    """OAuth 2.0 password and client-credentials grants, answering as Salesforce's token endpoint does."""
    org: Org = request.app.state.org
    grant = form.get("grant_type", "")
    if grant == "password":
        client_id, client_secret = form.get("client_id", ""), form.get("client_secret", "")
    elif grant == "client_credentials":
        client_id, client_secret = _basic_credentials(request) or (
            form.get("client_id", ""),
            form.get("client_secret", ""),
        )
    else:
        return _oauth_error("unsupported_grant_type", "grant type not supported")
    if not org.sessions.check_client(client_id, client_secret):
        return _oauth_error("invalid_client", "invalid client credentials")
    if grant == "password" and not org.sessions.check_password(
        form.get("username", ""), form.get("password", ""), token_required=False
    ):
        return _oauth_error("invalid_grant", "authentication failure")
    instance = _instance_url(request)
    return JSONResponse(
        {
            "access_token": org.sessions.issue(),
            "instance_url": instance,
            "id": f"{instance}/id/{org.credentials.organization_id}/{org.credentials.user_id}",
            "token_type": "Bearer",
            "issued_at": str(int(time.time() * 1000)),
            "signature": base64.b64encode(org.credentials.organization_id.encode()).decode(),
        }
    )


def _basic_credentials(request: Request) -> tuple[str, str] | None:
    header = request.headers.get("authorization", "")
    if not header.lower().startswith("basic "):
        return None
    try:
        decoded = base64.b64decode(header[6:]).decode()
    except (binascii.Error, UnicodeDecodeError):
        return None
    key, _, secret = decoded.partition(":")
    return key, secret


def _oauth_error(code: str, description: str) -> Response:
    return JSONResponse({"error": code, "error_description": description}, status_code=400)


def routes() -> list[Route]:
    return [
        Route("/services/Soap/u/{version}", soap_login, methods=["POST"]),
        Route("/{prefix:path}/services/Soap/u/{version}", soap_login, methods=["POST"]),
        Route("/services/oauth2/token", oauth_token, methods=["POST"]),
        Route("/{prefix:path}/services/oauth2/token", oauth_token, methods=["POST"]),
    ]
