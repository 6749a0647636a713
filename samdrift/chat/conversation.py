"""The workspace's conversation on samdrift's own page (ADR 0656): read and written through the
homeserver as the member, never stored by samdrift.

Synapse stays the engine: the page asks it for the room's newest messages and sends a message on
the member's behalf through the application service (`user_id=` masquerading within its own
namespace, ADR 0651), so Synapse applies the member's own rights — history visibility, and the
power levels by which readers read and commenters and up write (ADR 0652). Element and every
other Matrix client see the same room. Plain text only; a page that needs no JavaScript.
"""

from __future__ import annotations

import datetime as dt
import logging
import re
import uuid
from collections.abc import Iterable
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

import requests
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from samdrift.audit.services import audit_read, audit_record
from samdrift.collaboration.selectors import document_names_in
from samdrift.core import live
from samdrift.core.actor import Actor
from samdrift.core.exceptions import NotFound, PermissionDenied, ValidationFailed
from samdrift.core.text import MULTI_LINE_PATTERN

from . import conf, matrix
from .choices import ATTACHMENT_KEY, ATTACHMENT_LINE
from .selectors import RoomAccess, chat_rooms_of, matrix_user_id, people_in, room_get
from .services import HomeserverUnavailable

if TYPE_CHECKING:
    from samdrift.collaboration.models import Workspace

log = logging.getLogger(__name__)

MAX_MESSAGE = 4000
SHOWN = 50
EMPTY = _("Write a message first.")
TOO_LONG = _("A message may be at most %(limit)s characters.")
CONTROL = _("Remove the control characters (such as ESC or NUL) from the message.")
NO_ROOT = _("Choose the message the thread begins with.")
READ_ONLY = _("Readers read the chat; commenters, editors and owners write in it.")
_TEXT = re.compile(MULTI_LINE_PATTERN)


@dataclass(frozen=True)
class Message:
    event_id: str  # what a reply or a reaction names
    sender: str
    mine: bool
    sent_at: dt.datetime
    text: str
    edited: bool = False
    reply_to: str = ""  # who wrote the message this one answers ("" when it answers none)
    thread_of: str = ""  # who wrote the message whose thread this one is in
    reactions: tuple[tuple[str, int], ...] = ()  # (key, how many people), most first
    new: bool = False  # another's, after the member's read marker: unread until now
    attachment: tuple[int, str] | None = None  # (document id, name): a document of the workspace


def unread(messages: list[Message]) -> int:
    return sum(message.new for message in messages)


def unread_counts(*, actor: Actor, workspaces: Iterable[Workspace]) -> dict[int, int]:
    """Workspace id -> how many messages others wrote after the actor's read marker, for those
    of `workspaces` (read through collaboration's selectors for this actor) whose chat the actor
    reads: what the room's page marks new, counted among the room's 50 newest events. One
    request to the homeserver for all of them (`matrix.Client.read_windows`); none when chat is
    off or no room is theirs to read. A homeserver that does not answer gives no counts (logged):
    the page that shows them stands."""
    rooms = chat_rooms_of(actor=actor, workspaces=workspaces)
    if not rooms or actor.user_id is None:
        return {}
    me = matrix_user_id(actor.user_id)
    try:
        windows = matrix.Client().read_windows(
            [room.room_id for room in rooms.values()], as_user=me, limit=SHOWN
        )
    except (requests.RequestException, matrix.MatrixError) as error:
        log.warning("chat unread counts for user %s: %s", actor.user_id, error)
        return {}
    counts: dict[int, int] = {}
    for workspace_id, room in rooms.items():
        if room.room_id in windows:
            marker, events = windows[room.room_id]
            counts[workspace_id] = _unread_in(events, marker, me)
    return counts


def _unread_in(events: list[dict[str, Any]], marker: str | None, me: str) -> int:
    """Others' text messages after the marker, as the page's `new` (an edit is no message)."""
    unseen = _after_marker(events, marker, me)
    return sum(
        1
        for event in events
        if event.get("event_id") in unseen
        and _is_text(event)
        and _relation(event).get("rel_type") != "m.replace"
    )


