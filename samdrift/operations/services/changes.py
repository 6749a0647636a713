"""Change writes: create, transitions, reschedule (ADR 0802)."""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from samdrift.audit.services import audit_record, snapshot
from samdrift.catalogue.selectors import service_get
from samdrift.core.actor import SYSTEM, Actor
from samdrift.core.exceptions import BusinessRuleViolation, NotFound, ValidationFailed

from .. import notices
from ..choices import (
    CHANGE_TRANSITIONS,
    ChangeKind,
    ChangeState,
)
from ..models import Change
from ..permissions import (
    change_abilities,
)
from ..selectors import reach
from ._common import (
    WINDOW_ORDER,
    _text,
)


def _window(start: Any, end: Any) -> tuple[dt.datetime, dt.datetime]:
    def parse(value: Any, field: str) -> dt.datetime:
        if isinstance(value, str):
            try:
                value = dt.datetime.fromisoformat(value.strip())
            except ValueError:
                value = None
        if not isinstance(value, dt.datetime):
            raise ValidationFailed(
                _("Give a date and time, e.g. 2026-12-05 18:00."), errors={field: [str(value)]}
            )
        return value if timezone.is_aware(value) else timezone.make_aware(value)

    first, last = parse(start, "window_start"), parse(end, "window_end")
    if last <= first:
        raise ValidationFailed(
            WINDOW_ORDER,
            errors={"window_end": [str(_("Must be after the start."))]},
            start=first.isoformat(timespec="minutes"),
            end=last.isoformat(timespec="minutes"),
        )
    return first, last


def change_create(
    *,
    actor: Actor,
    service_code: str,
    kind: str,
    title: str,
    window_start: Any,
    window_end: Any,
    description: str = "",
    fallback: str = "",
) -> Change:
    """A standard change is pre-approved; a normal or emergency change starts as a draft."""
    title = _text(title, "title", required=True, limit=200)
    description = _text(description, "description", required=False, limit=10000)
    fallback = _text(fallback, "fallback", required=False, limit=10000)
    if kind not in ChangeKind.values:
        raise ValidationFailed(
            _("Choose standard, normal or emergency."), errors={"kind": [str(kind)]}
        )
    start, end = _window(window_start, window_end)
    service = service_get(actor=actor, code=(service_code or "").strip().upper())
    probe = Change(provider_id=service.provider_id, state=ChangeState.DRAFT)
    if not change_abilities(actor=actor, change=probe)["work"]:
        raise NotFound("service")
    standard = kind == ChangeKind.STANDARD
    with transaction.atomic():
        change = Change.objects.create(
            provider_id=service.provider_id,
            service=service,
            kind=kind,
            title=title,
            description=description,
            fallback=fallback,
            window_start=start,
            window_end=end,
            state=ChangeState.APPROVED if standard else ChangeState.DRAFT,
            approved_at=timezone.now() if standard else None,
        )
        audit_record(
            actor=actor,
            action="operations.change_create",
            obj=change,
            after=snapshot(change, ["kind", "title", "state", "window_start", "window_end"]),
        )
        if change.state == ChangeState.APPROVED:
            announce(actor=actor, change=change)
    return change


def announce(*, actor: Actor, change: Change) -> int:
    """Tell the reached agencies of an approved change's window (at approval, and again after a
    new window); the reminder before the start is then due again (ADR 0842)."""
    told = notices.change_window(
        actor=actor, change=change, org_ids=reach(change.service.code), kind=notices.CHANGE_PLANNED
    )
    change.announced_at, change.reminded_at = timezone.now(), None
    change.save(update_fields=["announced_at", "reminded_at"])
    return told


#: How long before the window its reminder goes out.
REMIND_BEFORE = dt.timedelta(hours=24)


