"""The WebSocket `/ws/coedit/<id>`: y-websocket's protocol for one live document (ADR 0681).

The connections of one document in one process share a replica of it (`hub`, ADR 0684),
loaded from the database by the first and fed every update the group accepts; each answers its
browser's sync steps from it. For each update the browser sends, the connection checks it
decodes and hands it to the process's writer, which checks again that the actor may edit; once
it passed, it is shared with the document's other editors and then written (with the others
waiting, in one transaction; ADR 0689). It is shared through the channel layer (Redis at scale,
so editors on different server processes meet). Presence (awareness) is passed on with the name of
who is logged in stamped over whatever the script claimed.

A refusal closes the connection with a code the page explains (the y-websocket client has no
error message of its own), and changes nothing:
4400 malformed frame · 4401 not logged in · 4403 may not edit · 4404 no such document (or not
yours) · 4407 a stronger login is needed · 4409 restored meanwhile, reload · 4413 too large ·
4429 too many updates, 4503 the database failed (for both the client reconnects and resends) ·
4500 the stored state is unreadable.
"""

from __future__ import annotations

import asyncio
import logging
import time
from collections.abc import Callable
from typing import Any
from urllib.parse import parse_qs

from channels.consumer import get_handler_name
from channels.db import database_sync_to_async
from channels.generic.websocket import AsyncWebsocketConsumer
from django.conf import settings
from django.db import DatabaseError
from django.utils.translation import gettext_lazy as _
from pycrdt import Doc, YMessageType, YSyncMessageType, write_var_uint

from samdrift.core.actor import Actor
from samdrift.core.exceptions import DomainError, NotFound, ValidationFailed
from samdrift.core.tenancy import StepUpRequired

from . import hub, protocol, selectors, services

logger = logging.getLogger(__name__)

ActorForScope = Callable[[dict[str, Any]], Actor]

CLOSE = {
    "malformed": 4400,
    "unauthenticated": 4401,
    "read_only": 4403,
    "not_found": 4404,
    "step_up": 4407,
    "stale": 4409,
    "too_large": 4413,
    "too_fast": 4429,
    "busy": 4503,
    "unreadable": 4500,
}
#: What the page says for each close code, in the reader's language.
REFUSALS = {
    CLOSE["malformed"]: _("The editor sent something the server could not read. Reload the page."),
    CLOSE["unauthenticated"]: _("You are logged out. Log in again to go on editing."),
    CLOSE["read_only"]: _("You can read this document but not change it."),
    CLOSE["not_found"]: _("Not found: it does not exist or is not yours to see."),
    CLOSE["step_up"]: _("This workspace's class asks for a stronger login. Log in with e-ID."),
    CLOSE["stale"]: _("The document was restored to a version. Reloading…"),
    CLOSE["too_large"]: _("That change is too large to send at once. Split it into smaller ones."),
    CLOSE["too_fast"]: _("Too many changes at once: reconnecting, nothing is lost."),
    CLOSE["busy"]: _("The server could not save just now: reconnecting, nothing is lost."),
    CLOSE["unreadable"]: _(
        "The stored document cannot be read. Nothing can be changed; ask the provider's support."
    ),
}

#: Sustained updates per second per connection, and the burst allowed on top (typing makes a
#: few per second; a paste or an offline merge a burst). Beyond it the connection closes and the
#: client resends everything on reconnecting, so the limit delays edits but loses none.
#: `SAMDRIFT_COEDIT_RATE = (rate, burst)` changes it.
RATE, BURST = 30.0, 200.0
#: How long the writer uses a connection's resolved actor (roles per agency, login level) before
#: resolving it again; whether its session and account are still live is asked every batch.
ACTOR_FRESH_SECONDS = 10.0
#: Messages handled without Channels' hop to the database thread first (`dispatch`).
WITHOUT_DATABASE_HOP = frozenset(
    {"websocket.receive", "coedit.update", "coedit.awareness", "coedit.query"}
)
#: An update that only says "nothing new" (no structs, no deletions).
EMPTY_UPDATE = b"\x00\x00"


