"""Meetings configuration (issue 14): every knob has a default here and can be set as a Django
setting (`MEETINGS_…`) or an environment variable (`SAMDRIFT_MEETINGS_…`), like chat's (ADR 0670).

Janus's generated configuration, its secrets, pid file and log live in `meetings_dir()`, by
default `DATA_DIR/meetings`, beside samdrift's other keys.
"""

from __future__ import annotations

import json
import os
from pathlib import Path
from typing import Any

from django.conf import settings


def _get(name: str, default: Any) -> Any:
    if hasattr(settings, f"MEETINGS_{name}"):
        return getattr(settings, f"MEETINGS_{name}")
    return os.environ.get(f"SAMDRIFT_MEETINGS_{name}", default)


def meetings_dir() -> Path:
    return Path(_get("DIR", Path(settings.DATA_DIR) / "meetings"))


def janus_binary() -> str:
    return str(_get("JANUS_BINARY", "/usr/bin/janus"))


def plugins_folder() -> str:
    return str(_get("PLUGINS_FOLDER", "/usr/lib/x86_64-linux-gnu/janus/plugins"))


def transports_folder() -> str:
    return str(_get("TRANSPORTS_FOLDER", "/usr/lib/x86_64-linux-gnu/janus/transports"))


def port() -> int:
    """Janus's HTTP API port on loopback; 0 picks a free one at each start."""
    return int(_get("PORT", 8088))


def admin_port() -> int:
    """Janus's admin API port on loopback; 0 picks a free one at each start."""
    return int(_get("ADMIN_PORT", 7088))


def rtp_port_range() -> str:
    return str(_get("RTP_PORT_RANGE", "20000-40000"))


def janus_url() -> str:
    """Where samdrift reaches Janus's API: the setting, else what the running one wrote."""
    return _state("URL", "janus.url", f"http://127.0.0.1:{port()}/janus")


def public_url() -> str:
    """Where browsers reach Janus's API (a reverse proxy's https address in production); by
    default the address samdrift itself uses, which on one machine is the same."""
    configured = str(_get("PUBLIC_URL", ""))
    return configured.rstrip("/") if configured else janus_url()


def admin_url() -> str:
    return _state("ADMIN_URL", "janus.admin_url", f"http://127.0.0.1:{admin_port()}/admin")


def _state(name: str, filename: str, default: str) -> str:
    configured = str(_get(name, ""))
    if configured:
        return configured.rstrip("/")
    state = meetings_dir() / filename
    if state.exists():
        return state.read_text().strip().rstrip("/")
    return default


def token_ttl() -> int:
    """Seconds a Janus token samdrift issues lives before the sweep removes it from Janus."""
    return int(_get("TOKEN_TTL", 600))


def turn_urls() -> list[str]:
    """The TURN server(s) the browsers are given (`turn:host:3478?transport=udp`): the setting,
    else the one `samdrift meetings start` runs; empty: none."""
    value = _get("TURN_URLS", [])
    if isinstance(value, str):
        value = json.loads(value) if value.strip().startswith("[") else value.split(",")
    urls = [str(v).strip() for v in value if str(v).strip()]
    if not urls:
        started = meetings_dir() / "turn.url"
        urls = [started.read_text().strip()] if started.exists() else []
    return urls


def turn_binary() -> str:
    return str(_get("TURN_BINARY", "turnserver"))


def turn_port() -> int:
    """coturn's port (UDP and TCP); 0 picks a free one at each start."""
    return int(_get("TURN_PORT", 3478))


def turn_listen_ip() -> str:
    """Where coturn listens and relays; loopback on one machine, the public address in use."""
    return str(_get("TURN_LISTEN_IP", "127.0.0.1"))


def turn_realm() -> str:
    return str(_get("TURN_REALM", "samdrift"))


def turn_relay_ports() -> tuple[int, int]:
    low, _, high = str(_get("TURN_RELAY_PORTS", "49160-49300")).partition("-")
    return int(low), int(high)


def turn_ttl() -> int:
    """Seconds a TURN credential is valid (coturn checks the expiry in the username)."""
    return int(_get("TURN_TTL", 600))


def enabled() -> bool:
    """Whether samdrift creates rooms on Janus (`make run` turns it on when Janus is installed)."""
    value = _get("ENABLED", "")
    return value is True or str(value).strip().lower() in ("1", "true", "yes", "on")


def ffmpeg_binary() -> str:
    """The ffmpeg that packages a webinar's broadcast as HLS (ADR 0970)."""
    return str(_get("FFMPEG_BINARY", "/usr/bin/ffmpeg"))


def hls_segment_seconds() -> int:
    """Length of one HLS segment: viewers are about three segments behind the presenter."""
    return int(_get("HLS_SEGMENT_SECONDS", 2))