NOT_A_MEMBER = _("Only the workspace's members are in its chat.")
NOT_READ_HERE = _("That message is not in this room: the read marker was not moved.")


def mark_read(
    *, actor: Actor, workspace_id: int, event_id: str | None = None,
    client: matrix.Client | None = None,
) -> str | None:  # fmt: skip
    """Move the member's read marker (`m.fully_read`, and a read receipt, as a Matrix client
    does) to `event_id`, an event of the room as they see it, or without one to the room's newest
    event; the event marked (None for a room with no event the member sees). Refused before
    anything moves for an event id that is malformed, unknown or of another room. `NotFound`
    for a workspace the actor does not see or without a room, `PermissionDenied` for someone who
    sees the workspace without being in its chat, `HomeserverUnavailable` when chat is off or
    the homeserver does not answer. Reading nothing, it is not audited (the marker is the
    member's own, which Element moves as freely)."""
    access = room_get(actor=actor, workspace_id=workspace_id)
    if not conf.enabled():
        raise HomeserverUnavailable
    if access.room is None:
        raise NotFound("room")
    if not access.abilities["chat"] or actor.user_id is None:
        raise PermissionDenied(NOT_A_MEMBER)
    refused = ValidationFailed(NOT_READ_HERE, errors={"event_id": [str(NOT_READ_HERE)]})
    if event_id is not None and not _EVENT_ID.fullmatch(event_id):
        raise refused
    me, room_id = matrix_user_id(actor.user_id), access.room.room_id
    client = client or matrix.Client()
    try:
        if event_id is None:
            newest = client.recent(room_id, as_user=me, limit=1)
            if not newest:
                return None
            event_id = str(newest[-1].get("event_id", ""))
        else:
            try:
                event = client.event(room_id, event_id, as_user=me)
            except matrix.MatrixError as error:
                if error.status in (400, 403, 404):
                    raise refused from None
                raise
            if event.get("room_id") not in (None, room_id):
                raise refused
        client.mark_read(room_id, event_id, as_user=me)
    except (requests.RequestException, matrix.MatrixError) as error:
        log.warning("chat read marker in workspace %s: %s", workspace_id, error)
        raise HomeserverUnavailable from error
    return event_id


def recent_messages(
    *, actor: Actor, workspace_id: int, mark_read: bool = False,
    client: matrix.Client | None = None,
) -> list[Message]:  # fmt: skip
    """The room's newest messages as the member sees them, oldest first; the reading is audited.
    Those of others after the member's read marker are `new`; with `mark_read` (a page that
    shows them) the marker then moves to the newest event, as a Matrix client moves it, so
    Element and samdrift agree on what is unread. `NotFound` for a workspace the actor does not
    see or that has no room; `PermissionDenied` for someone who sees the workspace without being
    in its chat (the security role)."""
    access = room_get(actor=actor, workspace_id=workspace_id)
    if access.room is None:
        raise NotFound("room")
    if not access.abilities["chat"] or actor.user_id is None:
        raise PermissionDenied(READ_ONLY)
    me, room_id = matrix_user_id(actor.user_id), access.room.room_id
    client = client or matrix.Client()
    try:
        marker = client.read_marker(room_id, as_user=me)
        events = client.recent(room_id, as_user=me, limit=SHOWN)
        unseen = _after_marker(events, marker, me)
        # Moved only past others' messages: one's own and reactions leave nothing to read, and
        # each move is a round trip to the homeserver on every showing of the page.
        if mark_read and any(_is_text(event) and event.get("event_id") in unseen
                             for event in events):  # fmt: skip
            client.mark_read(room_id, str(events[-1].get("event_id", "")), as_user=me)
    except (requests.RequestException, matrix.MatrixError) as error:
        log.warning("chat conversation of workspace %s: %s", workspace_id, error)
        raise HomeserverUnavailable from error
    audit_read(
        actor=actor,
        obj=access.room,
        access="page",
        organisation_id=access.workspace.workspace.owner_org_id,
    )
    names = people_in(events)
    texts = [event for event in events if _is_text(event)]
    edits = _latest_edits(texts)
    reactions = _reactions(events)
    senders = {str(event.get("event_id")): str(event.get("sender", "")) for event in texts}
    documents = document_names_in(
        workspace_id=workspace_id, ids={d for e in texts if (d := _document_of(e)) is not None}
    )
    return [
        _message(
            event,
            names,
            me,
            edits.get(str(event.get("event_id"))),
            senders,
            reactions,
            unseen,
            documents,
        )
        for event in texts
        if _relation(event).get("rel_type") != "m.replace"
    ]


