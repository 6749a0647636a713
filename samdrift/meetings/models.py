"""Meeting rooms samdrift keeps on its Janus media server, the people at each room's door and the
short-lived Janus tokens issued to them (ADRs 0671–0673).

A room belongs to a collaboration workspace (its members meet; guests as the workspace's class
allows) or is an agency's own ad hoc room (its own officials only). Janus knows the room by
`janus_room`; nobody reaches it without a `MeetingCredential` samdrift issued and added to Janus.
"""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from .choices import Mode, Role, State


class MeetingRoom(models.Model):
    title = models.CharField(_("title"), max_length=200)
    workspace = models.ForeignKey(
        "collaboration.Workspace",
        on_delete=models.CASCADE,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("workspace"),
    )
    owner_org = models.ForeignKey(
        "organisations.Organisation",
        on_delete=models.PROTECT,
        related_name="+",
        verbose_name=_("owning agency"),
    )
    # An ad hoc room's own class; a workspace's room follows the workspace's class.
    classification = models.PositiveSmallIntegerField(_("confidentiality class"), default=1)
    mode = models.CharField(_("mode"), max_length=16, choices=Mode.choices, default=Mode.MEETING)
    janus_room = models.CharField(_("Janus room"), max_length=64, unique=True)
    locked = models.BooleanField(_("locked"), default=False)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)
    ended_at = models.DateTimeField(null=True, blank=True)
    # A scheduled meeting's event in the workspace's calendar (with the room's address in it);
    # the event keeps the time, so a move in any calendar client moves the meeting (ADR 0679).
    event = models.ForeignKey(
        "calendars.CalendarObject",
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("calendar event"),
    )
    # A webinar's broadcast to its viewers (ADR 0970): whose feed Janus forwards to ffmpeg,
    # since when, and the forwarders' ids in Janus (to stop them).
    broadcast_feed = models.CharField(_("broadcast feed"), max_length=32, blank=True)
    broadcast_started_at = models.DateTimeField(_("broadcasting since"), null=True, blank=True)
    broadcast_forwarders = models.JSONField(default=list, blank=True)

    class Meta:
        ordering = ["-id"]
        verbose_name = _("meeting room")
        verbose_name_plural = _("meeting rooms")
        constraints = [
            models.CheckConstraint(
                condition=Q(classification__gte=0, classification__lte=3),
                name="meetings_room_class_0_3",
            ),
            models.CheckConstraint(
                condition=Q(mode__in=[m.value for m in Mode]), name="meetings_room_mode_known"
            ),
        ]

    def __str__(self) -> str:
        return self.title


class MeetingAdmission(models.Model):
    """One person at one room's door: waiting in the lobby, admitted, refused or removed."""

    room = models.ForeignKey(MeetingRoom, on_delete=models.CASCADE, related_name="admissions")
    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="+")
    organisation = models.ForeignKey(
        "organisations.Organisation", on_delete=models.PROTECT, null=True, related_name="+"
    )
    role = models.CharField(_("role"), max_length=16, choices=Role.choices)
    state = models.CharField(_("state"), max_length=16, choices=State.choices)
    is_guest = models.BooleanField(_("guest"), default=False)
    # Raised hand: when (for the order in which the host gives the word), or null.
    hand_raised_at = models.DateTimeField(_("hand raised at"), null=True, blank=True)
    # What the host muted in Janus (`moderate`), so the host's page can offer to undo it.
    audio_muted = models.BooleanField(_("sound muted by the host"), default=False)
    video_muted = models.BooleanField(_("video stopped by the host"), default=False)
    created_at = models.DateTimeField(auto_now_add=True)
    decided_at = models.DateTimeField(null=True, blank=True)
    decided_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, related_name="+"
    )

    class Meta:
        ordering = ["room_id", "id"]
        constraints = [
            models.UniqueConstraint(fields=["room", "user"], name="meetings_one_admission"),
            models.CheckConstraint(
                condition=Q(role__in=[r.value for r in Role]), name="meetings_role_known"
            ),
            models.CheckConstraint(
                condition=Q(state__in=[s.value for s in State]), name="meetings_state_known"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.user_id}@{self.room_id}:{self.state}"

    @property
    def participant_id(self) -> str:
        """The id the person joins the Janus room with (what a kick names)."""
        return f"a{self.id}"


class MeetingCredential(models.Model):
    """A Janus token issued at a join, or ahead of it when the page opens: added to Janus's core
    (admin API) and to the room's allowed list; removed at its expiry by the sweep, or at once
    on removal or end."""

    admission = models.ForeignKey(
        MeetingAdmission, on_delete=models.CASCADE, related_name="credentials"
    )
    token = models.CharField(max_length=64, unique=True)
    issued_at = models.DateTimeField()
    expires_at = models.DateTimeField()
    revoked_at = models.DateTimeField(null=True, blank=True)
    # Empty while a token issued ahead of the click waits to be claimed by a join (ADR 0662).
    joined_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-id"]
        indexes = [models.Index(fields=["revoked_at", "expires_at"])]

    def __str__(self) -> str:
        return f"credential {self.id} of admission {self.admission_id}"
