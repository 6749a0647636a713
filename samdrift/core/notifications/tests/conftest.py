"""Fixtures of the notification tests: a real SMTP server, and users (core knows no agencies:
the actor is built by hand, with no roles, which is all an inbox needs)."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import pytest
from django.contrib.auth import get_user_model

from samdrift.core.actor import Actor
from samdrift.core.notifications.testing import SmtpServer, smtp_server


@pytest.fixture
def smtp(settings) -> Iterator[SmtpServer]:  # type: ignore[no-untyped-def]
    yield from smtp_server(settings)


def person(username: str, *, email: str | None = None, **extra: Any) -> Any:
    return get_user_model().objects.create_user(
        username=username,
        email=f"{username}@myndighet.test" if email is None else email,
        password="demo-password",
        **extra,
    )


def actor(user: Any) -> Actor:
    return Actor(user_id=user.id, label=user.get_full_name() or user.username)
