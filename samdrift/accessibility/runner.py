"""Check files in isolation: one child process per file, with a time and a memory limit.

A hostile or broken PDF can make qpdf allocate without bound or loop for a long time; Python
cannot interrupt C++ code, so the only reliable bound is a process boundary. The child sets
RLIMIT_AS and the parent kills it after `timeout` seconds. A batch therefore always finishes,
with a per-file `error` where a file could not be checked (ADR 0102).
"""

from __future__ import annotations

import contextlib
import ctypes
import multiprocessing
import os
import resource
import signal
import time
from multiprocessing.connection import Connection
from typing import Any

from .engine.document import Document
from .engine.results import CheckError, FileResult
from .rules import run_profile

DEFAULT_TIMEOUT = 60.0
DEFAULT_MEMORY = 1536 * 1024 * 1024  # bytes of address space the child may add to its own
DEFAULT_CPU_SECONDS = 60  # processor time of one child (RLIMIT_CPU), issue 19 item 4
DEFAULT_MAX_PAGES = 5000  # a longer file is refused before any rule runs (ADR 0110)
CHILD_NICENESS = 19  # checks yield the processor to the web (ADR 0110)
# How a check yields to the web (ADR 0076): "nice" = nice 19 (default); "idle" = also SCHED_IDLE
# and the idle I/O class (the child runs only when no other process wants the processor, so on a
# busy host it can starve into its wall-clock timeout).
DEFAULT_PRIORITY = "nice"
_IOPRIO_SET = {"x86_64": 251, "aarch64": 30}  # syscall numbers of ioprio_set
_IOPRIO_WHO_PROCESS, _IOPRIO_CLASS_IDLE, _IOPRIO_CLASS_SHIFT = 1, 3, 13


def check_in_process(
    source: str | bytes, profile: str, label: str, max_pages: int | None = None
) -> FileResult:
    """Check one file in this process (no isolation): used by the child and by the bench. A file
    of more than `max_pages` pages is an error `too_many_pages` (no rule runs)."""
    started = time.perf_counter()
    result = FileResult(path=label, profile=profile)
    try:
        doc = Document.open(source)
    except CheckError as exc:
        result.error, result.error_code = exc.message, exc.code
        return result
    try:
        result.pages = len(doc.pages)
        if max_pages is not None and result.pages > max_pages:
            result.error = f"the file has {result.pages} pages; at most {max_pages} are checked"
            result.error_code = "too_many_pages"
            result.results = []
            return result
        result.results = run_profile(doc, profile)
    except CheckError as exc:
        result.error, result.error_code = exc.message, exc.code
        result.results = []
    except RecursionError:
        result.error, result.error_code = "the file nests objects too deeply", "deep_structure"
        result.results = []
    except MemoryError:
        result.error, result.error_code = "the file needs too much memory to check", "memory"
        result.results = []
    except Exception as exc:
        result.error = f"the file could not be checked ({type(exc).__name__}: {exc})"
        result.error_code = "damaged"
        result.results = []
    finally:
        doc.close()
    result.seconds = time.perf_counter() - started
    return result


def _child(
    conn: Connection,
    source: str | bytes,
    profile: str,
    label: str,
    memory: int,
    cpu_seconds: int,
    max_pages: int | None,
    priority: str = DEFAULT_PRIORITY,
) -> None:
    # The budget is on top of what the forked interpreter already maps (Django, pikepdf…), so
    # the limit means the same in a small CLI process and in a large web worker.
    with contextlib.suppress(ValueError, OSError):
        limit = _address_space() + memory
        resource.setrlimit(resource.RLIMIT_AS, (limit, limit))
    # Processor time: the kernel stops the child (SIGXCPU, then SIGKILL a second later) however
    # deep in C++ it is; and a check runs below the web in priority (ADR 0110).
    with contextlib.suppress(ValueError, OSError):
        resource.setrlimit(resource.RLIMIT_CPU, (cpu_seconds, cpu_seconds + 1))
    lower_priority(priority)
    try:
        data: dict[str, Any] = check_in_process(source, profile, label, max_pages).to_transport()
    except MemoryError:
        data = FileResult(
            label, profile, "the file needs too much memory to check", "memory"
        ).to_transport()
    conn.send(data)
    conn.close()


