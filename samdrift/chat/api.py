"""API of chat, mounted under /api/v1/chat (issue 13): the same selectors and services as the
pages, so the same rules. A workspace the caller does not see is 404, like one that does not
exist."""

# No `from __future__ import annotations`: ninja reads the real annotations.
from datetime import datetime
from typing import Any, Literal

from django.http import HttpRequest, HttpResponse, HttpResponseBase
from ninja import Field, File, Form, Path, Router, Schema, Status
from ninja.files import UploadedFile

from samdrift.core.actor import Actor
from samdrift.core.api import errors
from samdrift.core.files.responses import file_response

from . import attachments, conf, conversation, retention, selectors, services

router = Router(tags=["chat"])


class RoomOut(Schema):
    workspace: int
    server_name: str
    room_id: str | None
    alias: str | None
    provisioned_at: datetime | None
    matrix_id: str | None
    can_chat: bool
    can_write: bool
    can_provision: bool
    unread: int | None = Field(
        description="Messages others wrote after the caller's read marker (among the room's 50 "
        "newest events, as the room's page marks them new); null when not known: chat off, the "
        "caller not in the room, or the homeserver not answering."
    )


class QueuedOut(Schema):
    queued: bool


def _actor(request: HttpRequest) -> Actor:
    actor: Actor = request.auth  # type: ignore[attr-defined]
    return actor


@router.get(
    "/workspaces/{workspace_id}/room",
    response={200: RoomOut, **errors(404)},
    summary="The workspace's chat room",
    description="Its Matrix room, the caller's Matrix identity when a member, and how many "
    "messages are unread for them (`unread`, one request to the homeserver). 404 for a "
    "workspace the caller does not see.",
)
def get_room(request: HttpRequest, workspace_id: int) -> RoomOut:
    actor = _actor(request)
    access = selectors.room_get(actor=actor, workspace_id=workspace_id)
    unread = conversation.unread_counts(actor=actor, workspaces=[access.workspace.workspace])
    me = access.workspace.member
    return RoomOut(
        workspace=access.workspace.workspace.id,
        server_name=conf.server_name(),
        room_id=access.room.room_id if access.room and access.abilities["view"] else None,
        alias=access.room.alias if access.room else None,
        provisioned_at=access.room.provisioned_at if access.room else None,
        matrix_id=selectors.matrix_user_id(me.user_id) if me else None,
        can_chat=access.abilities["chat"],
        can_write=access.abilities["write"],
        can_provision=access.abilities["provision"],
        unread=unread.get(workspace_id),
    )


@router.post(
    "/workspaces/{workspace_id}/room/provision",
    response={202: QueuedOut, **errors(403, 404)},
    summary="Bring the room in line with the workspace",
    description="Queues the provisioning (members, power levels, name). The workspace's owner; "
    "403 for another member, 404 for a workspace the caller does not see.",
)
def provision_room(request: HttpRequest, workspace_id: int) -> Status:
    services.provision_request(actor=_actor(request), workspace_id=workspace_id)
    return Status(202, QueuedOut(queued=True))


@router.get(
    "/workspaces/{workspace_id}/room/export",
    response={200: dict[str, Any], **errors(403, 404, 503)},
    summary="The room's history for the archive",
    description="Every event of the room (messages, edits, redactions, membership) as canonical "
    "JSON; its SHA-256 is in the `X-Checksum-SHA256` header. The workspace's owner; 403 for "
    "another member, 404 for a workspace the caller does not see or one without a room, 503 "
    "when the homeserver does not answer. Audited.",
)
def export_room(request: HttpRequest, workspace_id: int) -> HttpResponse:
    done = services.export_room(actor=_actor(request), workspace_id=workspace_id)
    return _download(done, "application/json")


