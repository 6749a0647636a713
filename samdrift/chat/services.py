"""Provisioning the workspaces' rooms on the homeserver and receiving its transactions (ADRs
0651, 0652). The homeserver's membership follows the workspace's: samdrift is its control plane.

`provision_workspace()` is idempotent: it reads the room's state from the homeserver and changes
only what differs, so running it twice creates nothing new. It runs in the jobs worker
(`tasks.provision_workspace_room`), queued after every committed membership change.
"""

from __future__ import annotations

import hashlib
import hmac
import json
import logging
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

import requests
from django.db import IntegrityError, transaction
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from samdrift.audit.services import audit_record, record_security_event
from samdrift.collaboration.selectors import member_list, memberships_of_users, workspace_get
from samdrift.collaboration.services.usage import note_chat_activity
from samdrift.core import live
from samdrift.core.actor import SYSTEM, Actor
from samdrift.core.exceptions import DomainError, NotFound, PermissionDenied
from samdrift.core.notifications.models import Channel
from samdrift.core.notifications.services import notify

from . import archive, homeserver, matrix, media, synapse_admin
from .choices import ATTACHMENT_KEY, FIXED_LEVELS, ROLE_POWER
from .models import ChatFile, ChatRoom, SsoGrant, Transaction
from .selectors import (
    matrix_localpart,
    matrix_user_id,
    people_in,
    room_for_workspace,
    room_get,
    room_level,
    signed_in_below,
    user_pk_of,
    workspace_alias_localpart,
    workspace_room_ids,
)

log = logging.getLogger(__name__)

FORGED_TOKEN = _("The application service token is wrong.")
NO_TOKEN = _("The application service token is missing.")
NOT_ALLOWED = _("You may not provision this workspace's chat room.")
REMOVED = "No longer a member of the workspace"


QueueFn = Callable[[int], None]
_queue: dict[str, QueueFn] = {}


def set_queue(fn: QueueFn) -> None:
    """How a provisioning is queued for the jobs worker (`tasks`, wired in `apps.ready()`)."""
    _queue["provision"] = fn


def _queue_provisioning(workspace_id: int) -> None:
    if "provision" in _queue:
        _queue["provision"](workspace_id)


def set_file_queue(fn: QueueFn) -> None:
    """How a file sent from a Matrix program is queued to be kept (`tasks.keep_chat_file`)."""
    _queue["file"] = fn


def _queue_files(file_ids: list[int]) -> None:
    if "file" in _queue:
        for file_id in file_ids:
            _queue["file"](file_id)


@dataclass
class Provisioned:
    workspace_id: int
    room_id: str
    created: bool = False
    invited: list[str] = field(default_factory=list)
    joined: list[str] = field(default_factory=list)
    kicked: list[str] = field(default_factory=list)
    state_changed: list[str] = field(default_factory=list)
    replaced: str = ""  # a room the homeserver no longer had
    signed_out: list[str] = field(default_factory=list)  # signed in below the room's level

    @property
    def changed(self) -> bool:
        return bool(
            self.created or self.invited or self.joined or self.kicked or self.state_changed
        ) or bool(self.replaced or self.signed_out)


def power_levels(members: dict[str, str]) -> dict[str, Any]:
    """The room's power levels, each member from their role. samdrift's user created the room,
    and in room version 12 a creator stands above every level and is never listed (ADR 0652)."""
    users: dict[str, int] = {}
    for uid, role in members.items():
        if ROLE_POWER.get(role, 0):
            users[uid] = ROLE_POWER[role]
    return {**FIXED_LEVELS, "users": users}


def _differs(current: dict[str, Any] | None, wanted: dict[str, Any]) -> bool:
    if current is None:
        return True
    return any(current.get(key) != value for key, value in wanted.items())


def _reachable(client: matrix.Client, room_id: str) -> bool:
    """Whether samdrift's user is in the room on this homeserver (every room has a create
    event; an unknown room answers 403 "not in room")."""
    try:
        return client.state(room_id, "m.room.create") is not None
    except matrix.MatrixError as error:
        if error.status in (403, 404):
            return False
        raise


