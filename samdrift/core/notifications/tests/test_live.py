"""The inbox's live topic: `inbox:<id>` is followed by that user alone, and a new message, a
message read and all read each publish to it after commit (never for a rolled-back change)."""

from __future__ import annotations

import asyncio

import pytest
from asgiref.sync import async_to_sync
from channels.layers import get_channel_layer
from django.db import transaction

from samdrift.core import live
from samdrift.core.notifications.services import mark_all_read, mark_read, notify

from .conftest import actor, person

pytestmark = pytest.mark.django_db(transaction=True)

CONTEXT = {"agency": "Myndighet Å", "case_id": 1, "phase": {"sv": "Planera", "en": "Plan"}}


@pytest.fixture
def layer(settings):  # type: ignore[no-untyped-def]
    settings.CHANNEL_LAYERS = {"default": {"BACKEND": "channels.layers.InMemoryChannelLayer"}}
    settings.TASKS = {"default": {"BACKEND": "django_tasks.backends.immediate.ImmediateBackend"}}
    settings.EMAIL_BACKEND = "django.core.mail.backends.locmem.EmailBackend"
    return get_channel_layer()


def _follow(layer, topic: str) -> str:  # type: ignore[no-untyped-def]
    channel = async_to_sync(layer.new_channel)()
    async_to_sync(layer.group_add)(live.group_name(topic), channel)
    return str(channel)


def _events(layer, channel: str) -> list[dict]:  # type: ignore[no-untyped-def, type-arg]
    """Everything waiting on the channel (the in-memory layer answers at once when it has one)."""
    found = []
    while True:
        try:
            message = async_to_sync(_receive_now)(layer, channel)
        except TimeoutError:
            return found
        found.append(message)


async def _receive_now(layer, channel):  # type: ignore[no-untyped-def]
    return await asyncio.wait_for(layer.receive(channel), timeout=0.2)


def test_only_the_owner_may_follow_an_inbox():
    karin, other = person("karin"), person("other")
    assert live.authorised(actor(karin), f"inbox:{karin.id}")
    assert not live.authorised(actor(other), f"inbox:{karin.id}")
    assert not live.authorised(actor(karin), "inbox:not-a-user")


def test_new_and_read_messages_are_published_after_commit(layer):
    karin, sender = person("karin"), person("sender")
    mine = _follow(layer, f"inbox:{karin.id}")
    senders = _follow(layer, f"inbox:{sender.id}")

    def rolled_back() -> None:
        with transaction.atomic():
            notify([karin.id], "signoff_required", CONTEXT, actor=actor(sender))
            raise RuntimeError("rolled back")

    with pytest.raises(RuntimeError):
        rolled_back()
    assert _events(layer, mine) == []

    with transaction.atomic():
        rows = notify([karin.id], "signoff_required", CONTEXT, actor=actor(sender))
        assert _events(layer, mine) == []  # not before the commit
    (event,) = _events(layer, mine)
    assert event["topic"] == f"inbox:{karin.id}" and event["event"] == {"type": "inbox.changed"}

    (row,) = [r for r in rows if r.channel == "in_app"]
    mark_read(actor=actor(karin), notification_id=row.id)
    assert len(_events(layer, mine)) == 1
    mark_read(actor=actor(karin), notification_id=row.id)  # already read: nothing changes
    assert _events(layer, mine) == []
    assert mark_all_read(actor=actor(karin)) == 0
    assert _events(layer, mine) == []
    assert _events(layer, senders) == []
