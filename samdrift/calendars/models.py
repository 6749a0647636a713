"""Calendars and what is in them (ADR 0640).

A calendar belongs to a SAFOS workspace (its members share it) or to one user (personal). Each
object is one iCalendar resource as a CalDAV client stored it: its text is kept verbatim, and the
columns beside it are what samdrift reads without parsing it again (the time range for
calendar-query, the task fields for the board). A deleted object stays as a tombstone so that
sync-collection (RFC 6578) can tell a client it is gone; `seq` orders every change in a calendar.
"""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from .choices import Component, TaskStatus


class Calendar(models.Model):
    workspace = models.OneToOneField(
        "collaboration.Workspace",
        on_delete=models.CASCADE,
        null=True,
        blank=True,
        related_name="+",
    )
    owner = models.OneToOneField(
        settings.AUTH_USER_MODEL,
        on_delete=models.CASCADE,
        null=True,
        blank=True,
        related_name="+",
    )
    name = models.CharField(_("name"), max_length=200)
    color = models.CharField(_("colour"), max_length=9, default="#1f5f8b")
    #: The newest change's number; a sync token names it.
    seq = models.BigIntegerField(default=0)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["id"]
        verbose_name = _("calendar")
        verbose_name_plural = _("calendars")
        constraints = [
            models.CheckConstraint(
                name="calendar_workspace_xor_owner",
                condition=Q(workspace__isnull=True, owner__isnull=False)
                | Q(workspace__isnull=False, owner__isnull=True),
            )
        ]

    def __str__(self) -> str:
        return self.name

    @property
    def slug(self) -> str:
        """The calendar's segment under a user's calendar home (`/caldav/<user>/<slug>/`)."""
        return "personal" if self.workspace_id is None else f"ws{self.workspace_id}"


class CalendarObject(models.Model):
    calendar = models.ForeignKey(Calendar, on_delete=models.CASCADE, related_name="entries")
    href = models.CharField(max_length=255)
    uid = models.CharField(max_length=255)
    component = models.CharField(max_length=10, choices=Component.choices)
    text = models.TextField(blank=True)
    etag = models.CharField(max_length=80)
    #: RFC 6638's Schedule-Tag of a scheduling object (one with an ORGANIZER), "" otherwise: it
    #: changes when the organizer's version changes, not when an answer is merged (ADR 0648).
    schedule_tag = models.CharField(max_length=80, blank=True)
    #: The enclosing time range in Unix seconds, recurrences included (open end: a far bound).
    starts = models.BigIntegerField(default=0)
    ends = models.BigIntegerField(default=0)
    summary = models.CharField(max_length=500, blank=True)
    status = models.CharField(max_length=20, blank=True)
    priority = models.PositiveSmallIntegerField(default=0)
    due = models.DateTimeField(null=True, blank=True)
    recurring = models.BooleanField(default=False)
    #: Whether a component carries a VALARM: the reminder job reads only these (ADR 0647).
    has_alarm = models.BooleanField(default=False)
    #: A task's parent task (RELATED-TO;RELTYPE=PARENT): the task is a checklist item of it.
    parent_uid = models.CharField(max_length=255, blank=True)
    #: A task's assignees (their names) and links (name and address), read from ATTENDEE and
    #: ATTACH at the door so the board never parses the text.
    assignees = models.CharField(max_length=1000, blank=True)
    links = models.JSONField(default=list, blank=True)
    seq = models.BigIntegerField(default=0)
    deleted = models.BooleanField(default=False)
    modified_at = models.DateTimeField()
    modified_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, related_name="+"
    )

    class Meta:
        ordering = ["calendar_id", "href"]
        constraints = [
            models.UniqueConstraint(fields=["calendar", "href"], name="calendarobject_href"),
        ]
        indexes = [
            models.Index(
                fields=["calendar", "deleted", "component", "starts"], name="calobj_range"
            ),
            models.Index(fields=["calendar", "seq"], name="calobj_sync"),
            models.Index(fields=["calendar", "uid"], name="calobj_uid"),
        ]

    def __str__(self) -> str:
        return self.href

    @property
    def task_status(self) -> str:
        return self.status or TaskStatus.NEEDS_ACTION


class ReminderSent(models.Model):
    """One reminder samdrift sent (ADR 0647): an alarm of one occurrence, to one person. The
    unique row makes the job idempotent: a run that overlaps the last sends nothing twice."""

    entry = models.ForeignKey(CalendarObject, on_delete=models.CASCADE, related_name="+")
    occurrence = models.DateTimeField()
    trigger_at = models.DateTimeField()
    recipient = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="+"
    )
    sent_at = models.DateTimeField()

    class Meta:
        constraints = [
            models.UniqueConstraint(
                fields=["entry", "occurrence", "trigger_at", "recipient"], name="reminder_once"
            )
        ]

    def __str__(self) -> str:
        return f"{self.entry_id} {self.trigger_at:%Y-%m-%d %H:%M}"
