"""Writes of demand, connection cases and subscriptions. One transaction and audit record each."""

from __future__ import annotations

import datetime
from collections.abc import Iterable
from typing import IO, TYPE_CHECKING, Any

from django.db import transaction
from django.db.models import F
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from samdrift.audit.services import audit_record, snapshot
from samdrift.catalogue import selectors as catalogue_selectors
from samdrift.core import live
from samdrift.core.actor import Actor
from samdrift.core.exceptions import (
    BusinessRuleViolation,
    ConcurrentUpdate,
    NotFound,
    PermissionDenied,
    ValidationFailed,
)
from samdrift.core.files import services as files
from samdrift.core.files.models import StoredFile
from samdrift.core.files.prefetch import prefetch
from samdrift.organisations.selectors import organisation_get

from . import notices
from .choices import CaseEventKind, CaseState, Phase, RequestStatus, Scope, next_phase
from .models import (
    CaseAttachment,
    CaseChecklistItem,
    CaseEvent,
    ChecklistTemplateItem,
    ConnectionCase,
    PhasePeriod,
    PhaseSignOff,
    ServiceRequest,
    Subscription,
)
from .permissions import can_open_case, can_request_for, case_abilities, request_abilities
from .selectors import attachment_get, case_for_attachments

if TYPE_CHECKING:
    from samdrift.catalogue.models import Service

CASE_FIELDS = ("phase", "state", "version", "closed_on")


def services_by_code(codes: Iterable[str]) -> list[Service]:
    """Look up active services; an unknown or retired code is a clear error, not a silent skip."""
    wanted = [code.strip().upper() for code in codes if code.strip()]
    found = {s.code: s for s in catalogue_selectors.services_by_code(wanted)}
    unknown = [code for code in wanted if code not in found]
    if unknown:
        raise ValidationFailed(
            _("Unknown service code(s): %(codes)s"),
            errors={"services": [", ".join(unknown)]},
            codes=", ".join(unknown),
        )
    retired = [code for code in wanted if found[code].lifecycle == "retired"]
    if retired:
        raise BusinessRuleViolation(
            _("Retired services cannot be requested: %(codes)s"), codes=", ".join(retired)
        )
    retiring = [code for code in wanted if found[code].lifecycle == "retiring"]
    if retiring:  # ADR 0220: a retiring service takes no new customers
        raise BusinessRuleViolation(
            _("Retiring services cannot be requested: %(codes)s"), codes=", ".join(retiring)
        )
    return [found[code] for code in wanted]


# --- service requests -------------------------------------------------------------------------


def request_create(
    *,
    actor: Actor,
    organisation_id: int,
    service_code: str,
    requested_on: datetime.date | None = None,
    note: str = "",
    planned_on: datetime.date | None = None,
) -> ServiceRequest:
    """An agency asks for a service (with the connection date it plans for, if it has one)."""
    organisation = organisation_get(actor=actor, org_id=organisation_id)
    if not can_request_for(actor, organisation.id):
        raise PermissionDenied(_("You may not ask for services on behalf of this agency."))
    if organisation.is_group:
        raise BusinessRuleViolation(
            _("A group of agencies cannot ask for services; one of its agencies can.")
        )
    (service,) = services_by_code([service_code])
    with transaction.atomic():
        request = ServiceRequest.objects.create(
            organisation=organisation,
            service=service,
            note=note,
            requested_on=requested_on or timezone.localdate(),
            planned_on=planned_on,
            created_by_id=actor.user_id,
        )
        audit_record(
            actor=actor,
            action="onboarding.request_created",
            obj=request,
            organisation_id=organisation.id,
            after=snapshot(request),
        )
    return request