def _document_of(event: dict[str, Any]) -> int | None:
    named = (event.get("content") or {}).get(ATTACHMENT_KEY)
    document_id = named.get("document_id") if isinstance(named, dict) else None
    if isinstance(document_id, bool) or not isinstance(document_id, int):
        return None  # JSON's true is no document
    return document_id if document_id > 0 else None


def _after_marker(events: list[dict[str, Any]], marker: str | None, me: str) -> set[str]:
    """The ids of others' events after the read marker. A marker older than the events shown,
    or none at all (never read), leaves all of them unread."""
    ids = [str(event.get("event_id", "")) for event in events]
    start = ids.index(marker) + 1 if marker in ids else 0
    return {ids[i] for i in range(start, len(ids)) if events[i].get("sender") != me}


def _is_text(event: dict[str, Any]) -> bool:
    content = event.get("content") or {}
    return event.get("type") == "m.room.message" and isinstance(content.get("body"), str)


def _relation(event: dict[str, Any]) -> dict[str, Any]:
    relation = (event.get("content") or {}).get("m.relates_to")
    return relation if isinstance(relation, dict) else {}


def _latest_edits(events: list[dict[str, Any]]) -> dict[str, str]:
    """Edited message id -> its newest text. Only its own sender's edits count (the Matrix rule
    clients follow too); events come oldest first, so the last edit seen wins."""
    senders = {str(event.get("event_id")): event.get("sender") for event in events}
    latest: dict[str, str] = {}
    for event in events:
        relation = _relation(event)
        target = str(relation.get("event_id", ""))
        new = (event.get("content") or {}).get("m.new_content") or {}
        if (
            relation.get("rel_type") == "m.replace"
            and senders.get(target) == event.get("sender")
            and isinstance(new.get("body"), str)
        ):
            latest[target] = new["body"]
    return latest


def _reactions(events: list[dict[str, Any]]) -> dict[str, tuple[tuple[str, int], ...]]:
    """Message id -> (reaction key, how many people gave it), most given first: each person's
    reaction counts once per key (m.annotation, the way clients aggregate them)."""
    given: dict[str, dict[str, set[str]]] = {}
    for event in events:
        relation = _relation(event)
        key = relation.get("key")
        if (
            event.get("type") == "m.reaction"
            and relation.get("rel_type") == "m.annotation"
            and isinstance(key, str)
            and 0 < len(key) <= 32
        ):
            target = str(relation.get("event_id", ""))
            given.setdefault(target, {}).setdefault(key, set()).add(str(event.get("sender")))
    return {
        target: tuple(
            sorted(((k, len(who)) for k, who in keys.items()), key=lambda r: (-r[1], r[0]))
        )
        for target, keys in given.items()
    }


def _without_quote(body: str) -> str:
    """A reply's text without the quoted fallback clients put before it ("> <@x> ...")."""
    lines = body.split("\n")
    if not lines or not lines[0].startswith("> "):
        return body
    while lines and lines[0].startswith(">"):
        lines.pop(0)
    return "\n".join(lines).lstrip("\n")


