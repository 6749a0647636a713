"""The Janus media server samdrift runs and controls (issue 14, ADR 0670).

`write_config()` generates Janus's configuration folder from samdrift's settings: the core
(`janus.jcfg`: token authentication on, an API secret and an admin secret that only samdrift
knows), the HTTP transport (API and admin API on loopback only, each on its own port) and the
VideoRoom plug-in (string room ids; rooms only with the admin key). Every other plug-in and
transport is disabled. `start()` / `stop()` / `status()` run Janus as a child process whose id is
kept in a pid file. The secrets are made once in the meetings folder, owner-only.
"""

from __future__ import annotations

import hashlib
import hmac
import secrets
from dataclasses import dataclass
from pathlib import Path

import requests

from samdrift.core import engines
from samdrift.core.engines import EngineError, free_port, running_pid, write_private

from . import conf

SECRET_NAMES = ("api_secret", "admin_secret", "admin_key", "room_key", "turn_secret")
VIDEOROOM = "janus.plugin.videoroom"
KEPT_PLUGINS = ("libjanus_videoroom.so",)
KEPT_TRANSPORTS = ("libjanus_http.so",)


def secret(name: str) -> str:
    """One of Janus's secrets (made once, kept in the meetings folder, never in git)."""
    if name not in SECRET_NAMES:
        raise KeyError(name)
    path = conf.meetings_dir() / "secrets" / name
    if not path.exists():
        write_private(path, secrets.token_urlsafe(32) + "\n")
    return path.read_text().strip()


def room_secret(janus_room: str) -> str:
    """The secret Janus asks for to edit, kick in, moderate or destroy one room: derived from a
    key of samdrift's, so it is never stored and never leaves samdrift."""
    key = secret("room_key").encode()
    return hmac.new(key, f"room:{janus_room}".encode(), hashlib.sha256).hexdigest()


def _quote(value: str) -> str:
    return '"' + value.replace("\\", "\\\\").replace('"', '\\"') + '"'


def _disabled(folder: str, kept: tuple[str, ...]) -> str:
    try:
        names = sorted(p.name for p in Path(folder).glob("*.so"))
    except OSError:
        names = []
    return ",".join(name for name in names if name not in kept)


def core_config(folder: Path) -> str:
    lines = [
        "general: {",
        f"\tconfigs_folder = {_quote(str(folder))}",
        f"\tplugins_folder = {_quote(conf.plugins_folder())}",
        f"\ttransports_folder = {_quote(conf.transports_folder())}",
        f"\tevents_folder = {_quote(str(folder / 'none'))}",
        f"\tloggers_folder = {_quote(str(folder / 'none'))}",
        f"\tlog_to_file = {_quote(str(folder / 'janus.log'))}",
        "\tdebug_level = 4",
        '\tserver_name = "samdrift"',
        f"\tapi_secret = {_quote(secret('api_secret'))}",
        # Nothing reaches Janus without a token samdrift added through the admin API (ADR 0671).
        "\ttoken_auth = true",
        f"\tadmin_secret = {_quote(secret('admin_secret'))}",
        "\tsession_timeout = 60",
        "}",
        "media: {",
        f"\trtp_port_range = {_quote(conf.rtp_port_range())}",
        "}",
        "nat: {",
        "\tnice_debug = false",
        '\tice_ignore_list = "vmnet"',
        "}",
        "plugins: {",
        f"\tdisable = {_quote(_disabled(conf.plugins_folder(), KEPT_PLUGINS))}",
        "}",
        "transports: {",
        f"\tdisable = {_quote(_disabled(conf.transports_folder(), KEPT_TRANSPORTS))}",
        "}",
        "events: {",
        "\tbroadcast = false",
        "}",
    ]
    return "\n".join(lines) + "\n"


