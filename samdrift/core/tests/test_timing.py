"""The benches' Server-Timing header: present only when switched on, and a real duration."""

from __future__ import annotations

import re

import pytest


def test_no_server_timing_by_default(client):
    assert "Server-Timing" not in client.get("/healthz")


@pytest.mark.django_db
def test_server_timing_when_switched_on(client, settings):
    settings.MIDDLEWARE = ["samdrift.core.timing.ServerTimingMiddleware", *settings.MIDDLEWARE]
    header = client.get("/accounts/login/")["Server-Timing"]
    found = re.fullmatch(r"app;dur=(\d+\.\d{3})", header)
    assert found and float(found.group(1)) > 0