@router.get(
    "/workspaces/{workspace_id}/room/export.pdf",
    response={200: None, **errors(403, 404, 422, 503)},
    openapi_extra={"responses": {200: {"content": {"application/pdf": {}}}}},
    summary="The room's history for the archive as an accessible PDF",
    description="The same events as the JSON export, one row each, as tagged PDF/UA-1 in "
    "`language` (sv or en); the PDF names the JSON export's SHA-256, and the PDF's own is in "
    "the `X-Checksum-SHA256` header. The same rights as the JSON export. Audited.",
)
def export_room_pdf(
    request: HttpRequest, workspace_id: int, language: Literal["sv", "en"] = "sv"
) -> HttpResponse:
    done = services.export_room_pdf(
        actor=_actor(request), workspace_id=workspace_id, language=language
    )
    return _download(done, "application/pdf")


def _download(done: services.RoomExport, content_type: str) -> HttpResponse:
    response = HttpResponse(done.body, content_type=content_type)
    response["X-Checksum-SHA256"] = done.sha256
    response["Content-Disposition"] = f'attachment; filename="{done.filename}"'
    return response


class HoldIn(Schema):
    reason: str


class HoldOut(Schema):
    workspace: int
    held: bool
    reason: str
    since: datetime | None
    retention_days: int


class ArchiveFileOut(Schema):
    kind: str = Field(description="`file-<n>`: what to ask for to download the bytes.")
    event_id: str
    name: str
    size: int
    sha256: str


class ArchiveOut(Schema):
    id: int
    up_to: datetime
    events: int
    purged_at: datetime | None
    json_sha256: str
    pdf_sha256: str
    files: list[ArchiveFileOut] = Field(
        description="Bytes of files that were only in the homeserver's media store, kept with "
        "the archive (ADR 0663); files kept as documents are named in the JSON instead."
    )


def _hold(room: Any, workspace_id: int, classification: int) -> HoldOut:
    return HoldOut(
        workspace=workspace_id,
        held=room.hold_set_at is not None,
        reason=room.hold_reason,
        since=room.hold_set_at,
        retention_days=conf.retention_days(classification),
    )


class ReactionOut(Schema):
    key: str
    count: int


class ChatAttachmentOut(Schema):
    document_id: int
    name: str


class MessageOut(Schema):
    event_id: str  # what a reply (in_reply_to) or a reaction names
    sender: str
    mine: bool
    sent_at: datetime
    text: str  # an edited message's newest text; a reply's without the quoted fallback
    edited: bool
    reply_to: str  # the name of whom it answers; empty when it is no reply
    thread_of: str  # the name of who began the thread it is in; empty outside threads
    reactions: list[ReactionOut]  # most given first
    new: bool  # another's message after the caller's read marker (which samdrift's page moves)
    attachment: ChatAttachmentOut | None  # the workspace's document the message sends


class MessageIn(Schema):
    text: str = Field(min_length=1, max_length=conversation.MAX_MESSAGE)
    in_reply_to: str = Field(
        "", max_length=300, description="The event id of a message of the room this answers."
    )
    in_thread: bool = Field(
        False, description="Start a thread on `in_reply_to` (or answer in the one it is in)."
    )


class ReactionIn(Schema):
    event_id: str = Field(max_length=300, description="The message of the room reacted to.")
    key: str = Field(description="One of " + " ".join(conversation.REACTION_KEYS) + ".")


class ReactedOut(Schema):
    event_id: str | None = Field(description="The reaction's event; null when it was given before.")


class SentOut(Schema):
    event_id: str


@router.get(
    "/workspaces/{workspace_id}/room/messages",
    response={200: list[MessageOut], **errors(403, 404, 503)},
    summary="The room's newest messages",
    description="The 50 newest text messages, oldest first, as the caller sees them in the "
    "homeserver (ADR 0656); `new` marks others' messages after the caller's read marker (moved "
    "by samdrift's page and by Matrix programs, not by this call). Members; 403 for someone who sees the workspace without being in "
    "its chat, 404 for a workspace the caller does not see or one without a room, 503 when the "
    "homeserver does not answer. Each reading is audited.",
)
def list_messages(request: HttpRequest, workspace_id: int) -> list[MessageOut]:
    found = conversation.recent_messages(actor=_actor(request), workspace_id=workspace_id)
    return [
        MessageOut(
            **{
                **vars(message),
                "reactions": [ReactionOut(key=k, count=n) for k, n in message.reactions],
                "attachment": (
                    ChatAttachmentOut(document_id=message.attachment[0], name=message.attachment[1])
                    if message.attachment
                    else None
                ),
            }
        )
        for message in found
    ]


