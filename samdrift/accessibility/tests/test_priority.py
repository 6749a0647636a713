"""A check's child process runs below the web (ADR 0076): SCHED_IDLE, idle I/O class, nice 19."""

from __future__ import annotations

import multiprocessing
import os
import subprocess
import sys
from multiprocessing.connection import Connection

import pytest
from django.test import override_settings

from samdrift.accessibility import tasks
from samdrift.accessibility.runner import lower_priority

pytestmark = pytest.mark.skipif(sys.platform != "linux", reason="scheduling classes are Linux's")


def _report(conn: Connection, priority: str) -> None:
    lower_priority(priority)
    io_class = subprocess.run(
        ["ionice", "-p", str(os.getpid())], capture_output=True, text=True, check=False
    ).stdout.strip()
    conn.send((os.sched_getscheduler(0), os.getpriority(os.PRIO_PROCESS, 0), io_class))
    conn.close()


def _in_child(priority: str) -> tuple[int, int, str]:
    ctx = multiprocessing.get_context("fork")
    parent, child = ctx.Pipe(duplex=False)
    process = ctx.Process(target=_report, args=(child, priority))
    process.start()
    child.close()
    result = parent.recv()
    process.join(10)
    return result  # type: ignore[no-any-return]


def test_idle_priority_is_sched_idle_idle_io_and_nice_19() -> None:
    policy, niceness, io_class = _in_child("idle")
    assert policy == os.SCHED_IDLE
    assert niceness == 19
    assert io_class in {"idle", ""}  # "" where util-linux's ionice is not installed


def test_nice_priority_keeps_the_normal_policy() -> None:
    policy, niceness, _io = _in_child("nice")
    assert policy == os.SCHED_OTHER
    assert niceness == 19


def test_the_default_is_nice_and_idle_is_chosen_by_setting() -> None:
    assert tasks.limits()["priority"] == "nice"
    with override_settings(ACCESSIBILITY_CHECK_PRIORITY="idle"):
        assert tasks.limits()["priority"] == "idle"
    with override_settings(ACCESSIBILITY_CHECK_PRIORITY="anything else"):
        assert tasks.limits()["priority"] == "nice"
