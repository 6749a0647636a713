"""Other agencies' homeservers for the federation tests (ADR 0665): each a REAL Synapse of its own
on the loopback — own folder, own server name (`localhost:<port>`, reached directly), own
ed25519 signing key, own self-signed TLS certificate, own SQLite database — configured here as
an ordinary standalone Synapse (client and federation on one TLS listener, password login,
users made through its shared-secret admin registration), not by samdrift. Stopped by the
process id it was started with."""

from __future__ import annotations

import base64
import hashlib
import hmac
import json
import secrets
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any
from urllib.parse import quote

import requests
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey

from samdrift.chat.homeserver import self_signed_certificate
from samdrift.core import engines


@dataclass
class Homeserver:
    """One other agency's Synapse."""

    folder: Path
    port: int
    signing_key: Ed25519PrivateKey
    key_id: str
    shared_secret: str
    pid: int = 0
    tokens: dict[str, str] = field(default_factory=dict)

    @property
    def name(self) -> str:
        return f"localhost:{self.port}"

    @property
    def url(self) -> str:
        return f"https://127.0.0.1:{self.port}"

    @property
    def certificate(self) -> str:
        """Its own certificate: the tests' HTTP client verifies it (no `verify=False`)."""
        return str(self.folder / "federation-tls.crt")

    def request(
        self, method: str, path: str, *, user: str = "", timeout: float = 30, **kwargs: Any
    ) -> requests.Response:
        headers = {"Authorization": f"Bearer {self.tokens[user]}"} if user else {}
        return requests.request(
            method, f"{self.url}{path}", headers=headers, verify=self.certificate,
            timeout=timeout, **kwargs,
        )  # fmt: skip

    def client(self, method: str, path: str, user: str, body: Any = None) -> requests.Response:
        """A client-server API call as one of this server's users."""
        return self.request(method, f"/_matrix/client/v3{path}", user=user, json=body)

    def register(self, localpart: str) -> str:
        """A user made through the admin API's shared-secret registration, then logged in."""
        nonce = self.request("GET", "/_synapse/admin/v1/register").json()["nonce"]
        password = secrets.token_urlsafe(16)
        mac = hmac.new(self.shared_secret.encode(), digestmod=hashlib.sha1)
        mac.update(f"{nonce}\0{localpart}\0{password}\0notadmin".encode())
        answer = self.request(
            "POST", "/_synapse/admin/v1/register",
            json={"nonce": nonce, "username": localpart, "password": password, "admin": False,
                  "mac": mac.hexdigest()},
        )  # fmt: skip
        answer.raise_for_status()
        uid = str(answer.json()["user_id"])
        self.tokens[uid] = str(answer.json()["access_token"])
        return uid

    def signed(
        self, method: str, destination: str, url: str, path: str, *, verify: str,
        content: Any = None,
    ) -> requests.Response:  # fmt: skip
        """A federation request from this server, signed with its key (Matrix spec,
        "Request Authentication"), as its Synapse would send it."""
        request: dict[str, Any] = {
            "method": method, "uri": path, "origin": self.name, "destination": destination,
        }  # fmt: skip
        if content is not None:
            request["content"] = content
        canonical = json.dumps(request, sort_keys=True, separators=(",", ":"), ensure_ascii=False)
        signature = base64.b64encode(self.signing_key.sign(canonical.encode())).decode().rstrip("=")
        header = (
            f'X-Matrix origin="{self.name}",destination="{destination}",'
            f'key="ed25519:{self.key_id}",sig="{signature}"'
        )
        return requests.request(
            method, f"{url}{path}", headers={"Authorization": header},
            json=content, verify=verify, timeout=30,
        )  # fmt: skip


