"""The case topic over the real ASGI application (`config.asgi`): who may follow `case:<id>`,
and that a change made through the services reaches exactly the pages that follow it."""

from __future__ import annotations

import os
import uuid

import pytest
from channels.db import database_sync_to_async
from django.db import transaction

from config.asgi import application
from samdrift.accounts.selectors import actor_for_user
from samdrift.core import live
from samdrift.onboarding import services
from samdrift.tests.factories import MembershipFactory, ProviderFactory, UserFactory
from samdrift.tests.websockets import WebsocketCommunicator

from .live_case import open_case, ready_to_advance, session_cookie

pytestmark = [pytest.mark.django_db(transaction=True), pytest.mark.asyncio]


LAYERS = {
    "memory": {"BACKEND": "channels.layers.InMemoryChannelLayer"},
    "redis": {
        "BACKEND": "channels_redis.core.RedisChannelLayer",
        "CONFIG": {
            "hosts": [{"address": os.environ.get("REDIS_URL", ""), "socket_timeout": 15}],
            "prefix": f"test-live-{uuid.uuid4().hex[:8]}:",  # nothing shared with other runs
        },
    },
}


@pytest.fixture(autouse=True, params=["memory", "redis"])
def layer(request, settings):  # type: ignore[no-untyped-def]
    """Each test with the in-memory layer, and with Redis when REDIS_URL names one (CI)."""
    if request.param == "redis" and not os.environ.get("REDIS_URL"):
        pytest.skip("REDIS_URL is not set: the Redis channel layer is not tested in this run")
    settings.CHANNEL_LAYERS = {"default": LAYERS[request.param]}
    settings.TASKS = {"default": {"BACKEND": "django_tasks.backends.immediate.ImmediateBackend"}}
    settings.EMAIL_BACKEND = "django.core.mail.backends.locmem.EmailBackend"


@pytest.fixture
def case(agency, account_manager):  # type: ignore[no-untyped-def]
    return open_case(agency, account_manager)


@pytest.fixture
def other_provider_manager(db):  # type: ignore[no-untyped-def]
    """An account manager of a second provider agency, which has nothing to do with the case."""
    sitssam = ProviderFactory(name="SITSSAM", org_number="202100-6255")
    user = UserFactory(username="sitssam_am")
    MembershipFactory(user=user, organisation=sitssam, role="account_manager")
    return user


async def _connect(user=None, origin: bytes = b"http://testserver"):  # type: ignore[no-untyped-def]
    headers = [(b"origin", origin)]
    if user is not None:
        key = await database_sync_to_async(session_cookie)(user)
        headers.append((b"cookie", f"sessionid={key}".encode()))
    socket = WebsocketCommunicator(application, "/ws/live/", headers=headers)
    connected, code = await socket.connect()
    return socket, connected, code


async def _subscribed(user, topic: str) -> WebsocketCommunicator:  # type: ignore[no-untyped-def]
    socket, connected, _ = await _connect(user)
    assert connected
    await socket.send_json_to({"subscribe": topic})
    assert await socket.receive_json_from() == {"subscribed": topic}
    return socket


async def test_anonymous_connection_is_closed_with_a_reason():
    socket, connected, _ = await _connect(None)
    assert connected  # only to say why: 4401 tells the script not to retry
    assert await socket.receive_output(timeout=1) == {"type": "websocket.close", "code": 4401}


async def test_another_site_cannot_open_the_socket_with_a_visitors_cookie(agency_contact):
    _, connected, _ = await _connect(agency_contact, origin=b"https://evil.example")
    assert not connected


async def test_the_case_agency_follows_and_receives_an_advance(
    case, agency_contact, account_manager, security_officer
):
    await database_sync_to_async(ready_to_advance)(case, account_manager, security_officer)
    socket = await _subscribed(agency_contact, f"case:{case.id}")
    advanced = await database_sync_to_async(services.case_advance)(
        actor=await database_sync_to_async(actor_for_user)(account_manager), case=case
    )
    # Generous: over Redis, on a CI machine busy with two test workers and PostgreSQL.
    frame = await socket.receive_json_from(timeout=10)
    assert frame == {
        "topic": f"case:{case.id}",
        "event": {"change": "advanced", "version": advanced.version},
    }
    await socket.disconnect()


@pytest.fixture(params=["other_agency_contact", "other_provider_manager"])
def outsider(request):  # type: ignore[no-untyped-def]
    return request.getfixturevalue(request.param)


async def test_another_agency_or_provider_cannot_follow_the_case(outsider, case, account_manager):
    socket, connected, _ = await _connect(outsider)
    assert connected
    await socket.send_json_to({"subscribe": f"case:{case.id}"})
    refused = await socket.receive_json_from()
    assert refused["error"] == "refused" and refused["topic"] == f"case:{case.id}"
    assert refused["message"]["sv"].startswith("Du kan inte följa")
    assert refused["message"]["en"].startswith("You cannot follow")
    # The same answer as for a case that does not exist: the id tells nothing.
    await socket.send_json_to({"subscribe": "case:999999"})
    missing = await socket.receive_json_from()
    assert missing == {**refused, "topic": "case:999999"}
    # And nothing of the case's later changes reaches it.
    item = await database_sync_to_async(lambda: case.checklist_items.get())()
    manager = await database_sync_to_async(actor_for_user)(account_manager)
    await database_sync_to_async(services.checklist_set)(
        actor=manager, case=case, item_id=item.id, done=True
    )
    assert await socket.receive_nothing(timeout=0.3)
    await socket.disconnect()


async def test_unknown_malformed_and_unsubscribed_topics(case, agency_contact, account_manager):
    socket = await _subscribed(agency_contact, f"case:{case.id}")
    for topic in ("nosuch:1", "case:1:2", "case:", "CASE:1", "case:" + "9" * 70):
        await socket.send_json_to({"subscribe": topic})
        assert (await socket.receive_json_from())["error"] == "refused"
    await socket.send_json_to({"hello": "world"})
    assert (await socket.receive_json_from())["error"] == "bad_frame"
    await socket.send_json_to({"unsubscribe": f"case:{case.id}"})
    assert await socket.receive_json_from() == {"unsubscribed": f"case:{case.id}"}
    item = await database_sync_to_async(lambda: case.checklist_items.get())()
    manager = await database_sync_to_async(actor_for_user)(account_manager)
    await database_sync_to_async(services.checklist_set)(
        actor=manager, case=case, item_id=item.id, done=True
    )
    assert await socket.receive_nothing(timeout=0.3)
    await socket.disconnect()


async def test_a_logged_out_session_cannot_subscribe_any_more(case, agency_contact):
    socket, connected, _ = await _connect(agency_contact)
    assert connected
    await database_sync_to_async(_log_everyone_out)()
    await socket.send_json_to({"subscribe": f"case:{case.id}"})
    assert (await socket.receive_output(timeout=1))["type"] == "websocket.close"


async def test_a_rolled_back_change_publishes_nothing(case, agency_contact):
    socket = await _subscribed(agency_contact, f"case:{case.id}")
    await database_sync_to_async(_publish_then_roll_back)(f"case:{case.id}")
    assert await socket.receive_nothing(timeout=0.3)
    await socket.disconnect()


def _log_everyone_out() -> None:
    from django.contrib.sessions.models import Session

    Session.objects.all().delete()


def _publish_then_roll_back(topic: str) -> None:
    class Undo(Exception):
        pass

    def change() -> None:
        with transaction.atomic():
            live.publish(topic, {"change": "never"})
            raise Undo

    with pytest.raises(Undo):
        change()
