"""For other apps' tests: how many refused anonymous calls of a kind the security log counted."""

from __future__ import annotations

from django.db.models import Sum

from samdrift.audit.models import SecurityLogEntry


def refused(kind: str) -> int:
    return SecurityLogEntry.objects.filter(kind=kind).aggregate(n=Sum("count"))["n"] or 0


def latest(kind: str) -> SecurityLogEntry:
    return SecurityLogEntry.objects.filter(kind=kind).latest("last_at")
