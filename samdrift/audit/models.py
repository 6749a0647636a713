"""The audit trail: append-only and hash-chained, so a changed or removed row is detectable."""

from __future__ import annotations

from django.conf import settings
from django.db import models


class AuditEvent(models.Model):
    """One change: who, when, what, and the values before and after.

    `organisation_id` names the agency the change concerns, so an agency sees its own history.
    Rows are never updated or deleted (database triggers refuse it, see migration 0002).
    """

    at = models.DateTimeField(db_index=True)
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        db_constraint=False,
    )
    actor_label = models.CharField(max_length=200)
    action = models.CharField(max_length=80, db_index=True)
    object_type = models.CharField(max_length=80)
    object_id = models.CharField(max_length=64)
    organisation_id = models.BigIntegerField(null=True, blank=True, db_index=True)
    before = models.JSONField(null=True, blank=True)
    after = models.JSONField(null=True, blank=True)
    previous_hash = models.CharField(max_length=64)
    hash = models.CharField(max_length=64, unique=True)

    class Meta:
        ordering = ["id"]
        indexes = [models.Index(fields=["object_type", "object_id", "id"])]

    def __str__(self) -> str:
        return f"{self.at:%Y-%m-%d %H:%M} {self.actor_label} {self.action} {self.object_type}:{self.object_id}"


class AuditChainHead(models.Model):
    """A single row locked by every writer, so the chain has one order even on PostgreSQL."""

    id = models.PositiveSmallIntegerField(primary_key=True, default=1)
    last_hash = models.CharField(max_length=64, default="0" * 64)

    def __str__(self) -> str:
        return self.last_hash


class SecurityLogEntry(models.Model):
    """Refused anonymous calls, counted per address, kind and time window (not the audit chain).

    An unauthenticated caller can send as many bad requests as it likes; each one appended to the
    permanent chain would let anyone grow it without bound (issue 19 item 1). Here they are
    aggregated into one row per address, kind and window, and pruned by age (ADR 0061)."""

    window_start = models.DateTimeField()
    address = models.CharField(max_length=45)
    kind = models.CharField(max_length=80)
    count = models.PositiveIntegerField(default=0)
    first_at = models.DateTimeField()
    last_at = models.DateTimeField()
    detail = models.JSONField(default=dict, blank=True)

    class Meta:
        constraints = [
            models.UniqueConstraint(
                fields=["window_start", "address", "kind"], name="audit_securitylog_one_per_window"
            )
        ]
        indexes = [models.Index(fields=["last_at"])]

    def __str__(self) -> str:
        return f"{self.window_start:%Y-%m-%d %H:%M} {self.address} {self.kind} ×{self.count}"