def _message(
    event: dict[str, Any],
    names: dict[str, str],
    me: str,
    edit: str | None,
    senders: dict[str, str],
    reactions: dict[str, tuple[tuple[str, int], ...]],
    unseen: set[str],
    documents: dict[int, str],
) -> Message:
    sender = str(event.get("sender", ""))
    stamp = int(event.get("origin_server_ts") or 0) / 1000
    relation = _relation(event)
    answered = (relation.get("m.in_reply_to") or {}).get("event_id")
    root = relation.get("event_id") if relation.get("rel_type") == "m.thread" else None

    def named(event_id: Any) -> str:
        if not event_id:
            return ""
        who = senders.get(str(event_id), "")
        return names.get(who, who) or str(_("an earlier message"))

    text = edit if edit is not None else str(event["content"]["body"])
    # Named by the event, shown only when it is one of this workspace's documents (a message
    # from any Matrix program could name another): with its name as samdrift keeps it.
    document_id = _document_of(event)
    attachment = (document_id, documents[document_id]) if document_id in documents else None
    if attachment is not None:
        lines = text.split("\n")
        text = "\n".join(lines[:-1]) if lines[-1].startswith(ATTACHMENT_LINE) else text
    return Message(
        event_id=str(event.get("event_id", "")),
        sender=names.get(sender, sender),
        mine=sender == me,
        sent_at=dt.datetime.fromtimestamp(stamp, tz=dt.UTC).astimezone(timezone.get_current_timezone()),
        text=_without_quote(text) if answered else text,
        edited=edit is not None,
        reply_to="" if root else named(answered),  # in a thread, the reply is the thread's
        thread_of=named(root),
        reactions=reactions.get(str(event.get("event_id")), ()),
        new=str(event.get("event_id")) in unseen,
        attachment=attachment,
    )  # fmt: skip


def send_message(
    *, actor: Actor, workspace_id: int, text: str, in_reply_to: str = "",
    in_thread: bool = False, client: matrix.Client | None = None,
) -> str:  # fmt: skip
    """Send `text` to the room as the member; the event id. Checked first, so nothing is sent
    when it is empty, too long or holds control characters, or answers a message that is not in
    the room; audited without its words (the room keeps them, and its archive, ADR 0655). A reply
    to a message in a thread stays in that thread, as Element's does; `in_thread` starts a
    thread on the message answered (or continues the one it is in)."""
    body = checked_text(text)
    content: dict[str, Any] = {"msgtype": "m.text", "body": body}
    if in_thread and not in_reply_to:
        raise ValidationFailed(NO_ROOT, errors={"in_reply_to": [str(NO_ROOT)]})

    def relate(answered: dict[str, Any]) -> None:
        relation = _relation(answered)
        reply: dict[str, Any] = {"m.in_reply_to": {"event_id": in_reply_to}}
        if relation.get("rel_type") == "m.thread":
            reply |= {"rel_type": "m.thread", "event_id": relation.get("event_id"),
                      "is_falling_back": False}  # fmt: skip
        elif in_thread:  # a new thread whose root is the message answered (MSC3440's form)
            reply |= {"rel_type": "m.thread", "event_id": in_reply_to, "is_falling_back": True}
        content["m.relates_to"] = reply

    sent = send_as_member(
        actor, workspace_id, "m.room.message", content, client=client,
        target=(in_reply_to, relate) if in_reply_to else None,
        audit=("chat.message_sent", {"characters": len(body), "in_reply_to": in_reply_to,
                                     "in_thread": in_thread}),
    )  # fmt: skip
    return sent or ""  # a message is never a duplicate annotation


#: The reactions samdrift's page offers (any Matrix program may send others; they are shown).
REACTION_KEYS = ("👍", "✅", "👀", "❤️", "🎉")
UNKNOWN_REACTION = _("Choose one of the offered reactions.")


def react(
    *, actor: Actor, workspace_id: int, event_id: str, key: str,
    client: matrix.Client | None = None,
) -> str | None:  # fmt: skip
    """React to a message of the room as the member; the reaction's event id, or None when the
    member had already reacted so (Synapse keeps one per person and key). Audited."""
    if key not in REACTION_KEYS:
        raise ValidationFailed(UNKNOWN_REACTION, errors={"key": [str(UNKNOWN_REACTION)]})
    content = {"m.relates_to": {"rel_type": "m.annotation", "event_id": event_id, "key": key}}
    return send_as_member(
        actor, workspace_id, "m.reaction", content, client=client,
        target=(event_id, lambda answered: None), audit=("chat.reaction_sent", {"key": key}),
    )  # fmt: skip


