"""Enumerations of the meetings app (SAFOS video meetings on Janus)."""

from __future__ import annotations

from django.db import models
from django.utils.translation import gettext_lazy as _


class Mode(models.TextChoices):
    """A meeting: everyone may publish. A webinar: presenters publish, viewers only watch."""

    MEETING = "meeting", _("Meeting")
    WEBINAR = "webinar", _("Webinar")


class Role(models.TextChoices):
    HOST = "host", _("Host")
    PRESENTER = "presenter", _("Presenter")
    PARTICIPANT = "participant", _("Participant")
    VIEWER = "viewer", _("Viewer")


class State(models.TextChoices):
    """Where a person stands at the room's door."""

    WAITING = "waiting", _("Waiting in the lobby")
    ADMITTED = "admitted", _("Admitted")
    REFUSED = "refused", _("Refused")
    REMOVED = "removed", _("Removed")


#: How many may publish at once in each mode (Janus's `publishers` of the room).
PUBLISHERS = {Mode.MEETING: 16, Mode.WEBINAR: 3}
