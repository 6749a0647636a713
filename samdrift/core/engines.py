"""The engines samdrift runs as child processes (Synapse for chat, Janus for meetings): one way to
keep their secrets owner-only, start one and wait until it answers, and stop it by the process id
in its pid file (ADR 0670). Each engine's module writes its own configuration and probe.
"""

from __future__ import annotations

import os
import signal
import socket
import subprocess
import time
from collections.abc import Callable, Mapping, Sequence
from pathlib import Path


class EngineError(RuntimeError):
    """An engine is missing, stopped at start, or did not answer in time."""


def write_private(path: Path, text: str) -> None:
    """Owner-only from the first byte; a concurrent first writer keeps its content."""
    path.parent.mkdir(parents=True, exist_ok=True)
    try:
        fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    except FileExistsError:
        return
    with os.fdopen(fd, "w") as handle:
        handle.write(text)


def free_port() -> int:
    """A loopback port free now (the engine binds it a moment later)."""
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


def running_pid(pid_file: Path) -> int | None:
    """The process id in the pid file, when that process still runs."""
    try:
        pid = int(pid_file.read_text().strip())
        os.kill(pid, 0)
    except (OSError, ValueError):
        return None
    return pid


def alive(pid: int) -> bool:
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


def start(
    argv: Sequence[str],
    *,
    name: str,
    cwd: Path,
    output: Path,
    pid_file: Path,
    probe: Callable[[], str],
    wait: float,
    env: Mapping[str, str] | None = None,
) -> tuple[int, str]:
    """Start `argv` in its own session, its output appended to `output`, and wait until `probe`
    answers (a version string); then write the pid file. Returns the pid and the version.
    `env`: variables set for the engine on top of samdrift's own environment."""
    environment = {**os.environ, **env} if env else None
    with open(output, "ab") as out:
        process = subprocess.Popen(  # noqa: S603 - an engine samdrift installed, its own config
            list(argv), cwd=cwd, stdout=out, stderr=subprocess.STDOUT, start_new_session=True,
            env=environment,
        )  # fmt: skip
    deadline = time.monotonic() + wait
    while time.monotonic() < deadline:
        if process.poll() is not None:
            tail = output.read_text(errors="replace")[-2000:]
            raise EngineError(f"{name} stopped at start (exit {process.returncode}):\n{tail}")
        version = probe()
        if version:
            pid_file.write_text(f"{process.pid}\n")
            return process.pid, version
        time.sleep(0.2)
    process.kill()
    raise EngineError(f"{name} did not answer within {wait:.0f} s")


def stop(pid_file: Path, timeout: float = 20.0) -> bool:
    """Stop the process the pid file names (TERM, then KILL after `timeout`); False if none ran."""
    pid = running_pid(pid_file)
    if pid is None:
        return False
    os.kill(pid, signal.SIGTERM)
    deadline = time.monotonic() + timeout
    while alive(pid) and time.monotonic() < deadline:
        time.sleep(0.1)
    if alive(pid):
        os.kill(pid, signal.SIGKILL)
    pid_file.unlink(missing_ok=True)
    return True


def serve_in_foreground(running: Callable[[], bool], stop_engine: Callable[[], object]) -> None:
    """Hold a started engine in the foreground (`samdrift chat serve`, `samdrift meetings
    serve`) until SIGTERM, Ctrl-C or the engine itself ends, then stop it."""
    stopping = False

    def on_term(*_: object) -> None:
        nonlocal stopping
        stopping = True

    signal.signal(signal.SIGTERM, on_term)
    try:
        while not stopping and running():
            time.sleep(1)
    except KeyboardInterrupt:
        pass
    finally:
        stop_engine()
