from django.db import models
from django.utils.translation import gettext_lazy as _


class Lifecycle(models.TextChoices):
    """draft → published → retiring → retired (ADR 0220). "Published" is stored as `active`, the
    value the demo, onboarding and billing already read."""

    DRAFT = "draft", _("Draft")
    ACTIVE = "active", _("Published")
    RETIRING = "retiring", _("Retiring")
    RETIRED = "retired", _("Retired")


#: The lifecycle as a state machine: from each state, where it may go.
TRANSITIONS: dict[str, frozenset[str]] = {
    Lifecycle.DRAFT: frozenset({Lifecycle.ACTIVE}),
    Lifecycle.ACTIVE: frozenset({Lifecycle.RETIRING}),
    Lifecycle.RETIRING: frozenset({Lifecycle.RETIRED}),
    Lifecycle.RETIRED: frozenset(),
}


class SupportHours(models.TextChoices):
    OFFICE = "office", _("Office hours (weekdays 8–17)")
    EXTENDED = "extended", _("Extended hours (weekdays 7–19)")
    ALWAYS = "24x7", _("Around the clock (24/7)")
