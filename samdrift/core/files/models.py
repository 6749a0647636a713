"""A file's bytes live in the storage backend; this row is what samdrift knows about them."""

from __future__ import annotations

import uuid

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _


class StoredFile(models.Model):
    """One immutable stored object. The storage key is ours (never the user's name), so a name
    can neither escape the folder nor collide; the checksum is what downloads are checked against.
    Ownership is an agency id, not a foreign key: `core` sits below `organisations`."""

    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    key = models.CharField(_("storage key"), max_length=200, unique=True)
    original_name = models.CharField(_("name as uploaded"), max_length=1000)
    name = models.CharField(_("name"), max_length=255)
    content_type = models.CharField(_("content type"), max_length=150)
    size = models.BigIntegerField(_("size in bytes"))
    sha256 = models.CharField(_("SHA-256"), max_length=64)
    owner_org_id = models.BigIntegerField(_("owning agency"), db_index=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
    )
    created_at = models.DateTimeField(_("stored at"), auto_now_add=True)

    class Meta:
        verbose_name = _("stored file")
        verbose_name_plural = _("stored files")
        constraints = [
            models.CheckConstraint(condition=models.Q(size__gte=0), name="files_size_not_negative"),
        ]

    def __str__(self) -> str:
        return self.name
