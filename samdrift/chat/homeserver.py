"""The Synapse homeserver samdrift runs and controls (issue 13, ADR 0650).

`write_config()` generates `homeserver.yaml` (JSON, which YAML reads), the log configuration and the
application-service registration from samdrift's settings; the signing key and the secrets are
made once in the chat folder, owner-only, like the audit key. `start()` / `stop()` / `status()`
run Synapse from its own virtual environment as a child process whose id is kept in a pid file.
"""

from __future__ import annotations

import base64
import json
import os
import secrets
import signal
import socket
import subprocess
import time
from dataclasses import dataclass
from pathlib import Path
from typing import Any
from urllib.parse import urlparse

import requests
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey
from cryptography.hazmat.primitives.serialization import Encoding, NoEncryption, PrivateFormat

from . import conf

APPSERVICE_ID = "samdrift"
SECRET_NAMES = ("as_token", "hs_token", "macaroon_secret_key", "form_secret")


class HomeserverError(RuntimeError):
    pass


def _write_private(path: Path, text: str) -> None:
    """Owner-only from the first byte; a concurrent first writer keeps its content."""
    path.parent.mkdir(parents=True, exist_ok=True)
    try:
        fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    except FileExistsError:
        return
    with os.fdopen(fd, "w") as handle:
        handle.write(text)


def secret(name: str) -> str:
    """One of the homeserver's secrets (made once, kept in the chat folder, never in git)."""
    if name not in SECRET_NAMES:
        raise KeyError(name)
    path = conf.chat_dir() / "secrets" / name
    if not path.exists():
        _write_private(path, secrets.token_urlsafe(48) + "\n")
    return path.read_text().strip()


def signing_key_path() -> Path:
    """Synapse's ed25519 signing key (`ed25519 <key id> <unpadded base64 seed>`), made once."""
    path = conf.chat_dir() / "signing.key"
    if not path.exists():
        seed = Ed25519PrivateKey.generate().private_bytes(
            Encoding.Raw, PrivateFormat.Raw, NoEncryption()
        )
        key_id = "a_" + secrets.token_hex(2)
        encoded = base64.b64encode(seed).decode().rstrip("=")
        _write_private(path, f"ed25519 {key_id} {encoded}\n")
    return path


def _database(folder: Path) -> dict[str, Any]:
    url = conf.database_url()
    if not url:
        return {"name": "sqlite3", "args": {"database": str(folder / "homeserver.db")}}
    parts = urlparse(url)
    return {
        "name": "psycopg2",
        "args": {
            "user": parts.username or "",
            "password": parts.password or "",
            "host": parts.hostname or "127.0.0.1",
            "port": parts.port or 5432,
            "database": parts.path.lstrip("/"),
            "cp_min": 1,
            "cp_max": 10,
        },
    }


def registration() -> dict[str, Any]:
    """The application-service registration: samdrift owns its users and aliases exclusively."""
    prefix = conf.localpart_prefix()
    server = conf.server_name().replace(".", "\\.")
    return {
        "id": APPSERVICE_ID,
        "url": conf.appservice_url(),
        "as_token": secret("as_token"),
        "hs_token": secret("hs_token"),
        "sender_localpart": conf.bot_localpart(),
        "rate_limited": False,
        "namespaces": {
            "users": [{"exclusive": True, "regex": f"@{prefix}.*:{server}"}],
            "aliases": [{"exclusive": True, "regex": f"#{prefix}.*:{server}"}],
            "rooms": [],
        },
    }


def homeserver_config(listen_port: int) -> dict[str, Any]:
    folder = conf.chat_dir()
    whitelist = conf.federation_domain_whitelist()
    resources = ["client"] + (["federation"] if whitelist else [])
    retention: dict[str, Any] = {"enabled": True}
    if conf.retention_max_lifetime():
        retention["default_policy"] = {"max_lifetime": conf.retention_max_lifetime()}
    return {
        "server_name": conf.server_name(),
        "public_baseurl": f"http://127.0.0.1:{listen_port}/",
        "listeners": [
            {
                "port": listen_port,
                "bind_addresses": ["127.0.0.1"],
                "type": "http",
                "tls": False,
                "x_forwarded": False,
                "resources": [{"names": resources, "compress": False}],
            }
        ],
        "database": _database(folder),
        "log_config": str(folder / "log.config"),
        "media_store_path": str(folder / "media"),
        "signing_key_path": str(signing_key_path()),
        "macaroon_secret_key": secret("macaroon_secret_key"),
        "form_secret": secret("form_secret"),
        "report_stats": False,
        "enable_metrics": False,
        "enable_registration": False,
        "password_config": {"enabled": False},
        "app_service_config_files": [str(folder / "appservice.yaml")],
        # Federation only with the allow-list; an empty list federates with no one.
        "federation_domain_whitelist": whitelist,
        "trusted_key_servers": [],
        "suppress_key_server_warning": True,
        "allow_public_rooms_over_federation": False,
        "allow_public_rooms_without_auth": False,
        "url_preview_enabled": False,
        "presence": {"enabled": False},
        "retention": retention,
        "max_upload_size": "50M",
    }


