"""A real clamd for the tests: its own folder, socket, configuration and a signature database the
tests write themselves (no download possible or needed). Started once per test session (per
xdist worker), stopped by its process id."""

from __future__ import annotations

import hashlib
import os
import shutil
import signal
import socket
import subprocess
import time
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path

SCRIPT = Path(__file__).resolve().parents[4] / "scripts" / "ensure-clamav.sh"

# The EICAR anti-virus test file: harmless, and recognised by every scanner by agreement.
EICAR = rb"X5O!P%@AP[4\PZX54(P^)7CC)7}$EICAR-STANDARD-ANTIVIRUS-TEST-FILE!$H+H*"
SIGNATURE_FILE = "Samdrift.Test.EICAR.File"
SIGNATURE_BODY = "Samdrift.Test.EICAR.Body"


def clamd_binary() -> str | None:
    return shutil.which("clamd") or (
        "/usr/sbin/clamd" if os.access("/usr/sbin/clamd", os.X_OK) else None
    )


def ensure_installed() -> str | None:
    """Install clamd when missing and possible; the binary, or None (the reason is printed)."""
    if clamd_binary() is None:
        subprocess.run(["bash", str(SCRIPT)], check=False, timeout=900)
    return clamd_binary()


@dataclass(frozen=True)
class Clamd:
    unix_address: str
    tcp_address: str
    directory: Path
    pid: int


def _free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


def _write_database(directory: Path) -> None:
    directory.mkdir(parents=True, exist_ok=True)
    # .hdb: MD5 of the whole file, its size, a name. .ndb: the bytes anywhere in any file.
    md5 = hashlib.md5(EICAR, usedforsecurity=False).hexdigest()
    (directory / "samdrift-test.hdb").write_text(f"{md5}:{len(EICAR)}:{SIGNATURE_FILE}\n")
    (directory / "samdrift-test.ndb").write_text(f"{SIGNATURE_BODY}:0:*:{EICAR.hex()}\n")


@contextmanager
def running_clamd(
    directory: Path, *, stream_max: str = "8M", max_file: str = ""
) -> Iterator[Clamd]:
    binary = ensure_installed()
    if binary is None:
        raise RuntimeError("clamd is not installed and could not be installed")
    _write_database(directory / "db")
    (directory / "tmp").mkdir(exist_ok=True)
    sock = directory / "clamd.sock"
    for _attempt in range(3):
        port = _free_port()  # released and bound again by clamd: tried again if taken meanwhile
        config = directory / "clamd.conf"
        config.write_text(
            "\n".join(
                [
                    "Foreground yes",
                    f"LocalSocket {sock}",
                    "TCPAddr 127.0.0.1",
                    f"TCPSocket {port}",
                    f"DatabaseDirectory {directory / 'db'}",
                    f"TemporaryDirectory {directory / 'tmp'}",
                    f"LogFile {directory / 'clamd.log'}",
                    f"PidFile {directory / 'clamd.pid'}",
                    f"StreamMaxLength {stream_max}",
                    # what samdrift's documentation asks of a production clamd: the whole
                    # file scanned up to the stream limit, and a file past a limit reported
                    f"MaxFileSize {max_file or stream_max}",
                    f"MaxScanSize {max_file or stream_max}",
                    "AlertExceedsMax yes",
                    "MaxThreads 2",
                    "Bytecode no",
                    "",
                ]
            )
        )
        process = subprocess.Popen(
            [binary, "--config-file", str(config)],
            stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL,
            start_new_session=True,
        )
        deadline = time.monotonic() + 60
        ready = False
        while time.monotonic() < deadline and process.poll() is None:
            if sock.exists() and _answers(sock, port):
                ready = True
                break
            time.sleep(0.1)
        if ready:
            break
        _stop(process)
    else:
        log = (directory / "clamd.log").read_text() if (directory / "clamd.log").exists() else ""
        raise RuntimeError(f"clamd did not start:\n{log[-4000:]}")
    try:
        yield Clamd(f"unix://{sock}", f"tcp://127.0.0.1:{port}", directory, process.pid)
    finally:
        _stop(process)


def _answers(sock: Path, port: int) -> bool:
    for family, target in ((socket.AF_UNIX, str(sock)), (socket.AF_INET, ("127.0.0.1", port))):
        try:
            with socket.socket(family, socket.SOCK_STREAM) as probe:
                probe.settimeout(2)
                probe.connect(target)
                probe.sendall(b"zPING\0")
                if probe.recv(16) != b"PONG\0":
                    return False
        except OSError:
            return False
    return True


def _stop(process: subprocess.Popen[bytes]) -> None:
    if process.poll() is None:
        process.send_signal(signal.SIGTERM)
        try:
            process.wait(timeout=30)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait(timeout=10)