def end_sign_ins(user_id: int) -> int:
    """End every Matrix session of the person and forget their sign-ins (what a lower level
    had reached no longer counts). Returns how many sessions ended."""
    ended = synapse_admin.logout_everywhere(matrix_user_id(user_id))
    SsoGrant.objects.filter(user_id=user_id).delete()
    return ended


def provision_workspace(
    *, workspace_id: int, client: matrix.Client | None = None, actor: Actor = SYSTEM
) -> Provisioned:
    """Make the workspace's room match the workspace: name, topic, members, power levels."""
    access = workspace_get(actor=SYSTEM, workspace_id=workspace_id, check_level=False)
    workspace = access.workspace
    roles = {matrix_localpart(m.user_id): m for m in member_list(workspace=workspace)}
    client = client or matrix.Client()
    for localpart, member in roles.items():
        uid = client.ensure_user(localpart)
        if client.call("GET", f"/profile/{uid}").get("displayname") in (None, localpart):
            client.set_displayname(uid, member.user.get_full_name() or member.user.get_username())
    wanted = {matrix.user_id(lp): str(m.role) for lp, m in roles.items()}
    levels = power_levels(wanted)
    name, topic = workspace.name, (workspace.description or "")[:1000]

    room = room_for_workspace(workspace.id)
    outcome = Provisioned(workspace_id=workspace.id, room_id=room.room_id if room else "")
    if room is not None and not _reachable(client, room.room_id):
        # The homeserver no longer has the room (its data was reset or replaced): the row is
        # stale. A new room is made, and the audit event names the one that was lost.
        outcome.replaced = room.room_id
        ChatRoom.objects.filter(id=room.id).delete()
        room = None
    if room is None:
        alias = f"#{workspace_alias_localpart(workspace.id)}:{matrix.conf.server_name()}"
        try:
            room_id = client.create_room(
                alias_localpart=workspace_alias_localpart(workspace.id),
                name=name,
                topic=topic,
                power_levels=levels,
            )
            outcome.created = True
        except matrix.MatrixError as error:
            # The alias is taken: a run stopped between making the room and saving its row.
            # (Resolving first would cost every new room a query to the application service.)
            existing = client.resolve_alias(alias) if error.errcode == "M_ROOM_IN_USE" else None
            if existing is None:
                raise
            room_id = existing
        try:
            with transaction.atomic():
                room = ChatRoom.objects.create(workspace=workspace, room_id=room_id, alias=alias)
        except IntegrityError:  # a concurrent run saved it first
            room = ChatRoom.objects.get(workspace=workspace)
        outcome.room_id = room.room_id
    room_id = room.room_id

    if _differs(client.state(room_id, "m.room.name"), {"name": name}):
        client.put_state(room_id, "m.room.name", {"name": name})
        outcome.state_changed.append("name")
    if _differs(client.state(room_id, "m.room.topic"), {"topic": topic}):
        client.put_state(room_id, "m.room.topic", {"topic": topic})
        outcome.state_changed.append("topic")
    if _differs(client.state(room_id, "m.room.power_levels"), levels):
        client.put_state(room_id, "m.room.power_levels", levels)
        outcome.state_changed.append("power_levels")

    # A Matrix client signed in at a lower level than this room needs would show it: those
    # sessions end before anyone is let in (ADR 0657); the next sign-in asks for the level.
    for user_id in sorted(
        signed_in_below([m.user_id for m in roles.values()], room_level(workspace.classification))
    ):
        end_sign_ins(user_id)
        outcome.signed_out.append(matrix_user_id(user_id))

    current = client.memberships(room_id)
    for uid in wanted:
        if current.get(uid) == "join":
            continue
        if current.get(uid) != "invite":
            client.invite(room_id, uid)
            outcome.invited.append(uid)
        client.join(room_id, uid)
        outcome.joined.append(uid)
    for uid, membership in current.items():
        if uid != matrix.bot_id() and membership in ("join", "invite") and uid not in wanted:
            client.kick(room_id, uid, REMOVED)
            outcome.kicked.append(uid)

    if outcome.changed or room.provisioned_at is None:
        with transaction.atomic():
            ChatRoom.objects.filter(id=room.id).update(provisioned_at=timezone.now())
            audit_record(
                actor=actor,
                action="chat.provision",
                obj=room,
                organisation_id=workspace.owner_org_id,
                after={
                    "workspace": workspace.id,
                    "room": room_id,
                    "created": outcome.created,
                    "invited": outcome.invited,
                    "kicked": outcome.kicked,
                    "state": outcome.state_changed,
                    "replaced": outcome.replaced,
                    "signed_out": outcome.signed_out,
                },
            )
    return outcome


