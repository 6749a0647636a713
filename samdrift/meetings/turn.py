"""The TURN server samdrift runs beside Janus (coturn's `turnserver`, issue 14, ADR 0678): its
configuration generated from samdrift's settings with the shared secret of ADR 0672, started and
stopped like Janus, and probed with a real STUN Binding request (RFC 5389)."""

from __future__ import annotations

import os
import re
import secrets
import shutil
import socket
import struct
from pathlib import Path

from samdrift.core import engines
from samdrift.core.engines import EngineError, free_port, running_pid

from . import conf, engine

STUN_BINDING_REQUEST, STUN_BINDING_SUCCESS, STUN_MAGIC = 0x0001, 0x0101, 0x2112A442


def binary() -> str | None:
    return shutil.which(str(conf.turn_binary()))


def config(port: int, folder: Path) -> str:
    """Long-term credentials from the shared secret only (no static users); loopback relays are
    allowed only when it listens on loopback (a one-machine set-up, `make run`)."""
    host = conf.turn_listen_ip()
    lines = [
        f"listening-ip={host}",
        f"relay-ip={host}",
        f"listening-port={port}",
        "use-auth-secret",
        f"static-auth-secret={engine.secret('turn_secret')}",
        f"realm={conf.turn_realm()}",
        "fingerprint",
        "no-cli",
        "no-tls",
        "no-dtls",
        "no-multicast-peers",
        "simple-log",
        f"log-file={folder / 'turn.log'}",
        f"pidfile={folder / 'turnserver.pid'}",
        f"min-port={conf.turn_relay_ports()[0]}",
        f"max-port={conf.turn_relay_ports()[1]}",
    ]
    if host.startswith("127."):
        lines.append("allow-loopback-peers")
    return "\n".join(lines) + "\n"


def stun_answers(host: str, port: int, timeout: float = 1.0) -> str:
    """Send one STUN Binding request over UDP; the answer's type when it is a Binding success
    with our transaction id ("stun"), else empty."""
    transaction = secrets.token_bytes(12)
    request = struct.pack("!HHI", STUN_BINDING_REQUEST, 0, STUN_MAGIC) + transaction
    with socket.socket(socket.AF_INET, socket.SOCK_DGRAM) as sock:
        sock.settimeout(timeout)
        try:
            sock.sendto(request, (host, port))
            answer, _ = sock.recvfrom(2048)
        except OSError:
            return ""
    if len(answer) < 20:
        return ""
    kind, _length, magic = struct.unpack("!HHI", answer[:8])
    ok = kind == STUN_BINDING_SUCCESS and magic == STUN_MAGIC and answer[8:20] == transaction
    return "stun" if ok else ""


def healthy() -> bool | None:
    """For the status pages (`core.health`): None when meetings are off or no TURN server is
    handed out, else whether the first one answers a STUN Binding request."""
    urls = conf.turn_urls() if conf.enabled() else []
    if not urls:
        return None
    found = re.match(r"turns?:\[?([^\]?]+?)\]?:(\d+)", urls[0])
    if found is None:
        return False
    return bool(stun_answers(found.group(1), int(found.group(2)), timeout=2.0))


def _pid_file() -> Path:
    return conf.meetings_dir() / "turn.pid"


def running() -> int | None:
    return running_pid(_pid_file())


def start(*, port: int | None = None, wait: float = 20.0) -> str:
    """Start coturn with a generated configuration; returns the TURN URL browsers are given
    (also written to the meetings folder, where `conf.turn_urls()` finds it)."""
    found = binary()
    if found is None:
        raise EngineError(
            "coturn is not installed: run scripts/ensure-janus.sh / "
            "coturn är inte installerad: kör scripts/ensure-janus.sh"
        )
    state = conf.meetings_dir()
    url_file = state / "turn.url"
    if running() and url_file.exists():
        return url_file.read_text().strip()
    chosen = port or conf.turn_port() or free_port()
    folder = state / "turn"
    folder.mkdir(parents=True, exist_ok=True)
    config_file = folder / "turnserver.conf"
    config_file.write_text(config(chosen, folder))
    os.chmod(config_file, 0o600)  # it holds the shared secret
    host = conf.turn_listen_ip()
    engines.start(
        [found, "-c", str(config_file)],
        name="coturn",
        cwd=state,
        output=state / "turn.out",
        pid_file=_pid_file(),
        probe=lambda: stun_answers(host, chosen),
        wait=wait,
    )
    url = f"turn:{host}:{chosen}?transport=udp"
    url_file.write_text(url + "\n")
    return url


def stop(timeout: float = 10.0) -> bool:
    (conf.meetings_dir() / "turn.url").unlink(missing_ok=True)
    return engines.stop(_pid_file(), timeout)
