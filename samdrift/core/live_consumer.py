"""The WebSocket behind `/ws/live/`: one per browser tab, following the topics its page shows.

Frames from the browser: `{"subscribe": "case:42"}` and `{"unsubscribe": "case:42"}`.
Frames to the browser: `{"subscribed": topic}`, `{"unsubscribed": topic}`,
`{"topic": topic, "event": {...}}`, and `{"error": code, "topic": topic, "message": {sv, en}}`.

The session's actor is built for every subscription, the way the HTTP middleware builds it, so
a membership removed a minute ago already counts. A refused topic gets the same answer whether
it is another agency's case or no case at all. Anonymous connections are closed at once (4401).
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from channels.db import database_sync_to_async
from channels.generic.websocket import AsyncJsonWebsocketConsumer
from django.utils.translation import gettext_lazy as _

from . import live
from .actor import Actor
from .i18n import in_both_languages

#: Builds the actor from the connection's ASGI scope (session and user); given by config.asgi,
#: since the actor comes from accounts, an app core must not import.
ActorForScope = Callable[[dict[str, Any]], Actor]

#: A page follows a handful of topics; this caps what one connection can make the server hold.
MAX_TOPICS = 32
#: Close code for "not logged in" (4000–4999 are the application's own).
CLOSE_UNAUTHENTICATED = 4401

REFUSED = _("You cannot follow this: it does not exist or is not visible to you.")
TOO_MANY = _("Too many live subscriptions on one page.")
BAD_FRAME = _('Send {"subscribe": topic} or {"unsubscribe": topic}.')


class LiveConsumer(AsyncJsonWebsocketConsumer):
    def __init__(self, *, actor_for_scope: ActorForScope, **kwargs: Any) -> None:
        super().__init__(**kwargs)
        self.actor_for_scope = actor_for_scope
        self.topics: set[str] = set()

    async def connect(self) -> None:
        actor = await self._actor()
        await self.accept()
        if not actor.is_authenticated:
            # Accepted only to say why it closes: a refused handshake reaches the browser as a
            # bare 1006, which it would retry for ever; 4401 tells the script to stop.
            await self.close(code=CLOSE_UNAUTHENTICATED)

    async def disconnect(self, code: int) -> None:
        for topic in list(self.topics):
            await self.channel_layer.group_discard(live.group_name(topic), self.channel_name)
        self.topics.clear()

    async def receive_json(self, content: Any, **kwargs: Any) -> None:
        if isinstance(content, dict) and isinstance(content.get("subscribe"), str):
            await self._subscribe(content["subscribe"])
        elif isinstance(content, dict) and isinstance(content.get("unsubscribe"), str):
            await self._unsubscribe(content["unsubscribe"])
        else:
            await self._error("bad_frame", None, BAD_FRAME)

    async def live_event(self, message: dict[str, Any]) -> None:
        """A published change (`live.EVENT_TYPE`) for a topic this connection follows."""
        if message["topic"] in self.topics:
            await self.send_json({"topic": message["topic"], "event": message["event"]})

    async def _subscribe(self, topic: str) -> None:
        if topic in self.topics:
            await self.send_json({"subscribed": topic})
            return
        if len(self.topics) >= MAX_TOPICS:
            await self._error("too_many", topic, TOO_MANY)
            return
        actor = await self._actor()
        if not actor.is_authenticated:  # logged out in another tab since connecting
            await self.close(code=CLOSE_UNAUTHENTICATED)
            return
        allowed = await database_sync_to_async(live.authorised)(actor, topic)
        if not allowed:
            await self._error("refused", topic, REFUSED)
            return
        await self.channel_layer.group_add(live.group_name(topic), self.channel_name)
        self.topics.add(topic)
        await self.send_json({"subscribed": topic})

    async def _unsubscribe(self, topic: str) -> None:
        if topic in self.topics:
            self.topics.discard(topic)
            await self.channel_layer.group_discard(live.group_name(topic), self.channel_name)
        await self.send_json({"unsubscribed": topic})

    async def _error(self, code: str, topic: str | None, message: Any) -> None:
        await self.send_json({"error": code, "topic": topic, "message": in_both_languages(message)})

    async def _actor(self) -> Actor:
        return await database_sync_to_async(self.actor_for_scope)(self.scope)