def request_set_status(*, actor: Actor, request: ServiceRequest, status: str) -> ServiceRequest:
    """Withdraw (the agency) or decline (the provider) a pending request."""
    abilities = request_abilities(actor=actor, request=request)
    allowed: dict[str, bool] = {
        RequestStatus.WITHDRAWN: abilities["withdraw"],
        RequestStatus.DECLINED: abilities["decline"],
    }
    if not allowed.get(status, False):
        raise PermissionDenied(_("This request cannot be changed that way."))
    with transaction.atomic():
        before = snapshot(request, ["status"])
        updated = ServiceRequest.objects.filter(
            id=request.id, status=RequestStatus.REQUESTED
        ).update(status=status, updated_at=timezone.now())
        if not updated:
            raise ConcurrentUpdate(_("Someone else changed this request first. Reload the page."))
        request.status = status
        audit_record(
            actor=actor,
            action=f"onboarding.request_{status}",
            obj=request,
            organisation_id=request.organisation_id,
            before=before,
            after={"status": status},
        )
    return request


def request_plan_set(
    *, actor: Actor, request_id: int, planned_on: datetime.date | None
) -> ServiceRequest:
    """The provider plans (or re-plans, or clears) the connection date of a pending request."""
    with transaction.atomic():
        request = ServiceRequest.objects.select_for_update().filter(id=request_id).first()
        if request is None:
            raise NotFound("request")
        if not request_abilities(actor=actor, request=request)["plan"]:
            if request_abilities(actor=actor, request=request)["view"]:
                raise PermissionDenied(_("Only a pending request's provider plans its connection."))
            raise NotFound("request")
        before = snapshot(request, ["planned_on"])
        request.planned_on = planned_on
        request.save(update_fields=["planned_on", "updated_at"])
        audit_record(
            actor=actor,
            action="onboarding.request_planned",
            obj=request,
            organisation_id=request.organisation_id,
            before=before,
            after=snapshot(request, ["planned_on"]),
        )
    return request


# --- connection cases -------------------------------------------------------------------------


def case_open(
    *,
    actor: Actor,
    organisation_id: int,
    scope: str,
    service_codes: Iterable[str] = (),
    agreement_basis: str = "assignment",
    opened_on: datetime.date | None = None,
) -> ConnectionCase:
    """Open a case in Initiera. A single-service case names its services; a total commitment
    brings the total-commitment package."""
    if not can_open_case(actor):
        raise PermissionDenied(_("Only account managers may open connection cases."))
    organisation = organisation_get(actor=actor, org_id=organisation_id)
    if scope not in Scope.values:
        raise ValidationFailed(_("Unknown scope."), errors={"scope": [scope]})
    services = services_by_code(service_codes)
    if scope == Scope.SINGLE and not services:
        raise ValidationFailed(
            _("Name at least one service for a single-service case."), errors={"services": []}
        )
    with transaction.atomic():
        case = ConnectionCase.objects.create(
            organisation=organisation,
            scope=scope,
            agreement_basis=agreement_basis,
            opened_on=opened_on or timezone.localdate(),
        )
        case.services.set(services)
        now = timezone.now()
        _enter_phase(case, Phase.INITIATE, now)
        CaseEvent.objects.create(
            case=case,
            kind=CaseEventKind.OPENED,
            phase=Phase.INITIATE,
            actor_id=actor.user_id,
            at=now,
        )
        audit_record(
            actor=actor,
            action="onboarding.case_opened",
            obj=case,
            organisation_id=organisation.id,
            after={**snapshot(case), "services": [s.code for s in services]},
        )
        _tell_security_if_awaited(actor, case)
    return case


def _enter_phase(case: ConnectionCase, phase: str, at: datetime.datetime) -> None:
    PhasePeriod.objects.create(case=case, phase=phase, entered_at=at)
    CaseChecklistItem.objects.bulk_create(
        CaseChecklistItem(
            case=case,
            phase=phase,
            position=item.position,
            text_sv=item.text_sv,
            text_en=item.text_en,
        )
        for item in ChecklistTemplateItem.objects.filter(phase=phase, active=True)
    )