EXPORT_FORMAT = "samdrift.chat.export/2"  # /2: `attachments` (ADR 0663)
NOT_EXPORTABLE = _("You may not export this workspace's chat.")


UNAVAILABLE = _("The chat server does not answer. Try again in a while.")


class HomeserverUnavailable(DomainError):
    code = "chat_unavailable"
    http_status = 503

    def __init__(self) -> None:
        super().__init__(UNAVAILABLE)


@dataclass(frozen=True)
class RoomExport:
    body: bytes  # canonical JSON, UTF-8
    sha256: str
    events: int
    filename: str


def _history(
    actor: Actor, workspace_id: int, client: matrix.Client | None
) -> tuple[ChatRoom, dict[str, Any], bytes, str]:
    """The room's export document, as canonical JSON and its SHA-256 (not yet audited)."""
    access = room_get(actor=actor, workspace_id=workspace_id)
    if access.room is None:
        raise NotFound("room")
    if not access.abilities["export"]:
        raise PermissionDenied(NOT_EXPORTABLE)
    room = access.room
    client = client or matrix.Client()
    try:
        events = client.history(room.room_id)
    except (requests.RequestException, matrix.MatrixError) as error:
        log.warning("chat export of workspace %s: %s", workspace_id, error)
        raise HomeserverUnavailable from error
    return (room, *_export_document(room, access.workspace.workspace, events, client=client))


def _export_document(
    room: ChatRoom, workspace: Any, events: list[dict[str, Any]], *,
    client: matrix.Client | None = None, attachments: list[dict[str, Any]] | None = None,
    **extra: Any,
) -> tuple[dict[str, Any], bytes, str]:  # fmt: skip
    """The export document (`EXPORT_FORMAT`): the events as the homeserver keeps them and, for
    each message with a file, where its bytes are (`media.attachments`, ADR 0663)."""
    document = {
        **extra,
        "attachments": media.attachments(room, events, client) if attachments is None
        else attachments,
        "format": EXPORT_FORMAT,
        "exported_at": timezone.now().isoformat(),
        "server_name": matrix.conf.server_name(),
        "workspace": {"id": workspace.id, "name": workspace.name,
                      "classification": workspace.classification},
        "room": {"room_id": room.room_id, "alias": room.alias},
        "events": events,
    }  # fmt: skip
    body = json.dumps(document, sort_keys=True, ensure_ascii=False, separators=(",", ":")).encode()
    return document, body, hashlib.sha256(body).hexdigest()


def _audit_export(actor: Actor, room: ChatRoom, after: dict[str, Any]) -> None:
    with transaction.atomic():
        audit_record(
            actor=actor,
            action="chat.export",
            obj=room,
            organisation_id=room.workspace.owner_org_id,
            after={"workspace": room.workspace_id, **after},
        )


def export_room(
    *, actor: Actor, workspace_id: int, client: matrix.Client | None = None
) -> RoomExport:
    """The room's whole history for the archive (arkivlagen): every event as the homeserver
    keeps it (messages, edits, redactions, membership, state), in canonical JSON, with its
    SHA-256. Audited; the owner of the workspace (or the system) only."""
    room, document, body, digest = _history(actor, workspace_id, client)
    events = len(document["events"])
    _audit_export(actor, room, {"events": events, "sha256": digest})
    return RoomExport(body, digest, events, f"chat-workspace-{workspace_id}.json")