class CoeditConsumer(AsyncWebsocketConsumer):
    def __init__(self, *, actor_for_scope: ActorForScope, **kwargs: Any) -> None:
        super().__init__(**kwargs)
        self.actor_for_scope = actor_for_scope
        self.doc_id = 0
        self.generation = 0
        self.group = ""
        self.replica: hub.Replica | None = None
        self.can_edit = False
        self.edited = False
        self.label = ""
        self.clients: dict[int, int] = {}  # awareness client id → last clock, to say goodbye
        limit: tuple[float, float] = getattr(settings, "SAMDRIFT_COEDIT_RATE", (RATE, BURST))
        self.rate, self.burst = limit
        self.closed = False
        self.closing: asyncio.Future[None] | None = None
        self.actor: Actor | None = None
        self.actor_at = 0.0
        self.tokens, self.refilled = float(self.burst), time.monotonic()

    async def dispatch(self, message: dict[str, Any]) -> None:
        """Channels hops to the database thread before every message to close stale
        connections; for the messages of an edit that would queue each delivery behind the
        process's writes (ADR 0689). What they do with the database goes through
        `database_sync_to_async`, which closes stale connections itself."""
        if message["type"] in WITHOUT_DATABASE_HOP:
            await getattr(self, get_handler_name(message))(message)
            return
        await super().dispatch(message)

    async def connect(self) -> None:
        await self.accept()  # accepted first, so a refusal can carry its close code
        actor = await self._actor()
        if not actor.is_authenticated:
            await self._close(CLOSE["unauthenticated"])
            return
        self.doc_id = int(self.scope["url_route"]["kwargs"]["doc_id"])
        try:
            access = await database_sync_to_async(selectors.doc_get)(
                actor=actor, doc_id=self.doc_id
            )
        except StepUpRequired:
            await self._close(CLOSE["step_up"])
            return
        except NotFound:
            await self._close(CLOSE["not_found"])
            return
        self.generation = access.doc.generation
        asked = parse_qs(self.scope.get("query_string", b"").decode()).get("generation")
        if asked and asked[0] != str(self.generation):
            await self._close(CLOSE["stale"])
            return
        self.can_edit, self.label = bool(access.abilities["edit"]), actor.label
        # Join before reading the state: an update accepted in between arrives as a group message
        # after this handler and is applied again, which a CRDT ignores.
        self.group = services.group_name(self.doc_id)
        await self.channel_layer.group_add(self.group, self.channel_name)
        try:
            self.replica = await hub.hub().replica(self.doc_id, self.generation, self._load)
        except ValidationFailed:
            await self._close(CLOSE["unreadable"])
            return
        await database_sync_to_async(services.doc_opened)(
            actor=actor, access=access, channel="coedit"
        )
        await self.send(bytes_data=protocol.sync_frame(YSyncMessageType.SYNC_STEP1, self._sv()))
        await self._share({"type": "coedit.query"})

    async def disconnect(self, code: int) -> None:
        self.closed = True
        if self.replica is not None:
            hub.hub().release(self.doc_id, self.generation, self.replica)
            self.replica = None
        if not self.group:
            return
        if self.clients:  # tell the others these cursors left
            await self._share({"type": "coedit.awareness", "frame": self._goodbye()})
        await self.channel_layer.group_discard(self.group, self.channel_name)

    async def receive(self, text_data: str | None = None, bytes_data: bytes | None = None) -> None:
        if self.replica is None or self.closed:
            return
        if bytes_data is None:
            await self._close(CLOSE["malformed"])
            return
        try:
            frame = protocol.parse(bytes_data)
        except protocol.ProtocolError as error:
            await self._close(CLOSE["too_large" if "large" in str(error) else "malformed"])
            return
        if frame.type == YMessageType.SYNC and frame.step == YSyncMessageType.SYNC_STEP1:
            await self._answer_step1(frame.payload)
        elif frame.type == YMessageType.SYNC:
            await self._update(frame.payload)
        elif frame.type == YMessageType.AWARENESS:
            await self._awareness(frame.payload)
        else:  # query awareness: ask the others to say who they are
            await self._share({"type": "coedit.query"})

    async def _answer_step1(self, state_vector: bytes) -> None:
        if self.replica is None:
            return
        try:
            missing = self.replica.doc.get_update(state_vector)
        except (ValueError, RuntimeError):
            await self._close(CLOSE["malformed"])
            return
        await self.send(bytes_data=protocol.sync_frame(YSyncMessageType.SYNC_STEP2, missing))

    async def _update(self, update: bytes) -> None:
        replica = self.replica
        if replica is None or update == EMPTY_UPDATE:
            return
        if not self.can_edit:
            await self._close(CLOSE["read_only"])
            return
        if not self._take_token():
            await self._close(CLOSE["too_fast"])
            return
        try:
            services.check_update(update)
            submitted = hub.hub().submit(self._pending(update))
            await submitted.checked
        except ValidationFailed:
            await self._close(CLOSE["malformed"])
            return
        except services.StaleGeneration:
            await self._close(CLOSE["stale"])
            return
        except NotFound:
            await self._close(CLOSE["not_found"])
            return
        except StepUpRequired:
            await self._close(CLOSE["step_up"])
            return
        except DomainError:
            self.can_edit = False
            await self._close(CLOSE["read_only"])
            return
        except DatabaseError:  # not checked: the client keeps it and resends on reconnecting
            logger.exception("coedit: update to document %s not checked", self.doc_id)
            await self._close(CLOSE["busy"])
            return
        self.edited = True
        # Checked, so shared now, before it is written (ADR 0689), even if this connection
        # closed meanwhile; the write's answer comes after.
        replica.doc.apply_update(update)
        frame = protocol.update_frame(update)
        await self._share(
            {"type": "coedit.update", "frame": frame, "process": hub.PROCESS, "seq": submitted.key}
        )
        self._on_written(submitted)

    def _on_written(self, submitted: hub.Submitted) -> None:
        """The write's answer, without holding up this connection's next frames: a refusal
        found only now (a restore meanwhile) or a database failure closes the connection; its
        client reconnects and resends what the server has not stored."""

        def answered(written: asyncio.Future[int]) -> None:
            if written.cancelled() or written.exception() is None:
                return
            error = written.exception()
            if isinstance(error, services.StaleGeneration):
                code = CLOSE["stale"]
            elif isinstance(error, DomainError):
                code = CLOSE["not_found"]
            else:
                logger.error("coedit: update to document %s not written: %r", self.doc_id, error)
                code = CLOSE["busy"]
            self.closing = asyncio.ensure_future(self._close(code))

        submitted.written.add_done_callback(answered)

    def _pending(self, update: bytes) -> hub.Pending:
        session = getattr(self.scope.get("session"), "session_key", None) or ""
        return hub.Pending(
            session=session,
            actor=self._recent_actor,
            doc_id=self.doc_id,
            generation=self.generation,
            update=update,
            first=not self.edited,
        )

    async def _load(self) -> Doc:
        state, _upto = await database_sync_to_async(selectors.doc_state)(doc_id=self.doc_id)
        return services.check_update(state) if state else Doc()

    async def _awareness(self, payload: bytes) -> None:
        try:
            stamped = protocol.stamp_awareness(payload, name=self.label)
        except protocol.ProtocolError:
            await self._close(CLOSE["malformed"])
            return
        self._remember_clients(stamped)
        await self._share({"type": "coedit.awareness", "frame": protocol.awareness_frame(stamped)})

    # Group messages: what another connection of the same document accepted or heard.

    async def coedit_update(self, message: dict[str, Any]) -> None:
        if message["sender"] == self.channel_name or self.replica is None or self.closed:
            return
        if message["process"] != hub.PROCESS:  # this process's replica has it already
            self.replica.apply_remote(message["seq"], protocol.parse(message["frame"]).payload)
        await self.send(bytes_data=message["frame"])

    async def coedit_awareness(self, message: dict[str, Any]) -> None:
        if message["sender"] != self.channel_name and not self.closed:
            await self.send(bytes_data=message["frame"])

    async def coedit_query(self, message: dict[str, Any]) -> None:
        if message["sender"] != self.channel_name and not self.closed:
            await self.send(bytes_data=protocol.QUERY_AWARENESS_FRAME)

    async def coedit_reset(self, message: dict[str, Any]) -> None:
        await self._close(CLOSE["stale"])

    # Helpers

    async def _share(self, message: dict[str, Any]) -> None:
        await self.channel_layer.group_send(self.group, {**message, "sender": self.channel_name})

    def _sv(self) -> bytes:
        return self.replica.doc.get_state() if self.replica is not None else b"\x00"

    def _take_token(self) -> bool:
        now = time.monotonic()
        self.tokens = min(self.burst, self.tokens + (now - self.refilled) * self.rate)
        self.refilled = now
        if self.tokens < 1:
            return False
        self.tokens -= 1
        return True

    def _remember_clients(self, stamped: bytes) -> None:
        for client, clock in protocol.awareness_clients(stamped):
            self.clients[client] = clock

    def _goodbye(self) -> bytes:
        body = [write_var_uint(len(self.clients))]
        for client, clock in self.clients.items():
            body += [write_var_uint(client), write_var_uint(clock + 1), b"\x04null"]
        return protocol.awareness_frame(b"".join(body))

    async def _close(self, code: int) -> None:
        """Close with `code` and hear nothing more: group messages already queued for this
        connection must not be sent after the close."""
        if self.closed:
            return
        self.closed = True
        if self.group:
            await self.channel_layer.group_discard(self.group, self.channel_name)
        await self.close(code=code)

    def _recent_actor(self) -> Actor:
        """The sender's actor for the writer, resolved again once `ACTOR_FRESH_SECONDS` have
        passed (in the database thread). A logout or a deactivated account counts at once all
        the same: every batch asks whether its sessions and accounts are still live
        (`selectors.live_sessions`), and the workspace rights are read from the database."""
        now = time.monotonic()
        if self.actor is None or now - self.actor_at > ACTOR_FRESH_SECONDS:
            self.actor, self.actor_at = self.actor_for_scope(self.scope), now
        return self.actor

    async def _actor(self) -> Actor:
        return await database_sync_to_async(self.actor_for_scope)(self.scope)
