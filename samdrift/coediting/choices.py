from django.db import models
from django.utils.translation import gettext_lazy as _


class DocKind(models.TextChoices):
    NOTE = "note", _("Note")
    BOARD = "board", _("Whiteboard")


#: The Yjs root each kind edits: the note editor's ProseMirror fragment (tiptap's `field`), the
#: board's map of items. An update may only touch its kind's root (ADR 0681).
ROOTS = {DocKind.NOTE: "default", DocKind.BOARD: "items"}
