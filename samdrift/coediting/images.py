"""Images of the workspace in notes (ADR 0686): the pictures an export embeds.

A note's image names a SAFOS document; the export embeds that document's preview (the PNG the
collaboration app re-encoded in a limited child process, never the uploaded bytes) where the
note may show it (`selectors.note_images`) and the exporting actor may see it
(`document_get`). Each embedded picture is an audited read of its document, as each showing of a
preview on a page is."""

from __future__ import annotations

from django.utils.translation import gettext_lazy as _

from samdrift.collaboration.choices import ReadAccess
from samdrift.collaboration.selectors import document_get
from samdrift.collaboration.services import record_read
from samdrift.core.actor import Actor
from samdrift.core.exceptions import NotFound
from samdrift.core.files.services import open_for_download
from samdrift.core.tenancy import StepUpRequired

from . import export, selectors

#: More images than this in one note are exported as the sentence for a missing image.
MAX_PICTURES = 100
MISSING = _("[An image that cannot be shown here: %(alt)s]")


def note_pictures(
    *, actor: Actor, access: selectors.DocAccess, state: bytes
) -> dict[int, export.Picture]:
    ids = export.note_image_ids(state)[:MAX_PICTURES]
    if not ids:
        return {}
    pictures = {}
    for shown in selectors.note_images(access=access, ids=ids):
        try:
            reader = document_get(actor=actor, document_id=shown.document.pk)
        except (NotFound, StepUpRequired):
            continue
        preview = shown.version.preview
        if preview is None:
            continue
        png = b"".join(open_for_download(preview))
        record_read(actor=actor, access=reader, version=shown.version, how=ReadAccess.IN_EXPORT)
        pictures[shown.document.pk] = export.Picture(png, shown.document.name)
    return pictures