def _log_config(folder: Path) -> dict[str, Any]:
    return {
        "version": 1,
        "formatters": {"plain": {"format": "%(asctime)s %(levelname)s %(name)s %(message)s"}},
        "handlers": {
            "file": {
                "class": "logging.handlers.RotatingFileHandler",
                "formatter": "plain",
                "filename": str(folder / "homeserver.log"),
                "maxBytes": 10_000_000,
                "backupCount": 3,
            }
        },
        "root": {"level": "WARNING", "handlers": ["file"]},
        "disable_existing_loggers": False,
    }


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


def write_config(listen_port: int | None = None) -> Path:
    """Write homeserver.yaml, log.config and appservice.yaml; returns the homeserver file."""
    folder = conf.chat_dir()
    (folder / "media").mkdir(parents=True, exist_ok=True)
    chosen = listen_port or conf.port() or free_port()
    files = {
        "log.config": _log_config(folder),
        "appservice.yaml": registration(),
        "homeserver.yaml": homeserver_config(chosen),
    }
    for name, content in files.items():
        path = folder / name
        path.write_text(json.dumps(content, indent=2) + "\n")
        path.chmod(0o600)
    return folder / "homeserver.yaml"


@dataclass(frozen=True)
class Status:
    running: bool
    pid: int | None
    url: str
    version: str = ""


def _pid() -> int | None:
    path = conf.chat_dir() / "homeserver.pid"
    try:
        pid = int(path.read_text().strip())
        os.kill(pid, 0)
    except (OSError, ValueError):
        return None
    return pid


def probe(url: str, timeout: float = 2.0) -> str:
    """The homeserver's version as it answers on its client API; empty when it does not."""
    try:
        answer = requests.get(f"{url}/_synapse/admin/v1/server_version", timeout=timeout)
        return str(answer.json().get("server_version", "")) if answer.ok else ""
    except (requests.RequestException, ValueError):
        return ""


def healthy() -> bool | None:
    """For the status pages (`core.health`): None when chat is off, else whether it answers."""
    if not conf.enabled():
        return None
    return bool(probe(conf.homeserver_url(), timeout=1.0))


def status() -> Status:
    url = conf.homeserver_url()
    version = probe(url)
    return Status(running=bool(version), pid=_pid(), url=url, version=version)


def start(*, listen_port: int | None = None, wait: float = 60.0) -> Status:
    """Start Synapse (generating its configuration first) and wait until it answers."""
    python = conf.synapse_python()
    if not python.exists():
        raise HomeserverError(
            "Synapse is not installed: run scripts/ensure-synapse.sh / "
            "Synapse är inte installerad: kör scripts/ensure-synapse.sh"
        )
    current = status()
    if current.running and current.pid:
        return current
    chosen = listen_port or conf.port() or free_port()
    config = write_config(chosen)
    folder = conf.chat_dir()
    url = f"http://127.0.0.1:{chosen}"
    (folder / "homeserver.url").write_text(url + "\n")
    with open(folder / "homeserver.out", "ab") as out:
        process = subprocess.Popen(  # noqa: S603 - our own venv, our own config path
            [str(python), "-m", "synapse.app.homeserver", "--config-path", str(config)],
            cwd=folder,
            stdout=out,
            stderr=subprocess.STDOUT,
            start_new_session=True,
        )
    deadline = time.monotonic() + wait
    while time.monotonic() < deadline:
        if process.poll() is not None:
            tail = (folder / "homeserver.out").read_text(errors="replace")[-2000:]
            raise HomeserverError(f"Synapse stopped at start (exit {process.returncode}):\n{tail}")
        version = probe(url, timeout=1.0)
        if version:
            (folder / "homeserver.pid").write_text(f"{process.pid}\n")
            return Status(running=True, pid=process.pid, url=url, version=version)
        time.sleep(0.2)
    process.kill()
    raise HomeserverError(f"Synapse did not answer on {url} within {wait:.0f} s")


def _alive(pid: int) -> bool:
    try:  # our own child is reaped here, else it lingers as a zombie that kill(0) still finds
        if os.waitpid(pid, os.WNOHANG)[0] == pid:
            return False
    except ChildProcessError:
        pass
    try:
        os.kill(pid, 0)
    except OSError:
        return False
    return True


def stop(timeout: float = 20.0) -> bool:
    """Stop the Synapse this chat folder started (by its process id); False if none ran."""
    pid = _pid()
    if pid is None:
        return False
    os.kill(pid, signal.SIGTERM)
    deadline = time.monotonic() + timeout
    while _alive(pid) and time.monotonic() < deadline:
        time.sleep(0.1)
    if _alive(pid):
        os.kill(pid, signal.SIGKILL)
    (conf.chat_dir() / "homeserver.pid").unlink(missing_ok=True)
    return True