def export_room_pdf(
    *, actor: Actor, workspace_id: int, language: str, client: matrix.Client | None = None
) -> RoomExport:
    """The same history as an accessible PDF (ADR 0654) that names the JSON's SHA-256; the
    audit record keeps both checksums."""
    room, document, _body, json_digest = _history(actor, workspace_id, client)
    data = archive.archive_pdf(document, json_digest, people_in(document["events"]), language)
    digest = hashlib.sha256(data).hexdigest()
    events = len(document["events"])
    _audit_export(
        actor,
        room,
        {"events": events, "sha256": digest, "format": "pdf", "json_sha256": json_digest},
    )
    return RoomExport(data, digest, events, f"chat-workspace-{workspace_id}-{language}.pdf")


def provision_request(*, actor: Actor, workspace_id: int) -> None:
    """Whoever manages the workspace's members asks for its room to be brought in line: the
    provisioning is queued for the jobs worker (the page never waits on the homeserver)."""
    access = room_get(actor=actor, workspace_id=workspace_id)
    if not access.abilities["provision"]:
        raise PermissionDenied(NOT_ALLOWED)
    workspace = access.workspace.workspace
    with transaction.atomic():
        audit_record(
            actor=actor,
            action="chat.provision_request",
            object_type="collaboration.workspace",
            object_id=workspace.id,
            organisation_id=workspace.owner_org_id,
        )
        transaction.on_commit(lambda: _queue_provisioning(workspace.id))


# The homeserver → samdrift side ---------------------------------------------------------------


def check_hs_token(presented: str) -> None:
    """The homeserver proves itself with `hs_token`; anything else is refused and logged."""
    if not presented:
        record_security_event("chat.appservice_token_missing")
        raise PermissionDenied(NO_TOKEN)
    if not hmac.compare_digest(presented.encode(), homeserver.secret("hs_token").encode()):
        record_security_event("chat.appservice_token_refused")
        raise PermissionDenied(FORGED_TOKEN)


def _queue_all(workspace_ids: list[int]) -> None:
    for workspace_id in workspace_ids:
        _queue_provisioning(workspace_id)


def _workspaces_of(
    rooms: dict[str, int],
    events: list[dict[str, Any]],
    kind: str,
    also: Callable[[dict[str, Any]], bool] = lambda _event: True,
) -> set[int]:
    """The workspaces whose rooms have an event of `kind` (that `also` accepts) among `events`."""
    return {
        rooms[str(event.get("room_id"))]
        for event in events
        if isinstance(event, dict)
        and event.get("type") == kind
        and str(event.get("room_id")) in rooms
        and also(event)
    }


def _writers(rooms: dict[str, int], events: list[dict[str, Any]]) -> set[tuple[int, int]]:
    """(user id, workspace id) of samdrift's people who sent a message in samdrift's rooms."""
    found = set()
    for event in events:
        if not isinstance(event, dict) or event.get("type") != "m.room.message":
            continue
        workspace_id = rooms.get(str(event.get("room_id")))
        user_id = user_pk_of(event.get("sender"))
        if workspace_id is not None and user_id is not None:
            found.add((user_id, workspace_id))
    return found