def http_config(listen_port: int, admin_port: int) -> str:
    return (
        "general: {\n"
        '\tjson = "plain"\n'
        '\tbase_path = "/janus"\n'
        "\thttp = true\n"
        f"\tport = {listen_port}\n"
        '\tip = "127.0.0.1"\n'
        "\thttps = false\n"
        "}\n"
        "admin: {\n"
        '\tadmin_base_path = "/admin"\n'
        "\tadmin_http = true\n"
        f"\tadmin_port = {admin_port}\n"
        '\tadmin_ip = "127.0.0.1"\n'
        '\tadmin_acl = "127."\n'
        "\tadmin_https = false\n"
        "}\n"
    )


def videoroom_config() -> str:
    return (
        "general: {\n"
        f"\tadmin_key = {_quote(secret('admin_key'))}\n"
        "\tlock_rtp_forward = true\n"
        "\tstring_ids = true\n"
        "}\n"
    )


def write_config(listen_port: int, admin_port: int) -> Path:
    """Write janus.jcfg, the HTTP transport's and the VideoRoom plug-in's; returns the folder."""
    folder = conf.meetings_dir() / "janus"
    (folder / "none").mkdir(parents=True, exist_ok=True)
    files = {
        "janus.jcfg": core_config(folder),
        "janus.transport.http.jcfg": http_config(listen_port, admin_port),
        "janus.plugin.videoroom.jcfg": videoroom_config(),
    }
    for name, content in files.items():
        path = folder / name
        path.write_text(content)
        path.chmod(0o600)
    return folder


@dataclass(frozen=True)
class Status:
    running: bool
    pid: int | None
    url: str
    version: str = ""


def _pid_file() -> Path:
    return conf.meetings_dir() / "janus.pid"


def probe(url: str, timeout: float = 2.0) -> str:
    """Janus's version as `GET /janus/info` answers it; empty when it does not answer."""
    try:
        answer = requests.get(f"{url}/info", timeout=timeout)
        body = answer.json() if answer.ok else {}
    except (requests.RequestException, ValueError):
        return ""
    if body.get("janus") != "server_info":
        return ""
    return str(body.get("version_string", "")) or "?"


def healthy() -> bool | None:
    """For the status pages (`core.health`): None when meetings are off, else whether it answers."""
    if not conf.enabled():
        return None
    return bool(probe(conf.janus_url(), timeout=2.0))  # a busy machine is not an outage


def status() -> Status:
    url = conf.janus_url()
    version = probe(url)
    return Status(running=bool(version), pid=running_pid(_pid_file()), url=url, version=version)


def start(
    *, listen_port: int | None = None, admin_port: int | None = None, wait: float = 30.0
) -> Status:
    """Start Janus (generating its configuration first) and wait until `/janus/info` answers."""
    binary = conf.janus_binary()
    if not Path(binary).exists():
        raise EngineError(
            "Janus is not installed: run scripts/ensure-janus.sh / "
            "Janus är inte installerad: kör scripts/ensure-janus.sh"
        )
    current = status()
    if current.running and current.pid:
        return current
    chosen = listen_port or conf.port() or free_port()
    admin = admin_port or conf.admin_port() or free_port()
    folder = write_config(chosen, admin)
    state = conf.meetings_dir()
    url = f"http://127.0.0.1:{chosen}/janus"
    (state / "janus.url").write_text(url + "\n")
    (state / "janus.admin_url").write_text(f"http://127.0.0.1:{admin}/admin\n")
    argv = [binary, "--configs-folder", str(folder), "--config", str(folder / "janus.jcfg"),
            "--disable-colors"]  # fmt: skip
    pid, version = engines.start(
        argv,
        name="Janus",
        cwd=state,
        output=state / "janus.out",
        pid_file=_pid_file(),
        probe=lambda: probe(url, timeout=1.0),
        wait=wait,
    )
    return Status(running=True, pid=pid, url=url, version=version)


def stop(timeout: float = 10.0) -> bool:
    """Stop the Janus this meetings folder started (by its process id); False if none ran."""
    return engines.stop(_pid_file(), timeout)
