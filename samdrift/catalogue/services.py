"""Writes of the catalogue: services, their service level, lifecycle and dependencies, and the
shared categories. Each write is one transaction that re-reads the row under a lock, checks the
abilities (`catalogue.permissions`), compares the version the caller saw (ADR 0004) and leaves
one audit record. The lifecycle and what retiring does: ADR 0220.

What retiring does to subscriptions and connection cases is onboarding's business, and onboarding
is above the catalogue: it registers a *retirement participant* in its `AppConfig.ready()` (what
stops a retirement, what happens when one starts) and this module calls it inside the same
transaction, as the tenancy kernel reads the customer sources.
"""

from __future__ import annotations

import datetime
from collections.abc import Callable
from dataclasses import asdict, dataclass
from decimal import Decimal
from typing import Any

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from samdrift.audit.services import audit_record, snapshot
from samdrift.core.actor import Actor
from samdrift.core.exceptions import (
    BusinessRuleViolation,
    ConcurrentUpdate,
    NotFound,
    PermissionDenied,
    ValidationFailed,
)

from .choices import TRANSITIONS, Lifecycle
from .models import Category, Service, ServiceDependency
from .permissions import (
    category_abilities,
    managed_services_q,
    may_create_service,
    service_abilities,
    visible_services_q,
)
from .selectors import default_provider_id

#: The fields a service's form, API body and CLI options carry (besides code and provider).
SERVICE_FIELDS = (
    "name_sv",
    "name_en",
    "description_sv",
    "description_en",
    "availability_target",
    "support_hours",
    "rto_hours",
    "rpo_hours",
    "in_total_commitment",
    "display_order",
)
AUDITED = ("code", "provider_id", "category_id", *SERVICE_FIELDS, "lifecycle", "retirement_date")


@dataclass(frozen=True)
class ServiceInput:
    """A service's editable content, as pages, API and CLI hand it over."""

    name_sv: str
    name_en: str
    category: str  # the category's code
    availability_target: Decimal
    support_hours: str
    rto_hours: int
    rpo_hours: int
    description_sv: str = ""
    description_en: str = ""
    in_total_commitment: bool = False
    display_order: int = 100


# --- retirement participants ----------------------------------------------------------------


@dataclass(frozen=True)
class RetirementParticipant:
    """An app above the catalogue that has something to say when a service retires.

    * `blockers(service)`: what stops the retirement (sentences, shown to the manager);
    * `on_retiring(actor, service)`: what happens inside the transaction that starts it.
    """

    blockers: Callable[[Service], list[str]]
    on_retiring: Callable[[Actor, Service], None]


_participants: dict[str, RetirementParticipant] = {}


def register_retirement_participant(
    name: str,
    *,
    blockers: Callable[[Service], list[str]],
    on_retiring: Callable[[Actor, Service], None],
) -> None:
    _participants[name] = RetirementParticipant(blockers=blockers, on_retiring=on_retiring)


# --- helpers ------------------------------------------------------------------------------------


def _invalid(error: ValidationError) -> ValidationFailed:
    return ValidationFailed(
        _("The service was not saved: correct the fields marked."),
        errors={
            field: [str(m) for m in messages] for field, messages in error.message_dict.items()
        },
    )


def _locked(actor: Actor, code: str) -> Service:
    """The service under a row lock, if the actor keeps it; else the same `NotFound` as for a
    code that does not exist."""
    try:
        return (
            Service.objects.select_for_update()
            .filter(managed_services_q(actor))
            .get(code=code.strip().upper())
        )
    except Service.DoesNotExist:
        raise NotFound("service") from None


def _check_version(service: Service, expected_version: int) -> None:
    if service.version != expected_version:
        raise ConcurrentUpdate(
            _("Someone else changed this service a moment ago. Reload the page and try again.")
        )


def _category(code: str) -> Category:
    try:
        return Category.objects.get(code=code.strip())
    except Category.DoesNotExist:
        raise ValidationFailed(
            _("The service was not saved: correct the fields marked."),
            errors={"category": [str(_("Choose one of the categories."))]},
        ) from None


def _fill(service: Service, data: ServiceInput) -> None:
    values = asdict(data)
    service.category = _category(values.pop("category"))
    for name, value in values.items():
        setattr(service, name, value.strip() if isinstance(value, str) else value)


def _validate(service: Service) -> None:
    try:
        service.full_clean(exclude=["depends_on"])
    except ValidationError as error:
        raise _invalid(error) from None


# --- services -------------------------------------------------------------------------------


def service_create(*, actor: Actor, provider_id: int, code: str, data: ServiceInput) -> Service:
    """A new service, always a draft: nobody but its provider's staff sees it until published."""
    if not may_create_service(actor=actor, provider_id=provider_id):
        raise PermissionDenied(_("You do not keep this provider's services."))
    with transaction.atomic():
        service = Service(provider_id=provider_id, code=code.strip().upper())
        service.lifecycle = Lifecycle.DRAFT
        _fill(service, data)
        _validate(service)
        service.save()
        audit_record(
            actor=actor,
            action="catalogue.service_create",
            obj=service,
            organisation_id=service.provider_id,
            after=snapshot(service, AUDITED),
        )
    return service


