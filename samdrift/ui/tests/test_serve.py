"""`samdrift serve` starts gunicorn with glibc's malloc thresholds fixed (ADR 0691), unless the
operator chose their own."""

from __future__ import annotations

import pytest
from django.core.management import call_command

from samdrift.ui.management.commands import serve


class Started(Exception):
    pass


@pytest.fixture
def started(monkeypatch):
    """What `serve` would exec: the program and the environment it passes on."""
    seen: dict = {}

    def execv(program, argv):  # type: ignore[no-untyped-def]
        seen.update(program=program, argv=argv, tunables=serve.os.environ.get("GLIBC_TUNABLES"))
        raise Started

    monkeypatch.setattr(serve.os, "execv", execv)
    monkeypatch.setattr(serve, "call_command", lambda *args, **kwargs: None)  # no collectstatic
    return seen


def test_serve_keeps_large_buffers_in_the_heap(started, monkeypatch):
    environ = {k: v for k, v in serve.os.environ.items() if k != "GLIBC_TUNABLES"}
    monkeypatch.setattr(serve.os, "environ", environ)  # this process's own is left as it was
    with pytest.raises(Started):
        call_command("serve", "--port", "8123")
    assert started["tunables"] == serve.MALLOC_TUNABLES
    assert "glibc.malloc.mmap_threshold=33554432" in started["tunables"]
    assert "127.0.0.1:8123" in started["argv"]


def test_an_operators_own_tunables_win(started, monkeypatch):
    monkeypatch.setenv("GLIBC_TUNABLES", "glibc.malloc.arena_max=2")
    with pytest.raises(Started):
        call_command("serve")
    assert started["tunables"] == "glibc.malloc.arena_max=2"