def _phase_status(case: ConnectionCase) -> tuple[bool, bool]:
    items = CaseChecklistItem.objects.filter(case=case, phase=case.phase)
    checklist_done = not items.filter(done_at__isnull=True).exists()
    signed_off = PhaseSignOff.objects.filter(case=case, phase=case.phase).exists()
    return checklist_done, signed_off


def _tell_security_if_awaited(actor: Actor, case: ConnectionCase) -> None:
    """Security hears when a phase's checklist is done and only their sign-off is missing."""
    checklist_done, signed_off = _phase_status(case)
    if case.state == CaseState.OPEN and checklist_done and not signed_off:
        notices.signoff_required(actor=actor, case=case, services=scope_services(case))


def case_abilities_for(*, actor: Actor, case: ConnectionCase) -> dict[str, bool]:
    checklist_done, signed_off = _phase_status(case)
    return case_abilities(
        actor=actor, case=case, checklist_done=checklist_done, signed_off=signed_off
    )


def _locked_case(case: ConnectionCase, expected_version: int | None) -> ConnectionCase:
    """Re-read the case under a row lock; refuse if someone changed it since the caller looked."""
    current = ConnectionCase.objects.select_for_update().get(id=case.id)
    if expected_version is not None and current.version != expected_version:
        raise ConcurrentUpdate(
            _("Someone else changed this case a moment ago. Reload the page and try again.")
        )
    return current


def checklist_set(
    *,
    actor: Actor,
    case: ConnectionCase,
    item_id: int,
    done: bool,
    expected_version: int | None = None,
) -> CaseChecklistItem:
    with transaction.atomic():
        current = _locked_case(case, expected_version)
        if not case_abilities_for(actor=actor, case=current)["check"]:
            raise PermissionDenied(_("You may not change this checklist."))
        try:
            item = CaseChecklistItem.objects.get(id=item_id, case=current, phase=current.phase)
        except CaseChecklistItem.DoesNotExist:
            raise NotFound("checklist item") from None
        if (item.done_at is not None) == done:
            return item
        before = {"done_at": item.done_at}
        item.done_at = timezone.now() if done else None
        item.done_by_id = actor.user_id if done else None
        item.save(update_fields=["done_at", "done_by"])
        _bump(current)
        CaseEvent.objects.create(
            case=current,
            kind=CaseEventKind.CHECKED if done else CaseEventKind.UNCHECKED,
            phase=current.phase,
            actor_id=actor.user_id,
            at=timezone.now(),
            detail=item.text_sv[:300],
        )
        audit_record(
            actor=actor,
            action="onboarding.checklist_item_set",
            obj=item,
            organisation_id=current.organisation_id,
            before=before,
            after={"done_at": item.done_at},
        )
        if done:
            _tell_security_if_awaited(actor, current)
        _tell_pages(current, "checklist")
    return item


def _tell_pages(case: ConnectionCase, change: str) -> None:
    """Pages showing this case re-fetch it once the transaction commits (ADR 0026)."""
    live.publish(f"case:{case.pk}", {"change": change, "version": case.version})


def _bump(case: ConnectionCase) -> None:
    ConnectionCase.objects.filter(id=case.id).update(
        version=F("version") + 1, updated_at=timezone.now()
    )
    case.version += 1


