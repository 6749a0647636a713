from django.db import models
from django.utils.translation import gettext_lazy as _


class Phase(models.TextChoices):
    """The connection model's phases, in order. The labels are the model's own Swedish names."""

    INITIATE = "initiate", _("Initiate (Initiera)")
    PLAN = "plan", _("Plan (Planera)")
    PACKAGE = "package", _("Package (Paketera)")
    RUN = "run", _("Run (Köra)")


PHASE_ORDER: tuple[str, ...] = (Phase.INITIATE, Phase.PLAN, Phase.PACKAGE, Phase.RUN)


def next_phase(phase: str) -> str | None:
    index = PHASE_ORDER.index(phase)
    return PHASE_ORDER[index + 1] if index + 1 < len(PHASE_ORDER) else None


class Scope(models.TextChoices):
    SINGLE = "single", _("Single service")
    TOTAL = "total", _("Total commitment")


class CaseState(models.TextChoices):
    OPEN = "open", _("Open")
    COMPLETED = "completed", _("Completed")
    CANCELLED = "cancelled", _("Cancelled")


class RequestStatus(models.TextChoices):
    REQUESTED = "requested", _("Requested")
    WITHDRAWN = "withdrawn", _("Withdrawn")
    DECLINED = "declined", _("Declined")
    CONNECTED = "connected", _("Connected")


class PlanOutcome(models.TextChoices):
    """A planned request against what happened (ADR 0096)."""

    ON_TIME = "on_time", _("On time")
    LATE = "late", _("Late")
    DROPPED = "dropped", _("Dropped")
    PLANNED = "planned", _("Planned, not yet due")


class AgreementBasis(models.TextChoices):
    ASSIGNMENT = "assignment", _("The government assignment")
    SEPARATE = "separate", _("Separate commitment")
    OWN_USE = "own_use", _("The provider's own use")


class CaseEventKind(models.TextChoices):
    OPENED = "opened", _("Case opened")
    CHECKED = "checked", _("Checklist item done")
    UNCHECKED = "unchecked", _("Checklist item reopened")
    SIGNED_OFF = "signed_off", _("Security signed off the phase")
    ADVANCED = "advanced", _("Advanced to the next phase")
    COMPLETED = "completed", _("Completed")
    CANCELLED = "cancelled", _("Cancelled")
