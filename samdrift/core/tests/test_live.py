"""`samdrift.core.live` on its own: topic names, the authoriser registry, publishing after commit."""

from __future__ import annotations

import asyncio

import pytest
from asgiref.sync import async_to_sync
from channels.layers import get_channel_layer
from django.db import transaction

from samdrift.core import live
from samdrift.core.actor import ANONYMOUS, Actor

ALICE = Actor(user_id=1, label="Alice")


@pytest.fixture
def layer(settings):  # type: ignore[no-untyped-def]
    settings.CHANNEL_LAYERS = {"default": {"BACKEND": "channels.layers.InMemoryChannelLayer"}}
    return get_channel_layer()


@pytest.fixture
def topics(monkeypatch):  # type: ignore[no-untyped-def]
    """A registry of this test's own, so no app's authorisers leak in or out."""
    monkeypatch.setattr(live, "_authorisers", {})
    return live


@pytest.mark.parametrize(
    ("topic", "group"),
    [("case:42", "live.case.42"), ("job:abc-DEF_1", "live.job.abc-DEF_1"), ("x:1", "live.x.1")],
)
def test_group_names_are_channels_safe_and_one_to_one(topic, group):
    assert live.group_name(topic) == group


@pytest.mark.parametrize(
    "topic", ["case", "case:", ":1", "Case:1", "case:1:2", "case:1.2", "case:å", "case:" + "9" * 65]
)
def test_malformed_topics_are_refused(topic):
    with pytest.raises(live.TopicError):
        live.group_name(topic)
    with pytest.raises(live.TopicError):
        live.publish(topic, {})


def test_register_refuses_a_bad_prefix(topics):
    with pytest.raises(live.TopicError):
        topics.register_topic("Case", lambda actor, topic: True)


def test_authorised_asks_the_prefix_owner_and_nobody_else(topics):
    asked: list[str] = []

    def only_42(actor: Actor, topic: str) -> bool:
        asked.append(topic)
        return topic == "case:42"

    def broken(actor: Actor, topic: str) -> bool:
        raise RuntimeError("selector failed")

    topics.register_topic("case", only_42)
    topics.register_topic("job", broken)
    assert topics.authorised(ALICE, "case:42")
    assert not topics.authorised(ALICE, "case:43")
    assert not topics.authorised(ANONYMOUS, "case:42")  # never even asked
    assert not topics.authorised(ALICE, "inbox:1")  # nobody registered it
    assert not topics.authorised(ALICE, "job:1")  # a failing authoriser means no
    assert not topics.authorised(ALICE, "case:42:x")
    assert asked == ["case:42", "case:43"]


def _follow(layer, topic: str) -> str:  # type: ignore[no-untyped-def]
    channel = async_to_sync(layer.new_channel)()
    async_to_sync(layer.group_add)(live.group_name(topic), channel)
    return str(channel)


def _next(layer, channel: str):  # type: ignore[no-untyped-def]
    async def receive():  # type: ignore[no-untyped-def]
        return await asyncio.wait_for(layer.receive(channel), timeout=0.2)

    try:
        return async_to_sync(receive)()
    except TimeoutError:
        return None


@pytest.mark.django_db(transaction=True)
def test_publish_waits_for_commit_and_forgets_a_rollback(layer):
    channel = _follow(layer, "case:7")
    with transaction.atomic():
        live.publish("case:7", {"change": "advanced"})
        assert _next(layer, channel) is None  # not before commit
    assert _next(layer, channel) == {
        "type": "live.event",
        "topic": "case:7",
        "event": {"change": "advanced"},
    }
    with pytest.raises(ZeroDivisionError):
        _publish_then_fail("case:7")
    assert _next(layer, channel) is None


def _publish_then_fail(topic: str) -> None:
    with transaction.atomic():
        live.publish(topic, {"change": "never"})
        _ = 1 / 0


@pytest.mark.django_db(transaction=True)
def test_a_failing_layer_does_not_fail_the_change(settings, caplog):
    settings.CHANNEL_LAYERS = {
        "default": {
            "BACKEND": "channels_redis.core.RedisChannelLayer",
            "CONFIG": {"hosts": [{"address": "redis://127.0.0.1:1", "socket_connect_timeout": 1}]},
        }
    }
    with transaction.atomic():
        live.publish("case:7", {"change": "advanced"})  # sent at commit, which must not raise
    assert "publishing case:7 failed" in caplog.text