def phase_sign_off(
    *, actor: Actor, case: ConnectionCase, comment: str = "", expected_version: int | None = None
) -> PhaseSignOff:
    """Security signs off the case's current phase."""
    with transaction.atomic():
        current = _locked_case(case, expected_version)
        signer = actor.user_id
        if signer is None or not actor.has_provider_role("security"):
            raise PermissionDenied(_("Only the security role may sign off a phase."))
        if current.state != CaseState.OPEN:
            raise BusinessRuleViolation(_("The case is closed."))
        if PhaseSignOff.objects.filter(case=current, phase=current.phase).exists():
            raise BusinessRuleViolation(_("Security has already signed off this phase."))
        signoff = PhaseSignOff.objects.create(
            case=current,
            phase=current.phase,
            signed_by_id=signer,
            signed_at=timezone.now(),
            comment=comment,
        )
        _bump(current)
        CaseEvent.objects.create(
            case=current,
            kind=CaseEventKind.SIGNED_OFF,
            phase=current.phase,
            actor_id=actor.user_id,
            at=signoff.signed_at,
            detail=comment[:300],
        )
        audit_record(
            actor=actor,
            action="onboarding.phase_signed_off",
            obj=current,
            organisation_id=current.organisation_id,
            after=snapshot(signoff),
        )
        _tell_pages(current, "signed_off")
    return signoff


def case_advance(
    *, actor: Actor, case: ConnectionCase, expected_version: int | None = None
) -> ConnectionCase:
    """Move to the next phase, or complete the case from Köra.

    Only when the phase's checklist is done and security has signed it off. Entering Köra connects
    the agency to every service in scope. Two people advancing at once: the row lock and the
    version make exactly one win; the other is told so and nothing of theirs is written.
    """
    with transaction.atomic():
        current = _locked_case(case, expected_version)
        checklist_done, signed_off = _phase_status(current)
        if current.state != CaseState.OPEN:
            raise BusinessRuleViolation(_("The case is closed."))
        if not case_abilities(actor=actor, case=current, checklist_done=True, signed_off=True)[
            "advance"
        ]:
            raise PermissionDenied(_("Only account managers may advance connection cases."))
        if not checklist_done:
            raise BusinessRuleViolation(
                _("The checklist of this phase is not done."), code="checklist_incomplete"
            )
        if not signed_off:
            raise BusinessRuleViolation(
                _("Security has not signed off this phase."), code="signoff_missing"
            )
        before = snapshot(current, CASE_FIELDS)
        left = current.phase
        now = timezone.now()
        PhasePeriod.objects.filter(case=current, phase=current.phase).update(left_at=now)
        target = next_phase(current.phase)
        if target is None:
            current.state = CaseState.COMPLETED
            current.closed_on = timezone.localdate()
            CaseEvent.objects.create(
                case=current,
                kind=CaseEventKind.COMPLETED,
                phase=current.phase,
                actor_id=actor.user_id,
                at=now,
            )
        else:
            CaseEvent.objects.create(
                case=current,
                kind=CaseEventKind.ADVANCED,
                phase=current.phase,
                to_phase=target,
                actor_id=actor.user_id,
                at=now,
            )
            current.phase = target
            _enter_phase(current, target, now)
            if target == Phase.RUN:
                connect_case_services(actor=actor, case=current, start_date=timezone.localdate())
        current.version += 1
        current.save(update_fields=["phase", "state", "closed_on", "version", "updated_at"])
        audit_record(
            actor=actor,
            action="onboarding.case_advanced",
            obj=current,
            organisation_id=current.organisation_id,
            before=before,
            after=snapshot(current, CASE_FIELDS),
        )
        in_scope = scope_services(current)
        notices.case_advanced(
            actor=actor, case=current, services=in_scope, from_phase=left, completed=target is None
        )
        if target is not None:
            _tell_security_if_awaited(actor, current)
        _tell_pages(current, "advanced")
    return current