NOT_IN_ROOM = _("The message you answer or react to is not in this room.")
_EVENT_ID = re.compile(r"\$[A-Za-z0-9+/=_\-.:]{1,255}")


def send_as_member(
    actor: Actor, workspace_id: int, event_type: str, content: dict[str, Any], *,
    client: matrix.Client | None, target: tuple[str, Any] | None, audit: tuple[str, dict[str, Any]],
    access: RoomAccess | None = None,
) -> str | None:  # fmt: skip
    """Send one event to the room in the member's name (commenters and up), after the message it
    relates to (`target`: its id and what to do with it) is found in the room as the member sees
    it; then audit and tell the pages showing the room. None for a reaction given before.
    `access`: the room as the caller has just read it for this actor (not read again)."""
    access = access or room_get(actor=actor, workspace_id=workspace_id)
    if access.room is None:
        raise NotFound("room")
    if not access.abilities["write"] or actor.user_id is None:
        raise PermissionDenied(READ_ONLY)
    me, client = matrix_user_id(actor.user_id), client or matrix.Client()
    try:
        if target is not None:
            target_id, use = target
            use(_message_in_room(client, access.room.room_id, target_id, me))
        event_id = client.send_event(
            access.room.room_id, event_type, content, as_user=me,
            txn_id=f"samdrift-{uuid.uuid4().hex}",
        )  # fmt: skip
    except matrix.MatrixError as error:
        if error.errcode == "M_DUPLICATE_ANNOTATION":
            return None  # the same reaction again: Synapse keeps one per person and key
        log.warning("chat %s to workspace %s: %s", event_type, workspace_id, error)
        raise HomeserverUnavailable from error
    except requests.RequestException as error:
        log.warning("chat %s to workspace %s: %s", event_type, workspace_id, error)
        raise HomeserverUnavailable from error
    action, after = audit
    with transaction.atomic():  # the event is already in the room: record it on its own
        audit_record(
            actor=actor,
            action=action,
            obj=access.room,
            organisation_id=access.workspace.workspace.owner_org_id,
            after={"event_id": event_id, **after},
        )
        # The other pages showing the room fetch it now, not only when the homeserver's own
        # transaction arrives (which publishes the same topic again; the pages coalesce).
        transaction.on_commit(lambda: live.publish(f"chat:{workspace_id}", {"kind": "message"}))
    return event_id


def _message_in_room(client: matrix.Client, room_id: str, event_id: str, me: str) -> dict[str, Any]:
    """The text message `event_id` of this room as the member sees it, or a refusal: another
    room's event, an unknown one and one that is no text message are all the same."""
    refused = ValidationFailed(NOT_IN_ROOM, errors={"event_id": [str(NOT_IN_ROOM)]})
    if not _EVENT_ID.fullmatch(event_id or ""):
        raise refused
    try:
        event = client.event(room_id, event_id, as_user=me)
    except matrix.MatrixError as error:
        if error.status in (400, 403, 404):
            raise refused from None
        raise
    if not _is_text(event) or event.get("room_id") not in (None, room_id):
        raise refused
    return event


def checked_text(text: str) -> str:
    body = (text or "").replace("\r\n", "\n").strip()
    if not body:
        raise ValidationFailed(EMPTY, errors={"text": [str(EMPTY)]})
    if len(body) > MAX_MESSAGE:
        message = str(TOO_LONG) % {"limit": MAX_MESSAGE}
        raise ValidationFailed(TOO_LONG, errors={"text": [message]}, limit=MAX_MESSAGE)
    if not _TEXT.match(body):
        raise ValidationFailed(CONTROL, errors={"text": [str(CONTROL)]})
    return body