@router.post(
    "/workspaces/{workspace_id}/room/messages",
    response={201: SentOut, **errors(403, 404, 422, 503)},
    summary="Write in the room",
    description="A plain text message from the caller, sent by the homeserver in their name "
    "(ADR 0656), answering `in_reply_to` when given (in its thread when it is in one; with "
    "`in_thread`, starting a thread on it). "
    "Commenters, editors and owners; 403 for readers, 404 for a workspace the caller does not "
    "see or one without a room, 422 for an empty or too long message, one with control "
    "characters or one answering a message not in the room (nothing is sent), 503 when the "
    "homeserver does not answer. "
    "Audited without the words.",
)
def send_message(request: HttpRequest, workspace_id: int, payload: MessageIn) -> Status:
    event_id = conversation.send_message(
        actor=_actor(request),
        workspace_id=workspace_id,
        text=payload.text,
        in_reply_to=payload.in_reply_to,
        in_thread=payload.in_thread,
    )
    return Status(201, SentOut(event_id=event_id))


@router.post(
    "/workspaces/{workspace_id}/room/reactions",
    response={201: ReactedOut, 200: ReactedOut, **errors(403, 404, 422, 503)},
    summary="React to a message",
    description="A reaction (one of the keys samdrift offers) from the caller to a message of "
    "the room, sent by the homeserver in their name. 201 when given, 200 when the caller had "
    "given the same one before (nothing new). Commenters, editors and owners; 403 for readers, "
    "404 for a workspace the caller does not see or one without a room, 422 for another key or "
    "a message that is not in the room (nothing is sent), 503 when the homeserver does not "
    "answer. Audited.",
)
def react(request: HttpRequest, workspace_id: int, payload: ReactionIn) -> Status:
    event_id = conversation.react(
        actor=_actor(request), workspace_id=workspace_id, event_id=payload.event_id, key=payload.key
    )
    return Status(201 if event_id else 200, ReactedOut(event_id=event_id))


class ReadIn(Schema):
    event_id: str | None = Field(
        None,
        max_length=300,
        description="The event of the room read up to; without it, the room's newest event.",
    )


@router.post(
    "/workspaces/{workspace_id}/room/read",
    response={204: None, **errors(403, 404, 422, 503)},
    summary="Mark the room read",
    description="Moves the caller's read marker (`m.fully_read`, and a read receipt, as a Matrix "
    "program does) up to `event_id`, an event of the room, or without a body up to its newest "
    "event; `unread` and the messages' `new` follow, here and in every Matrix program. Members; "
    "403 for someone who sees the workspace without being in its chat, 404 for a workspace the "
    "caller does not see or one without a room, 422 for an event id that is unknown or of "
    "another room (the marker stays where it was), 503 when chat is off or the homeserver does "
    "not answer.",
)
def mark_read(request: HttpRequest, workspace_id: int, payload: ReadIn | None = None) -> Status:
    conversation.mark_read(
        actor=_actor(request),
        workspace_id=workspace_id,
        event_id=payload.event_id if payload is not None else None,
    )
    return Status(204, None)


@router.put(
    "/workspaces/{workspace_id}/room/hold",
    response={200: HoldOut, **errors(403, 404, 422)},
    summary="Put the room on legal hold",
    description="While held, nothing of the room is archived away or purged, whatever its age "
    "(ADR 0655); a held room's reason can be changed. The owner agency's security role; 403 for "
    "anyone else who sees the workspace, 404 for a workspace the caller does not see or one "
    "without a room, 422 without a reason (at most 2000 characters). Audited.",
)
def put_hold(request: HttpRequest, workspace_id: int, payload: HoldIn) -> HoldOut:
    room = retention.hold_set(
        actor=_actor(request), workspace_id=workspace_id, reason=payload.reason
    )
    return _hold(room, workspace_id, room.workspace.classification)


