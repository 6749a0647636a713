"""The kinds of calendar objects and the statuses a task moves through (RFC 5545 §3.8.1.11)."""

from __future__ import annotations

from django.db import models
from django.utils.translation import gettext_lazy as _


class Component(models.TextChoices):
    EVENT = "VEVENT", _("event")
    TODO = "VTODO", _("task")
    JOURNAL = "VJOURNAL", _("journal entry")


class TaskStatus(models.TextChoices):
    """The board's columns, in order: a VTODO's STATUS (no STATUS reads as NEEDS-ACTION)."""

    NEEDS_ACTION = "NEEDS-ACTION", _("To do")
    IN_PROCESS = "IN-PROCESS", _("In progress")
    COMPLETED = "COMPLETED", _("Done")
    CANCELLED = "CANCELLED", _("Cancelled")