def _notify_mentions(rooms: dict[str, int], events: list[dict[str, Any]]) -> int:
    """Members a message mentions (`m.mentions.user_ids`, what Matrix clients send) get a note
    in samdrift's inbox with a link to the conversation; never the words, never by e-mail
    (ADR 0659). Someone who is not (or no longer) a member of the workspace gets nothing."""
    wanted: list[tuple[int, int, str]] = []  # (workspace, mentioned user, sender's Matrix ID)
    for event in events:
        if not isinstance(event, dict) or event.get("type") != "m.room.message":
            continue
        workspace_id = rooms.get(str(event.get("room_id")))
        content = event.get("content")
        said = content.get("m.mentions") if isinstance(content, dict) else None
        mentions = said.get("user_ids") if isinstance(said, dict) else None
        if workspace_id is None or not isinstance(mentions, list):
            continue
        sender = str(event.get("sender", ""))
        wanted.extend(
            (workspace_id, pk, sender)
            for mxid in mentions
            if mxid != sender and (pk := user_pk_of(mxid)) is not None
        )
    if not wanted:
        return 0
    members = {
        (m.workspace_id, m.user_id): m.workspace
        for m in memberships_of_users(sorted({pk for _w, pk, _s in wanted}))
    }
    names = people_in([{"sender": sender} for _w, _pk, sender in wanted])
    told = 0
    for workspace_id, pk, sender in dict.fromkeys(wanted):
        workspace = members.get((workspace_id, pk))
        if workspace is None:
            continue
        told += len(
            notify(
                [pk], "chat_mention",
                {"sender": names.get(sender, sender), "workspace": workspace.name},
                link=reverse("chat:room", args=[workspace_id]) + "#conversation",
                actor=SYSTEM, channels=(Channel.IN_APP,),
            )
        )  # fmt: skip
    return told


def _record_files(rooms: dict[str, int], events: list[dict[str, Any]]) -> list[int]:
    """A file message from one of samdrift's people in one of samdrift's rooms, with its bytes
    in this homeserver's media store and naming no document yet, is recorded once per event id
    (ADR 0663); the ids of the rows new in this transaction, to be kept by the jobs worker."""
    new: list[int] = []
    for event in events:
        if not isinstance(event, dict):
            continue
        carried = media.file_of(event)
        workspace_id = rooms.get(str(event.get("room_id")))
        sender = user_pk_of(event.get("sender"))
        event_id = event.get("event_id")
        if carried is None or workspace_id is None or sender is None:
            continue
        if ATTACHMENT_KEY in event["content"] or not isinstance(event_id, str) or not event_id:
            continue
        mxc, name, content_type, _size = carried
        parsed = matrix.parse_mxc(mxc)
        if parsed is None or parsed[0] != matrix.conf.server_name() or len(event_id) > 255:
            continue  # only this homeserver's own media (no federation)
        row, created = ChatFile.objects.get_or_create(
            event_id=event_id,
            defaults={"workspace_id": workspace_id, "room_id": str(event["room_id"]),
                      "sender_id": sender, "mxc": mxc, "name": name[:1000],
                      "content_type": content_type[:150]},
        )  # fmt: skip
        if created:
            new.append(row.pk)
    return new


def receive_transaction(*, token: str, txn_id: str, events: list[dict[str, Any]]) -> int:
    """A transaction of events from the homeserver, handled once per id. A membership event in
    one of samdrift's rooms queues that workspace's provisioning, which undoes any membership
    the workspace does not hold. Returns how many workspaces were queued."""
    check_hs_token(token)
    if not txn_id or len(txn_id) > 255 or not txn_id.isprintable():
        raise NotFound("transaction")
    with transaction.atomic():
        _row, created = Transaction.objects.get_or_create(
            txn_id=txn_id, defaults={"events": len(events)}
        )
        if not created:
            return 0
        rooms = workspace_room_ids()
        bot = matrix.bot_id()
        touched = _workspaces_of(
            rooms, events, "m.room.member", lambda event: event.get("state_key") != bot
        )
        transaction.on_commit(lambda: _queue_all(sorted(touched)))
        # A new message: the pages showing that room's conversation fetch it (ADR 0656).
        for workspace_id in sorted(_workspaces_of(rooms, events, "m.room.message")):
            live.publish(f"chat:{workspace_id}", {"kind": "message"})
        # Whoever wrote, from any Matrix program, used SAFOS this month (ADR 0658).
        note_chat_activity(_writers(rooms, events))
        _notify_mentions(rooms, events)
        # A file sent from a Matrix program becomes a document of the workspace (ADR 0663).
        files = _record_files(rooms, events)
        if files:
            transaction.on_commit(lambda: _queue_files(files))
    return len(touched)
