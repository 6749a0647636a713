"""A file sent in the workspace's chat is a SAFOS document of the workspace (ADR 0660).

The file is stored through collaboration's own upload (its name and content checks, quota,
malware scan, class and audit), never in the homeserver's media store; the message then names
the document and links to its page, where collaboration's rules decide who reads it. Element and
every other Matrix program show the message with the link; samdrift's page shows the document's
name as samdrift keeps it.
"""

from __future__ import annotations

from dataclasses import dataclass
from html import escape
from typing import IO, Any

from django.conf import settings
from django.urls import reverse
from django.utils.translation import gettext_lazy as _

from samdrift.collaboration.services.uploads import upload
from samdrift.core.actor import Actor
from samdrift.core.exceptions import NotFound, PermissionDenied

from . import conf, matrix
from .conversation import ATTACHMENT_KEY, ATTACHMENT_LINE, READ_ONLY, checked_text, send_as_member
from .selectors import room_get
from .services import HomeserverUnavailable

NO_ATTACH = _(
    "Editors and owners send files: a file sent in the chat becomes a document of the workspace."
)


@dataclass(frozen=True)
class Sent:
    event_id: str
    document_id: int
    version: int


def send_attachment(
    *, actor: Actor, workspace_id: int, stream: IO[bytes] | Any, name: str,
    content_type: str | None = None, text: str = "", client: matrix.Client | None = None,
) -> Sent:  # fmt: skip
    """Store the file as a document of the workspace (or a new version of the one of the same
    name at its top level) and send a message that names it, with `text` before the link. The
    right to attach (writing in the room and adding documents) is checked before a byte is read;
    collaboration's own checks refuse as its upload does, and a refusal stores and sends
    nothing. A file stored whose message the
    homeserver then fails to take stays in the workspace, as any upload does."""
    access = room_get(actor=actor, workspace_id=workspace_id)
    if access.room is None:
        raise NotFound("room")
    if not access.abilities["attach"] or actor.user_id is None:
        raise PermissionDenied(NO_ATTACH if access.abilities["write"] else READ_ONLY)
    if not conf.enabled():  # no homeserver to name the file in: nothing is stored either
        raise HomeserverUnavailable
    comment = checked_text(text) if (text or "").strip() else ""
    version = upload(
        actor=actor, workspace_id=workspace_id, stream=stream, name=name,
        content_type=content_type,
    )  # fmt: skip
    document = version.document
    link = settings.SAMDRIFT_BASE_URL.rstrip("/") + reverse(
        "collaboration:document", kwargs={"document_id": document.id}
    )
    line = f"{ATTACHMENT_LINE}{document.name}: {link}"
    html_line = f'{ATTACHMENT_LINE}<a href="{escape(link)}">{escape(document.name)}</a>'
    content = {
        "msgtype": "m.text",
        "body": f"{comment}\n{line}" if comment else line,
        "format": "org.matrix.custom.html",
        "formatted_body": f"{escape(comment)}<br>{html_line}" if comment else html_line,
        ATTACHMENT_KEY: {"document_id": document.id, "version": version.number},
    }
    event_id = send_as_member(
        actor, workspace_id, "m.room.message", content, client=client, target=None, access=access,
        audit=("chat.attachment_sent", {"document_id": document.id, "version": version.number,
                                        "characters": len(comment)}),
    )  # fmt: skip
    return Sent(event_id=event_id or "", document_id=document.id, version=version.number)
