"""Demo live documents: a meeting note and a whiteboard in the first workspace that has an
editor, written through the same service an editor's browser uses."""

from __future__ import annotations

from typing import Any

from pycrdt import Doc, Map, XmlElement, XmlFragment, XmlText

from samdrift.accounts.selectors import actor_for_user
from samdrift.collaboration.selectors import all_memberships

from . import services
from .models import LiveDoc

NOTE = (
    ("paragraph", "Anteckningar från samverkansmötet om SAFOS."),
    ("paragraph", "Beslut: vi provar gemensam tavla för planeringen under våren."),
)
ITEMS = (
    ("sticky", 40, 40, "Mål: en gemensam plan"),
    ("box", 260, 60, "Behov från myndigheterna"),
    ("ellipse", 520, 120, "Risker"),
)


def _note_update() -> bytes:
    doc: Doc = Doc()
    doc["default"] = fragment = XmlFragment()
    for kind, text in NOTE:
        fragment.children.append(XmlElement(kind, None, [XmlText(text)]))
    return doc.get_update()


def _board_update() -> bytes:
    doc: Doc = Doc()
    items: Map = Map()
    doc["items"] = items
    for n, (kind, x, y, text) in enumerate(ITEMS):
        items[f"demo-{n}"] = Map({"kind": kind, "x": x, "y": y, "text": text})
    return doc.get_update()


def load(*, stdout: Any) -> None:
    if LiveDoc.objects.exists():
        return
    writer = next((m for m in all_memberships() if m.role in ("owner", "editor")), None)
    if writer is None:
        return
    actor = actor_for_user(writer.user, loa_rank=3)
    for kind, title, update in (
        ("note", "Minnesanteckningar samverkansmöte", _note_update()),
        ("board", "Planeringstavla våren", _board_update()),
    ):
        doc = services.doc_create(
            actor=actor, workspace_id=writer.workspace_id, kind=kind, title=title
        )
        services.update_accept(actor=actor, doc_id=doc.pk, generation=1, update=update)
    stdout.write("Live documents: a note and a whiteboard in the first workspace.")