def service_update(
    *, actor: Actor, code: str, expected_version: int, data: ServiceInput
) -> Service:
    """New content and service level for a service the actor keeps (not once it is retired)."""
    with transaction.atomic():
        service = _locked(actor, code)
        _check_version(service, expected_version)
        if not service_abilities(actor=actor, service=service)["edit"]:
            raise BusinessRuleViolation(_("A retired service can no longer be changed."))
        before = snapshot(service, AUDITED)
        _fill(service, data)
        _validate(service)
        service.version += 1
        service.save()
        audit_record(
            actor=actor,
            action="catalogue.service_update",
            obj=service,
            organisation_id=service.provider_id,
            before=before,
            after=snapshot(service, AUDITED),
        )
    return service


def _codes(services: Any) -> str:
    return ", ".join(sorted(s.code for s in services))


def service_transition(
    *,
    actor: Actor,
    code: str,
    to: str,
    expected_version: int,
    retirement_date: datetime.date | None = None,
    today: datetime.date | None = None,
) -> Service:
    """Move a service one step along draft → published → retiring → retired (ADR 0220).

    * publishing needs every service it depends on to be published;
    * retiring needs a retirement date from today on, no published service that still needs
      it, and nothing a participant (onboarding: open connection cases) holds against it; it
      stops new requests and cases and ends the subscriptions at the retirement date;
    * retired is reached on or after the retirement date.
    """
    today = today or timezone.localdate()
    with transaction.atomic():
        service = _locked(actor, code)
        _check_version(service, expected_version)
        if to not in TRANSITIONS[service.lifecycle]:
            raise BusinessRuleViolation(
                _("A service that is %(current)s cannot become %(target)s."),
                code="invalid_transition",
                current=service.get_lifecycle_display(),
                target=Lifecycle(to).label if to in Lifecycle.values else to,
            )
        before = snapshot(service, AUDITED)
        if to == Lifecycle.ACTIVE:
            unpublished = [
                link.depends_on
                for link in service.dependency_links.select_related("depends_on")
                if link.depends_on.lifecycle != Lifecycle.ACTIVE
            ]
            if unpublished:
                raise BusinessRuleViolation(
                    _("Publish the services it depends on first: %(codes)s."),
                    code="dependencies_unpublished",
                    codes=_codes(unpublished),
                )
        elif to == Lifecycle.RETIRING:
            _check_retiring(service, retirement_date, today)
            service.retirement_date = retirement_date
        elif to == Lifecycle.RETIRED:
            assert service.retirement_date is not None  # noqa: S101 - the constraint holds it
            if service.retirement_date > today:
                raise BusinessRuleViolation(
                    _("The service retires on %(date)s, not before."),
                    code="not_yet_retired",
                    date=service.retirement_date.isoformat(),
                )
        service.lifecycle = to
        service.version += 1
        service.save()
        audit_record(
            actor=actor,
            action="catalogue.service_transition",
            obj=service,
            organisation_id=service.provider_id,
            before=before,
            after=snapshot(service, AUDITED),
        )
        if to == Lifecycle.RETIRING:
            for participant in _participants.values():
                participant.on_retiring(actor, service)
    return service


def _check_retiring(
    service: Service, retirement_date: datetime.date | None, today: datetime.date
) -> None:
    if retirement_date is None or retirement_date < today:
        raise ValidationFailed(
            _("Give the date the service retires, today or later."),
            errors={"retirement_date": [str(_("Give a date, today or later."))]},
        )
    needed_by = [
        link.service
        for link in service.dependant_links.select_related("service")
        if link.service.lifecycle == Lifecycle.ACTIVE
    ]
    if needed_by:
        raise BusinessRuleViolation(
            _("Published services still depend on it: %(codes)s. Retire them first."),
            code="still_needed",
            codes=_codes(needed_by),
        )
    held = [reason for p in _participants.values() for reason in p.blockers(service)]
    if held:
        raise BusinessRuleViolation(
            _("The service cannot start retiring: %(reasons)s"),
            code="retirement_blocked",
            reasons="; ".join(held),
        )


# --- dependencies ---------------------------------------------------------------------------


def _reaches(start_id: int, target_id: int) -> list[int] | None:
    """The path start → … → target along the dependencies, or None."""
    edges: dict[int, list[int]] = {}
    for source, dest in ServiceDependency.objects.values_list("service_id", "depends_on_id"):
        edges.setdefault(source, []).append(dest)
    paths: dict[int, list[int]] = {start_id: [start_id]}
    queue = [start_id]
    while queue:
        node = queue.pop(0)
        if node == target_id:
            return paths[node]
        for nxt in edges.get(node, []):
            if nxt not in paths:
                paths[nxt] = [*paths[node], nxt]
                queue.append(nxt)
    return None


