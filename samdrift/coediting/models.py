"""Live documents of a SAFOS workspace (ADR 0680): a note or a whiteboard whose content is a Yjs
document. The state is a compacted snapshot plus the updates accepted since, so an update is on
disk before anyone else sees it and a restart loses nothing that was accepted."""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _

from .choices import DocKind


class LiveDoc(models.Model):
    workspace = models.ForeignKey(
        "collaboration.Workspace", on_delete=models.CASCADE, related_name="live_docs"
    )
    kind = models.CharField(_("kind"), max_length=8, choices=DocKind.choices)
    title = models.CharField(_("title"), max_length=200)
    #: Raised by a restore: a client holding an older generation starts over from the server's
    #: state instead of merging the content the restore replaced back in.
    generation = models.PositiveIntegerField(default=1)
    snapshot = models.BinaryField(default=b"")
    #: The last update folded into the snapshot; the state is the snapshot plus later updates.
    snapshot_upto = models.BigIntegerField(default=0)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)
    changed_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["title", "id"]

    def __str__(self) -> str:
        return self.title


class LiveUpdate(models.Model):
    """One accepted Yjs update, in the order the server accepted it, with who sent it."""

    doc = models.ForeignKey(LiveDoc, on_delete=models.CASCADE, related_name="updates")
    data = models.BinaryField()
    author = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        indexes = [models.Index(fields=["doc", "id"])]

    def __str__(self) -> str:
        return f"{self.doc_id}#{self.pk}"


class LiveVersion(models.Model):
    """A named state someone kept, to read or restore later."""

    doc = models.ForeignKey(LiveDoc, on_delete=models.CASCADE, related_name="versions")
    name = models.CharField(_("name"), max_length=120)
    state = models.BinaryField()
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["-created_at", "-id"]

    def __str__(self) -> str:
        return self.name