def case_cancel(
    *, actor: Actor, case: ConnectionCase, reason: str, expected_version: int | None = None
) -> ConnectionCase:
    if not reason.strip():
        raise ValidationFailed(_("Give a reason for cancelling."), errors={"reason": ["required"]})
    with transaction.atomic():
        current = _locked_case(case, expected_version)
        if not case_abilities_for(actor=actor, case=current)["cancel"]:
            raise PermissionDenied(_("You may not cancel this case."))
        before = snapshot(current, CASE_FIELDS)
        now = timezone.now()
        PhasePeriod.objects.filter(case=current, phase=current.phase, left_at__isnull=True).update(
            left_at=now
        )
        current.state = CaseState.CANCELLED
        current.closed_on = timezone.localdate()
        current.version += 1
        current.save(update_fields=["state", "closed_on", "version", "updated_at"])
        CaseEvent.objects.create(
            case=current,
            kind=CaseEventKind.CANCELLED,
            phase=current.phase,
            actor_id=actor.user_id,
            at=now,
            detail=reason[:300],
        )
        audit_record(
            actor=actor,
            action="onboarding.case_cancelled",
            obj=current,
            organisation_id=current.organisation_id,
            before=before,
            after={**snapshot(current, CASE_FIELDS), "reason": reason},
        )
        _tell_pages(current, "cancelled")
    return current


def scope_services(case: ConnectionCase) -> list[Service]:
    if case.scope == Scope.TOTAL:
        return list(catalogue_selectors.total_commitment_package())
    return list(case.services.all())


def connect_case_services(
    *, actor: Actor, case: ConnectionCase, start_date: datetime.date
) -> list[Subscription]:
    """Connect the agency to each service in the case's scope (inside the caller's transaction)."""
    created = []
    for service in scope_services(case):
        if Subscription.objects.filter(
            organisation_id=case.organisation_id, service=service, end_date__isnull=True
        ).exists():
            continue
        subscription = Subscription.objects.create(
            organisation_id=case.organisation_id,
            service=service,
            start_date=start_date,
            agreement_basis=case.agreement_basis,
            case=case,
        )
        created.append(subscription)
        audit_record(
            actor=actor,
            action="onboarding.subscription_started",
            obj=subscription,
            organisation_id=case.organisation_id,
            after=snapshot(subscription),
        )
    ServiceRequest.objects.filter(
        organisation_id=case.organisation_id,
        service__in=[s.service_id for s in created],
        status=RequestStatus.REQUESTED,
    ).update(status=RequestStatus.CONNECTED, connected_on=start_date, updated_at=timezone.now())
    return created


# --- checklist configuration ------------------------------------------------------------------


def _require_checklist_editor(actor: Actor) -> None:
    if not actor.has_provider_role("provider_admin", "account_manager"):
        raise PermissionDenied(
            _("Only provider administrators and account managers may change checklists.")
        )


def checklist_template_add(
    *, actor: Actor, phase: str, text_sv: str, text_en: str
) -> ChecklistTemplateItem:
    """Add an item to a phase's checklist; cases entering the phase from now on get it."""
    _require_checklist_editor(actor)
    errors = {}
    if phase not in Phase.values:
        errors["phase"] = [str(_("Unknown phase."))]
    if not text_sv.strip():
        errors["text_sv"] = [str(_("Write the item in Swedish."))]
    if not text_en.strip():
        errors["text_en"] = [str(_("Write the item in English."))]
    if errors:
        raise ValidationFailed(_("The checklist item is incomplete."), errors=errors)
    with transaction.atomic():
        position = ChecklistTemplateItem.objects.filter(phase=phase).count()
        item = ChecklistTemplateItem.objects.create(
            phase=phase, position=position, text_sv=text_sv.strip(), text_en=text_en.strip()
        )
        audit_record(
            actor=actor,
            action="onboarding.checklist_template_added",
            obj=item,
            after=snapshot(item),
        )
    return item


def checklist_template_set_active(
    *, actor: Actor, item_id: int, active: bool
) -> ChecklistTemplateItem:
    """Retire or restore an item; cases already in the phase keep the items they were given."""
    _require_checklist_editor(actor)
    with transaction.atomic():
        try:
            item = ChecklistTemplateItem.objects.select_for_update().get(id=item_id)
        except ChecklistTemplateItem.DoesNotExist:
            raise NotFound("checklist item") from None
        before = snapshot(item, ["active"])
        item.active = active
        item.save(update_fields=["active"])
        audit_record(
            actor=actor,
            action="onboarding.checklist_template_changed",
            obj=item,
            before=before,
            after={"active": active},
        )
    return item