@router.delete(
    "/workspaces/{workspace_id}/room/hold",
    response={200: HoldOut, **errors(403, 404, 422)},
    summary="Lift the room's legal hold",
    description="The same rights as setting it; 422 when the room is not held. Audited.",
)
def delete_hold(request: HttpRequest, workspace_id: int) -> HoldOut:
    room = retention.hold_release(actor=_actor(request), workspace_id=workspace_id)
    return _hold(room, workspace_id, room.workspace.classification)


@router.get(
    "/workspaces/{workspace_id}/room/archives",
    response={200: list[ArchiveOut], **errors(403, 404)},
    summary="The room's archived history",
    description="What retention archived before it purged the homeserver (ADR 0655), newest "
    "first, each part as JSON and PDF with its SHA-256. The same rights as the export.",
)
def list_archives(request: HttpRequest, workspace_id: int) -> list[ArchiveOut]:
    return [
        ArchiveOut(
            id=a.pk,
            up_to=a.up_to,
            events=a.events,
            purged_at=a.purged_at,
            json_sha256=a.json_file.sha256,
            pdf_sha256=a.pdf_file.sha256,
            files=[
                ArchiveFileOut(
                    kind=f.kind,
                    event_id=f.event_id,
                    name=f.name,
                    size=f.file.size,
                    sha256=f.file.sha256,
                )
                for f in a.files.all()
            ],
        )
        for a in retention.archives(actor=_actor(request), workspace_id=workspace_id)
    ]


@router.get(
    "/workspaces/{workspace_id}/room/archives/{archive_id}/{kind}",
    response={200: None, **errors(403, 404)},
    openapi_extra={
        "responses": {
            200: {
                "content": {
                    "application/json": {},
                    "application/pdf": {},
                    "application/octet-stream": {},
                }
            }
        }
    },
    summary="One archived part of the room's history",
    description="`kind` is json, pdf or `file-<n>` (a file's bytes kept with the archive, ADR "
    "0663, as the list names them); the file as stored, its SHA-256 as the ETag. Audited.",
)
def get_archive(
    request: HttpRequest,
    workspace_id: int,
    archive_id: int,
    kind: str = Path(..., pattern=r"^(json|pdf|file-[0-9]{1,18})$"),
) -> HttpResponseBase:
    stored = retention.archive_open(
        actor=_actor(request), workspace_id=workspace_id, archive_id=archive_id, kind=kind
    )
    return file_response(stored, request)


class AttachedOut(Schema):
    event_id: str
    document_id: int
    version: int


@router.post(
    "/workspaces/{workspace_id}/room/attachments",
    response={201: AttachedOut, **errors(403, 404, 409, 413, 422, 503)},
    summary="Send a file in the room",
    description="The file is stored as a document of the workspace (or a new version of the one "
    "of the same name at its top level) through the documents' own checks (name, content, "
    "size, quota, malware scan, class), and a message from the caller names it with a link to "
    "its page, with `text` before the link (ADR 0660). Editors and owners; 403 for commenters "
    "and readers, 404 for a workspace the caller does not see or one without a room, 409/413/"
    "422 as the documents' upload refuses (nothing stored or sent), 503 when the homeserver "
    "does not answer (the document is then kept). Audited.",
)
def attach(
    request: HttpRequest,
    workspace_id: int,
    file: UploadedFile = File(...),  # noqa: B008 (django-ninja's way to declare a part)
    text: str = Form("", max_length=conversation.MAX_MESSAGE),
) -> Status:
    sent = attachments.send_attachment(
        actor=_actor(request), workspace_id=workspace_id, stream=file, name=file.name or "",
        content_type=file.content_type, text=text,
    )  # fmt: skip
    return Status(
        201, AttachedOut(event_id=sent.event_id, document_id=sent.document_id, version=sent.version)
    )
