"""Shared pieces of the operations writes: incident hooks, messages, input checks and the
event writer (ADRs 0802, 0804, 0808)."""

from __future__ import annotations

import datetime as dt
import logging
from collections.abc import Callable
from typing import Any

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from samdrift.core.actor import Actor
from samdrift.core.exceptions import ValidationFailed

from ..calendars import STOCKHOLM
from ..choices import (
    Impact,
    Urgency,
)
from ..models import Incident, IncidentEvent

log = logging.getLogger(__name__)

IncidentHook = Callable[[int, str], None]
_hooks: list[IncidentHook] = []


def register_incident_hook(hook: IncidentHook) -> None:
    if hook not in _hooks:
        _hooks.append(hook)


def _after_commit(incident_id: int, kind: str) -> None:
    def run() -> None:
        for hook in _hooks:
            try:
                hook(incident_id, kind)
            except Exception:  # a hook's failure must not undo an incident
                log.exception("operations incident hook %r failed", hook)

    transaction.on_commit(run)


NO_SUBSCRIPTION = _(
    "%(agency)s has no active subscription to %(service)s. An incident can only be reported "
    "for a service the agency uses; choose one of its services, or ask its contact to connect "
    "it."
)
BAD_TRANSITION = _("An incident in the state “%(current)s” cannot become “%(target)s”.")
WINDOW_ORDER = _("The maintenance window must end after it starts (%(start)s – %(end)s).")


def _now(now: dt.datetime | None) -> dt.datetime:
    return now or timezone.now()


def _moment(value: Any, field: str) -> dt.datetime | None:
    if value in (None, ""):
        return None
    if isinstance(value, str):
        try:
            value = dt.datetime.fromisoformat(value.strip().replace("Z", "+00:00"))
        except ValueError:
            raise ValidationFailed(
                _("Give a date and time, e.g. 2026-03-02 08:30."), errors={field: [value]}
            ) from None
    if not isinstance(value, dt.datetime):
        raise ValidationFailed(
            _("Give a date and time, e.g. 2026-03-02 08:30."), errors={field: [str(value)]}
        )
    if timezone.is_naive(value):
        value = value.replace(tzinfo=STOCKHOLM)
    return value


def _local(value: dt.datetime) -> str:
    return value.astimezone(STOCKHOLM).strftime("%Y-%m-%d %H:%M")


def _text(value: str, field: str, *, required: bool, limit: int) -> str:
    cleaned = (value or "").strip()
    if required and not cleaned:
        raise ValidationFailed(_("Fill in this field."), errors={field: [str(_("Required."))]})
    if len(cleaned) > limit:
        raise ValidationFailed(
            _("At most %(limit)s characters."), errors={field: [f"max {limit}"]}, limit=limit
        )
    return cleaned


def _level(value: Any, choices: type[Impact] | type[Urgency], field: str) -> int:
    try:
        level = int(value)
    except (TypeError, ValueError):
        level = 0
    if level not in choices.values:
        raise ValidationFailed(
            _("Choose one of the levels 1 (high), 2 (medium) or 3 (low)."),
            errors={field: [str(value)]},
        )
    return level


def _event(
    incident: Incident,
    kind: str,
    *,
    actor: Actor,
    at: dt.datetime,
    organisation_id: int | None = None,
    priority: int | None = None,
    state: str = "",
    **detail: Any,
) -> IncidentEvent:
    event = IncidentEvent.objects.create(
        incident=incident,
        at=at,
        kind=kind,
        organisation_id=organisation_id,
        priority=priority,
        state=state,
        actor_label=str(actor.label)[:200],
        detail=detail,
    )
    _after_commit(incident.pk, kind)
    return event
