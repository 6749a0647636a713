"""The room's history for the archive as an accessible PDF (issue 13 item 6, ADR 0654).

The PDF is read from the same export document as the JSON (the events as the homeserver keeps
them) and names that JSON's SHA-256, so the archive can keep the readable copy and the complete
one as a pair. One row per event, oldest first: messages with their replies and threads, edits
(the new text, pointing at the message it changes), redactions (that a message was removed, by
whom and why: its text is gone from the homeserver too), membership and the room's settings.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any

from django.utils import timezone, translation
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from samdrift.core import pdf

MEMBERSHIP = {
    "invite": gettext_lazy("was invited"),
    "join": gettext_lazy("joined"),
    "leave": gettext_lazy("left"),
    "ban": gettext_lazy("was banned"),
    "knock": gettext_lazy("asked to join"),
}


@dataclass(frozen=True)
class Entry:
    number: int
    at: datetime
    who: str
    what: str
    text: str
    kept: str = ""  # where a file's bytes are (ADR 0663)
    sha256: str = ""  # of those bytes


def _kept(file: dict[str, Any] | None) -> tuple[str, str]:
    """Where the bytes of a message's file are, in words, and their SHA-256 (ADR 0663)."""
    if not file:
        return "", ""
    document, stored = file.get("document") or {}, file.get("media") or {}
    if file.get("kept_in") == "document":
        return _("The bytes are kept in document %(id)s, version %(version)s, of the workspace "
                 "(%(name)s, %(size)s bytes).") % document, str(document.get("sha256", ""))  # fmt: skip
    if file.get("kept_in") == "media store" and file.get("archived"):
        return _("Not kept as a document: the bytes, read from the homeserver's media store "
                 "(%(mxc)s), are kept with this archive (%(size)s bytes).") % stored, str(
            stored.get("sha256", ""))  # fmt: skip
    if file.get("kept_in") == "media store":
        why = (_("Refused: %(reason)s") % {"reason": file["reason"]} + " "
               if file.get("reason") else "")  # fmt: skip
        if "sha256" not in stored:
            return why + _("Not kept by samdrift; the homeserver's media store (%(mxc)s) did "
                           "not give the bytes when this was exported.") % stored, ""  # fmt: skip
        return why + _("Not kept by samdrift: the bytes are in the homeserver's media store "
                       "(%(mxc)s, %(size)s bytes).") % stored, str(stored["sha256"])  # fmt: skip
    return _("Names document %(id)s, which is not a document of this workspace.") % document, ""


def _when(event: dict[str, Any]) -> datetime:
    stamp = event.get("origin_server_ts")
    moment = datetime.fromtimestamp(stamp / 1000, tz=UTC) if isinstance(stamp, int) else None
    return timezone.localtime(moment) if moment else timezone.localtime()


def _short(event_id: str, numbers: dict[str, int]) -> str:
    return f"#{numbers[event_id]}" if event_id in numbers else event_id


def _message(event: dict[str, Any], numbers: dict[str, int]) -> tuple[str, str]:
    content = event.get("content") or {}
    relation = content.get("m.relates_to") or {}
    kind = content.get("msgtype", "")
    if relation.get("rel_type") == "m.replace":
        new = content.get("m.new_content") or {}
        return _("Edit of %(n)s") % {"n": _short(relation.get("event_id", ""), numbers)}, str(
            new.get("body", content.get("body", ""))
        )
    if kind in ("m.file", "m.image", "m.video", "m.audio"):
        what = _("Attachment")
    elif relation.get("rel_type") == "m.thread":
        what = _("In the thread of %(n)s") % {"n": _short(relation.get("event_id", ""), numbers)}
    elif (relation.get("m.in_reply_to") or {}).get("event_id"):
        what = _("Reply to %(n)s") % {"n": _short(relation["m.in_reply_to"]["event_id"], numbers)}
    else:
        what = _("Message")
    return what, str(content.get("body", ""))


def _entry(
    event: dict[str, Any], names: dict[str, str], numbers: dict[str, int],
    files: dict[str, dict[str, Any]],
) -> Entry:  # fmt: skip
    sender = str(event.get("sender", ""))
    kind = event.get("type", "")
    content = event.get("content") or {}
    redacted_by = (event.get("unsigned") or {}).get("redacted_because")
    if redacted_by:
        remover = names.get(redacted_by.get("sender", ""), redacted_by.get("sender", ""))
        reason = (redacted_by.get("content") or {}).get("reason") or "–"
        what = _("Removed")
        text = _("Removed by %(who)s. Reason: %(reason)s") % {"who": remover, "reason": reason}
    elif kind == "m.room.message":
        what, text = _message(event, numbers)
    elif kind == "m.room.member":
        target = str(event.get("state_key", ""))
        membership = str(content.get("membership", ""))
        what = _("Membership")
        text = f"{names.get(target, target)} {MEMBERSHIP.get(membership, membership)}"
    elif kind == "m.room.redaction":
        what = _("Removal")
        text = _("Removed %(n)s") % {"n": _short(str(event.get("redacts", "")), numbers)}
    else:
        what = _("Room setting")
        text = kind
    kept, digest = _kept(None if redacted_by else files.get(str(event.get("event_id", ""))))
    return Entry(numbers[event.get("event_id", "")], _when(event), names.get(sender, sender),
                 what, text, kept, digest)  # fmt: skip


def entries(
    events: list[dict[str, Any]], names: dict[str, str],
    attachments: list[dict[str, Any]] | None = None,
) -> list[Entry]:  # fmt: skip
    """One row per event, numbered in order; `names` maps Matrix IDs to people's names;
    `attachments` (the export's) says where each file's bytes are."""
    numbers = {str(e.get("event_id", "")): n for n, e in enumerate(events, start=1)}
    files = {str(a.get("event_id", "")): a for a in attachments or []}
    return [_entry(event, names, numbers, files) for event in events]


def title(document: dict[str, Any], language: str) -> str:
    with translation.override(language):
        return _("Chat history: %(name)s") % {"name": document["workspace"]["name"]}


def archive_pdf(
    document: dict[str, Any], json_sha256: str, names: dict[str, str], language: str
) -> bytes:
    """The export document as tagged PDF/UA-1 in `language`."""
    heading = title(document, language)
    with translation.override(language):
        rows = entries(document["events"], names, document.get("attachments"))
    return pdf.render(
        "chat/archive_document.html",
        {
            "title": heading,
            "document": document,
            "rows": rows,
            "json_sha256": json_sha256,
            "exported_at": datetime.fromisoformat(document["exported_at"]),
        },
        kind="chat.archive",
        language=language,
        title=heading,
    )