def _config(server: Homeserver, allow: list[str] | None) -> dict[str, Any]:
    folder = server.folder
    cert, key = self_signed_certificate(folder, "localhost")
    return {
        "server_name": server.name,
        "public_baseurl": f"{server.url}/",
        "listeners": [
            {
                "port": server.port,
                "bind_addresses": ["127.0.0.1"],
                "type": "http",
                "tls": True,
                "x_forwarded": False,
                "resources": [{"names": ["client", "federation"]}],
            }
        ],
        "tls_certificate_path": str(cert),
        "tls_private_key_path": str(key),
        "database": {"name": "sqlite3", "args": {"database": str(folder / "homeserver.db")}},
        "log_config": str(folder / "log.config"),
        "media_store_path": str(folder / "media"),
        "signing_key_path": str(folder / "signing.key"),
        "registration_shared_secret": server.shared_secret,
        "macaroon_secret_key": secrets.token_urlsafe(32),
        "form_secret": secrets.token_urlsafe(32),
        "report_stats": False,
        "enable_registration": False,
        "presence": {"enabled": False},
        "trusted_key_servers": [],
        "suppress_key_server_warning": True,
        # None: federates with anyone (the server not on samdrift's list); else its own list.
        "federation_domain_whitelist": allow,
        # Loopback only: every server here has a self-signed certificate for localhost.
        "federation_verify_certificates": False,
        "ip_range_whitelist": ["127.0.0.1", "::1"],
        "rc_message": {"per_second": 100, "burst_count": 100},
        "rc_joins": {
            "local": {"per_second": 100, "burst_count": 100},
            "remote": {"per_second": 100, "burst_count": 100},
        },
    }


def _log_config(folder: Path) -> dict[str, Any]:
    return {
        "version": 1,
        "formatters": {"plain": {"format": "%(asctime)s %(levelname)s %(name)s %(message)s"}},
        "handlers": {"file": {"class": "logging.FileHandler", "formatter": "plain",
                              "filename": str(folder / "homeserver.log")}},
        "root": {"level": "WARNING", "handlers": ["file"]},
        "disable_existing_loggers": False,
    }  # fmt: skip


def prepare(folder: Path, *, allow: list[str] | None) -> tuple[Homeserver, list[str]]:
    """Write a homeserver's folder (configuration, signing key, certificate); returns it and the
    command that starts it."""
    folder.mkdir(parents=True, exist_ok=True)
    (folder / "media").mkdir(exist_ok=True)
    key = Ed25519PrivateKey.generate()
    key_id = "a_" + secrets.token_hex(2)
    seed = key.private_bytes_raw()
    engines.write_private(
        folder / "signing.key", f"ed25519 {key_id} {base64.b64encode(seed).decode().rstrip('=')}\n"
    )
    server = Homeserver(folder, engines.free_port(), key, key_id, secrets.token_urlsafe(32))
    for name, content in (("homeserver.yaml", _config(server, allow)),
                          ("log.config", _log_config(folder))):  # fmt: skip
        (folder / name).write_text(json.dumps(content, indent=2) + "\n")
        (folder / name).chmod(0o600)
    return server, [
        "-m",
        "synapse.app.homeserver",
        "--config-path",
        str(folder / "homeserver.yaml"),
    ]


def start(server: Homeserver, python: str, argv: list[str], wait: float = 90.0) -> None:
    def probe() -> str:
        try:
            answer = server.request("GET", "/_matrix/federation/v1/version", timeout=1)
            return str(answer.json()["server"]["version"]) if answer.ok else ""
        except (requests.RequestException, ValueError, KeyError):
            return ""

    server.pid, _version = engines.start(
        [python, *argv], name=f"Synapse {server.name}", cwd=server.folder,
        output=server.folder / "homeserver.out", pid_file=server.folder / "homeserver.pid",
        probe=probe, wait=wait,
    )  # fmt: skip


def stop(server: Homeserver) -> None:
    engines.stop(server.folder / "homeserver.pid")


def eventually(check: Callable[[], Any], *, timeout: float = 30.0, every: float = 0.25) -> Any:
    """`check()`'s first truthy answer; federation delivers in the background. Fails with the
    last answer when none came within `timeout`."""
    deadline = time.monotonic() + timeout
    last: Any = None
    while time.monotonic() < deadline:
        last = check()
        if last:
            return last
        time.sleep(every)
    raise AssertionError(f"not within {timeout:.0f} s; last: {last!r}")


def room_path(room_id: str) -> str:
    return f"/rooms/{quote(room_id)}"
