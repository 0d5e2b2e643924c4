"""Serving an org over HTTPS, and the `server.json` file that tells clients where it is."""

from __future__ import annotations

import json
import os
import sys
from dataclasses import dataclass
from pathlib import Path

import uvicorn

from .app import create_app
from .faults import FaultPlan
from .org import DEFAULT_SCHEMA_FILE, Org
from .tls import ensure_tls

SERVER_FILE = "server.json"


@dataclass(frozen=True)
class ServerInfo:
    """Where a running emulator listens and which CA certificate its clients must trust."""

    base_url: str
    ca_file: str
    pid: int

    @classmethod
    def load(cls, state_dir: Path) -> ServerInfo:
        path = Path(state_dir) / SERVER_FILE
        if not path.exists():
            raise FileNotFoundError(f"no emulator is serving {state_dir} (missing {path})")
        return cls(**json.loads(path.read_text(encoding="utf-8")))

    @property
    def login_domain(self) -> str:
        """The `domain` that makes simple-salesforce log in here (it posts to https://{domain}.salesforce.com)."""
        return self.base_url.removeprefix("https://") + "/login"


def serve(
    state_dir: Path,
    port: int,
    host: str = "127.0.0.1",
    schema_file: Path | None = DEFAULT_SCHEMA_FILE,
    daily_api_limit: int | None = None,
    faults: FaultPlan | None = None,
) -> None:
    """Open (or create) the org in `state_dir` and serve it until interrupted."""
    org = Org(state_dir, schema_file, daily_api_limit)
    tls = ensure_tls(state_dir)
    info = ServerInfo(
        base_url=f"https://{host}:{port}", ca_file=str(tls.ca_certificate.resolve()), pid=os.getpid()
    )
    server_file = Path(state_dir) / SERVER_FILE
    # Written whole then renamed, so a client polling for the file never reads half of it.
    partial = server_file.with_suffix(".partial")
    partial.write_text(json.dumps(info.__dict__), encoding="utf-8")
    partial.replace(server_file)
    print(_banner(info, Path(state_dir)), file=sys.stderr, flush=True)
    try:
        uvicorn.run(
            create_app(org, faults),
            host=host,
            port=port,
            ssl_certfile=str(tls.server_certificate),
            ssl_keyfile=str(tls.server_key),
            log_level="warning",
            access_log=False,
            timeout_graceful_shutdown=1,
        )
    finally:
        server_file.unlink(missing_ok=True)
        org.close()


def _banner(info: ServerInfo, state_dir: Path) -> str:
    credentials = (state_dir / "credentials.json").resolve()
    return "\n".join(
        [
            f"Salesforce emulator serving {info.base_url} (org kept in {state_dir.resolve()})",
            f"  CA certificate to trust:  {info.ca_file}",
            f"  integration-user secrets: {credentials} (username, password, security_token, consumer key/secret)",
            "  simple-salesforce:",
            "    session = requests.Session()",
            f"    session.mount('https://', sfsync_assets.lib.salesforce.connection.CaBundleAdapter('{info.ca_file}'))",
            f"    Salesforce(username=..., password=..., security_token=..., domain='{info.login_domain}', "
            "session=session)",
            f"  or set REQUESTS_CA_BUNDLE={info.ca_file} and use domain='{info.login_domain}'",
        ]
    )
