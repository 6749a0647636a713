"""One indexed row per (kind, object). The full-text structures beside it are not Django fields:
an FTS5 table kept in step by triggers on SQLite, a generated tsvector column with a GIN index
on PostgreSQL (migration 0002, ADR 0081)."""

from __future__ import annotations

from django.db import models
from django.utils.translation import gettext_lazy as _


class SearchEntry(models.Model):
    """What one object shows to search. `visibility_key` is the caller's name for who may see it
    (e.g. ``"workspace:17"``); `owner_org_id` is the owning agency when there is one. Neither is a
    foreign key: `core` sits below the apps that own the objects."""

    kind = models.CharField(_("kind"), max_length=40)
    object_id = models.CharField(_("object id"), max_length=64)
    visibility_key = models.CharField(_("visibility key"), max_length=100, db_index=True)
    owner_org_id = models.BigIntegerField(_("owning agency"), null=True, blank=True, db_index=True)
    title = models.CharField(_("title"), max_length=500)
    body = models.TextField(_("text"), blank=True)
    language = models.CharField(_("language"), max_length=8, blank=True)
    updated_at = models.DateTimeField(_("indexed at"), auto_now=True)

    class Meta:
        verbose_name = _("search entry")
        verbose_name_plural = _("search entries")
        constraints = [
            models.UniqueConstraint(
                fields=["kind", "object_id"], name="search_one_entry_per_object"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.kind}:{self.object_id}"