def remind_due_changes(*, now: dt.datetime | None = None) -> int:
    """Approved changes whose window starts within a day and whose reached agencies have not
    been reminded: each is reminded once (run by the `operations.change_reminders` schedule)."""
    moment = now or timezone.now()
    reminded = 0
    due = Change.objects.filter(
        state=ChangeState.APPROVED,
        reminded_at__isnull=True,
        window_start__gt=moment,
        window_start__lte=moment + REMIND_BEFORE,
    ).values_list("id", flat=True)
    for change_id in list(due):
        with transaction.atomic():
            change = Change.objects.select_for_update().select_related("service").get(id=change_id)
            if change.reminded_at is not None:
                continue  # another worker took it
            notices.change_window(
                actor=SYSTEM,
                change=change,
                org_ids=reach(change.service.code),
                kind=notices.CHANGE_SOON,
            )
            change.reminded_at = moment
            change.save(update_fields=["reminded_at"])
            reminded += 1
    return reminded


def _change_locked(actor: Actor, change_id: int) -> tuple[Change, dict[str, bool]]:
    change = Change.objects.select_for_update().filter(id=change_id).first()
    if change is None:
        raise NotFound("change")
    abilities = change_abilities(actor=actor, change=change)
    if not abilities["view"]:
        raise NotFound("change")
    return change, abilities


def change_transition(*, actor: Actor, change_id: int, target: str) -> Change:
    """Submit, approve, reject, implement, close: approving and rejecting need an approver
    (`change_abilities["approve"]`), everything else an operator."""
    with transaction.atomic():
        change, abilities = _change_locked(actor, change_id)
        current = change.state
        if target not in CHANGE_TRANSITIONS.get(current, frozenset()):
            raise BusinessRuleViolation(
                _("A change in the state “%(current)s” cannot become “%(target)s”."),
                code="bad_transition",
                current=current,
                target=target,
            )
        deciding = current == ChangeState.AWAITING_APPROVAL
        if (
            current == ChangeState.DRAFT
            and target == ChangeState.APPROVED
            and (change.kind != ChangeKind.STANDARD)
        ):
            raise BusinessRuleViolation(
                _("Only a standard change is pre-approved; submit this one for approval."),
                code="needs_approval",
            )
        allowed = abilities["approve"] if deciding else abilities["work"]
        if not allowed:
            raise BusinessRuleViolation(
                _("You may not do that to this change in its present state."), code="not_allowed"
            )
        change.state = target
        fields = ["state", "updated_at"]
        if target == ChangeState.APPROVED:
            change.approved_by_id = actor.user_id
            change.approved_at = timezone.now()
            fields += ["approved_by", "approved_at"]
        change.save(update_fields=fields)
        audit_record(
            actor=actor,
            action="operations.change_transition",
            obj=change,
            before={"state": current},
            after={"state": target},
        )
        if target == ChangeState.APPROVED:
            announce(actor=actor, change=change)
    return change


def change_reschedule(
    *, actor: Actor, change_id: int, window_start: Any, window_end: Any
) -> Change:
    """A new maintenance window; an approved normal change must be approved again."""
    start, end = _window(window_start, window_end)
    with transaction.atomic():
        change, abilities = _change_locked(actor, change_id)
        if not abilities["work"] or change.state in (ChangeState.IMPLEMENTED,):
            raise BusinessRuleViolation(
                _("You may not do that to this change in its present state."), code="not_allowed"
            )
        before = snapshot(change, ["window_start", "window_end", "state"])
        change.window_start, change.window_end = start, end
        if change.state == ChangeState.APPROVED and change.kind != ChangeKind.STANDARD:
            change.state = ChangeState.AWAITING_APPROVAL
            change.approved_by_id, change.approved_at = None, None
        change.save()
        audit_record(
            actor=actor,
            action="operations.change_reschedule",
            obj=change,
            before=before,
            after=snapshot(change, ["window_start", "window_end", "state"]),
        )
        if change.state == ChangeState.APPROVED:
            announce(actor=actor, change=change)  # a standard change keeps its approval
    return change