# --- attachments ------------------------------------------------------------------------------


def attachment_add(
    *, actor: Actor, case_id: int, upload: IO[bytes] | Any, name: str, content_type: str | None
) -> CaseAttachment:
    """A document on a case the actor sees. The bytes stream to storage first, outside the
    transaction (a long upload must not hold the database); the file's row, the link and the
    audit record are then one transaction, and if it fails the bytes are removed again."""
    case = case_for_attachments(actor=actor, case_id=case_id)
    with (
        files.staged(
            upload, name, content_type, actor=actor, owner_org_id=case.organisation_id
        ) as stored,
        transaction.atomic(),
    ):
        stored.save(force_insert=True)
        attachment = CaseAttachment.objects.create(
            case=case, file=stored, added_by_id=actor.user_id
        )
        audit_record(
            actor=actor,
            action="onboarding.attachment_added",
            obj=attachment,
            organisation_id=case.organisation_id,
            after=_attachment_facts(attachment),
        )
        _tell_pages(case, "attachment")
    return attachment


def attachment_download(*, actor: Actor, case_id: int, attachment_id: int) -> StoredFile:
    """The stored file of a case's document, for a download; who fetched it is audited. Its
    first bytes are read while the audit is written (ADR 0669)."""
    attachment = attachment_get(actor=actor, case_id=case_id, attachment_id=attachment_id)
    prefetch(attachment.file)
    with transaction.atomic():
        audit_record(
            actor=actor,
            action="onboarding.attachment_downloaded",
            obj=attachment,
            organisation_id=attachment.case.organisation_id,
            after=_attachment_facts(attachment),
        )
    return attachment.file


def _attachment_facts(attachment: CaseAttachment) -> dict[str, Any]:
    stored = attachment.file
    return {
        "case": attachment.case_id,
        "file": str(stored.id),
        "name": stored.name,
        "size": stored.size,
        "sha256": stored.sha256,
    }


# --- when a catalogue service starts retiring (ADR 0220) ---------------------------------------


def retirement_blockers(service: Service) -> list[str]:
    """What stops a service from retiring: connection cases still open for it and requests not
    yet answered. Each must be finished, cancelled, declined or withdrawn first."""
    reasons: list[str] = []
    cases = list(
        ConnectionCase.objects.filter(services=service, state=CaseState.OPEN)
        .order_by("id")
        .values_list("id", flat=True)
    )
    if cases:
        reasons.append(
            str(_("open connection cases %(ids)s"))
            % {"ids": ", ".join(f"#{case_id}" for case_id in cases)}
        )
    requests = list(
        ServiceRequest.objects.filter(service=service, status=RequestStatus.REQUESTED)
        .order_by("id")
        .values_list("id", flat=True)
    )
    if requests:
        reasons.append(
            str(_("unanswered requests %(ids)s"))
            % {"ids": ", ".join(f"#{request_id}" for request_id in requests)}
        )
    return reasons


def subscriptions_end_on_retirement(actor: Actor, service: Service) -> None:
    """Inside the catalogue's transaction: every open subscription to the service ends on its
    retirement date (one that starts later ends the day it starts). One audit record each."""
    retirement = service.retirement_date
    assert retirement is not None  # noqa: S101 - a retiring service has its date
    for subscription in Subscription.objects.select_for_update().filter(
        service=service, end_date__isnull=True
    ):
        before = snapshot(subscription, ["end_date"])
        subscription.end_date = max(retirement, subscription.start_date)
        subscription.save(update_fields=["end_date", "updated_at"])
        audit_record(
            actor=actor,
            action="onboarding.subscription_end_on_retirement",
            obj=subscription,
            organisation_id=subscription.organisation_id,
            before=before,
            after=snapshot(subscription, ["end_date"]),
        )