def dependency_add(
    *,
    actor: Actor,
    code: str,
    depends_on_code: str,
    reason_sv: str = "",
    reason_en: str = "",
) -> ServiceDependency:
    """`code` needs `depends_on_code` to work. Refused when it would close a cycle (the cycle is
    named), when the other service is not in the caller's sight, or is retiring or retired."""
    with transaction.atomic():
        # Every service row is locked, in one order: two additions that would together close
        # a cycle cannot both pass the check (the graph is tens of rows).
        list(Service.objects.select_for_update().order_by("id").values_list("id", flat=True))
        service = _locked(actor, code)
        if not service_abilities(actor=actor, service=service)["dependencies"]:
            raise BusinessRuleViolation(
                _("Dependencies of a retiring or retired service can no longer be changed.")
            )
        wanted = depends_on_code.strip().upper()
        depends_on = Service.objects.filter(visible_services_q(actor)).filter(code=wanted).first()
        if depends_on is None:
            raise ValidationFailed(
                _("The dependency was not added: correct the fields marked."),
                errors={"depends_on": [str(_("No such service."))]},
            )
        errors = []
        if depends_on.id == service.id:
            errors.append(str(_("A service cannot depend on itself.")))
        elif depends_on.lifecycle in (Lifecycle.RETIRING, Lifecycle.RETIRED):
            errors.append(str(_("A retiring or retired service cannot be depended on.")))
        elif service.lifecycle == Lifecycle.ACTIVE and depends_on.lifecycle == Lifecycle.DRAFT:
            errors.append(str(_("A published service cannot depend on a draft.")))
        elif ServiceDependency.objects.filter(service=service, depends_on=depends_on).exists():
            errors.append(str(_("It already depends on that service.")))
        if errors:
            raise ValidationFailed(
                _("The dependency was not added: correct the fields marked."),
                errors={"depends_on": errors},
            )
        path = _reaches(depends_on.id, service.id)
        if path is not None:
            names = dict(Service.objects.filter(id__in=path).values_list("id", "code"))
            cycle = " → ".join([service.code, *(names[i] for i in path)])
            raise BusinessRuleViolation(
                _("That would make a cycle: %(cycle)s."), code="dependency_cycle", cycle=cycle
            )
        link = ServiceDependency(
            service=service,
            depends_on=depends_on,
            reason_sv=reason_sv.strip(),
            reason_en=reason_en.strip(),
        )
        try:
            link.full_clean(exclude=["service", "depends_on"])
        except ValidationError as error:
            raise ValidationFailed(
                _("The dependency was not added: correct the fields marked."),
                errors={f: [str(m) for m in ms] for f, ms in error.message_dict.items()},
            ) from None
        link.save()
        Service.objects.filter(id=service.id).update(version=service.version + 1)
        audit_record(
            actor=actor,
            action="catalogue.dependency_add",
            obj=service,
            organisation_id=service.provider_id,
            after={
                "depends_on": depends_on.code,
                "reason_sv": link.reason_sv,
                "reason_en": link.reason_en,
            },
        )
    return link


def dependency_remove(*, actor: Actor, code: str, depends_on_code: str) -> None:
    with transaction.atomic():
        service = _locked(actor, code)
        if not service_abilities(actor=actor, service=service)["dependencies"]:
            raise BusinessRuleViolation(
                _("Dependencies of a retiring or retired service can no longer be changed.")
            )
        link = (
            ServiceDependency.objects.select_related("depends_on")
            .filter(service=service, depends_on__code=depends_on_code.strip().upper())
            .first()
        )
        if link is None:
            raise NotFound("dependency")
        before = {
            "depends_on": link.depends_on.code,
            "reason_sv": link.reason_sv,
            "reason_en": link.reason_en,
        }
        link.delete()
        Service.objects.filter(id=service.id).update(version=service.version + 1)
        audit_record(
            actor=actor,
            action="catalogue.dependency_remove",
            obj=service,
            organisation_id=service.provider_id,
            before=before,
        )


# --- categories -----------------------------------------------------------------------------


def category_save(*, actor: Actor, code: str, name_sv: str, name_en: str) -> Category:
    """Create a category, or rename the one with that code. Categories are shared by every
    provider; the catalogue owner's managers keep them."""
    owner_id = default_provider_id()
    if not category_abilities(actor=actor, owner_id=owner_id)["manage"]:
        raise PermissionDenied(_("Only the catalogue owner's service managers keep categories."))
    with transaction.atomic():
        category = Category.objects.select_for_update().filter(code=code.strip()).first()
        created = category is None
        category = category or Category(code=code.strip())
        before = None if created else snapshot(category, ["code", "name_sv", "name_en"])
        category.name_sv = name_sv.strip()
        category.name_en = name_en.strip()
        try:
            category.full_clean()
        except ValidationError as error:
            raise ValidationFailed(
                _("The category was not saved: correct the fields marked."),
                errors={f: [str(m) for m in ms] for f, ms in error.message_dict.items()},
            ) from None
        category.save()
        audit_record(
            actor=actor,
            action="catalogue.category_create" if created else "catalogue.category_update",
            obj=category,
            organisation_id=owner_id,
            before=before,
            after=snapshot(category, ["code", "name_sv", "name_en"]),
        )
    return category