def lower_priority(priority: str = DEFAULT_PRIORITY) -> None:
    """Put the calling process below everything else (ADR 0076): nice 19 always; with "idle"
    also the SCHED_IDLE policy (the kernel gives it the processor only when nothing else is
    runnable; nice 19 still gets about 1.5 % against each nice-0 task and wakes as one) and the
    idle I/O class (disk time only when no one else needs the disk). Each step is best effort:
    where the platform refuses, the check still runs."""
    with contextlib.suppress(OSError):
        os.nice(CHILD_NICENESS)
    if priority != "idle":
        return
    if hasattr(os, "sched_setscheduler") and hasattr(os, "SCHED_IDLE"):
        with contextlib.suppress(OSError):
            os.sched_setscheduler(0, os.SCHED_IDLE, os.sched_param(0))
    number = _IOPRIO_SET.get(os.uname().machine)
    if number is not None:
        with contextlib.suppress(OSError, AttributeError):
            libc = ctypes.CDLL(None, use_errno=True)
            value = _IOPRIO_CLASS_IDLE << _IOPRIO_CLASS_SHIFT
            libc.syscall(number, _IOPRIO_WHO_PROCESS, 0, value)


def _address_space() -> int:
    try:
        with open("/proc/self/statm") as handle:
            return int(handle.read().split()[0]) * resource.getpagesize()
    except (OSError, ValueError, IndexError):
        return 0


def check_isolated(
    source: str | bytes,
    profile: str,
    label: str,
    *,
    timeout: float = DEFAULT_TIMEOUT,
    memory: int = DEFAULT_MEMORY,
    cpu_seconds: int = DEFAULT_CPU_SECONDS,
    max_pages: int | None = None,
    priority: str = DEFAULT_PRIORITY,
) -> FileResult:
    """Check one file in a forked child; a crash, a timeout, the processor-time limit or an OOM
    becomes a per-file error."""
    started = time.perf_counter()
    # fork: the child inherits the loaded rules (no re-import) and starts in milliseconds.
    ctx = multiprocessing.get_context("fork")
    parent_conn, child_conn = ctx.Pipe(duplex=False)
    process = ctx.Process(
        target=_child,
        args=(child_conn, source, profile, label, memory, cpu_seconds, max_pages, priority),
        daemon=True,
    )
    try:
        process.start()
    except AssertionError:
        # A daemonic worker (e.g. a prefork task worker) may not have children: check in
        # process; the worker's own limits then bound the file.
        parent_conn.close()
        child_conn.close()
        return check_in_process(source, profile, label, max_pages)
    child_conn.close()
    data: dict[str, Any] | None = None
    try:
        if parent_conn.poll(timeout):
            try:
                data = parent_conn.recv()
            except (EOFError, OSError):
                data = None
    finally:
        if process.is_alive():
            process.kill()
        process.join(5)
        parent_conn.close()
    if data is not None:
        return FileResult.from_transport(data)
    elapsed = time.perf_counter() - started
    if elapsed >= timeout:
        return FileResult(
            label,
            profile,
            f"checking took longer than {timeout:g} seconds",
            "timeout",
            seconds=elapsed,
        )
    code = process.exitcode
    if code == -signal.SIGXCPU:
        return FileResult(
            label,
            profile,
            f"checking needed more than {cpu_seconds} seconds of processor time",
            "cpu_time",
            seconds=elapsed,
        )
    return FileResult(
        label,
        profile,
        f"the checker stopped on this file (exit code {code}); it may be too large or damaged",
        "crashed",
        seconds=elapsed,
    )


def cpu_count() -> int:
    return max(1, len(os.sched_getaffinity(0)))
