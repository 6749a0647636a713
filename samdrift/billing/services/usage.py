"""Usage measurements and connection-project time (§5.2, R-07, ADR 0206)."""

from __future__ import annotations

import datetime
from decimal import Decimal
from typing import Any

from django.db import transaction
from django.utils.translation import gettext_lazy as _

from samdrift.audit.services import audit_record, snapshot
from samdrift.catalogue.selectors import case_provider_id, default_provider_id, services_by_code
from samdrift.core.actor import Actor
from samdrift.core.exceptions import (
    NotFound,
    ValidationFailed,
)
from samdrift.onboarding.selectors import case_with_organisation
from samdrift.organisations.selectors import organisations_named

from ..choices import (
    RunStatus,
)
from ..models import (
    InvoiceRun,
    ProjectTime,
    Usage,
    YearEndClose,
)
from ..money import parse_decimal, to_ore
from ..periods import label, next_period, parse_period
from ..permissions import MANAGERS, fee_model_providers
from .common import (
    finalised_periods,
    is_closed_year,
    is_finalised_period,
    period_or_error,
    require_fee_model_manager,
    require_manager,
)
from .costs import ImportResult, csv_rows


def _open_period_after(period: datetime.date, provider_id: int) -> datetime.date:
    """The provider's first month after `period` whose run is not finalised: where its late data
    is billed (each provider's months are its own, ADR 0668)."""
    candidate = next_period(period)
    finalised = set(
        InvoiceRun.objects.filter(
            provider_id=provider_id, status=RunStatus.FINALISED, period__gte=candidate
        ).values_list("period", flat=True)
    )
    while candidate in finalised:
        candidate = next_period(candidate)
    return candidate


def record_usage(*, actor: Actor, rows: list[dict[str, Any]], late: str = "reject") -> ImportResult:
    """Measurements per agency, service and month, deduplicated on (source, key) (I-08).

    Usage for a month already invoiced is refused unless `late="adjust"`: then it is billed as an
    adjustment in the next open month and the invoiced month stays closed. A closed year refuses it.
    Invoiced months and closed years are the service's provider's own (ADR 0668).
    """
    require_fee_model_manager(actor)
    orgs = {
        o.name: o for o in organisations_named(str(r.get("organisation", "")).strip() for r in rows)
    }
    # Each provider measures its own services (ADR 0664): another's is as unknown as none.
    services = {
        s.code: s
        for s in services_by_code().filter(
            billing__isnull=False, provider_id__in=fee_model_providers(actor, MANAGERS)
        )
    }
    providers = {service.provider_id for service in services.values()}
    finalised = finalised_periods(providers)
    closed_years: dict[int, set[int]] = {provider: set() for provider in providers}
    for provider, year in YearEndClose.objects.filter(
        fee_area__provider_id__in=providers
    ).values_list("fee_area__provider_id", "year"):
        closed_years[provider].add(year)
    errors: dict[str, list[str]] = {}
    parsed: list[Usage] = []
    for index, row in enumerate(rows, start=1):
        key = f"row {index}"
        problems: list[str] = []
        org = orgs.get(str(row.get("organisation", "")).strip())
        if org is None:
            problems.append(
                str(_("unknown agency %(name)s") % {"name": row.get("organisation", "")})
            )
        service = services.get(str(row.get("service", "")).strip())
        if service is None:
            problems.append(str(_("unknown service %(code)s") % {"code": row.get("service", "")}))
        quantity = Decimal(0)
        try:
            quantity = parse_decimal(row.get("quantity", ""))
            if quantity < 0:
                problems.append(str(_("quantity cannot be negative")))
        except ValueError:
            problems.append(str(_("quantity must be a number")))
        period = None
        try:
            period = parse_period(str(row.get("period", "")))
        except ValueError:
            problems.append(str(_("period must be YYYY-MM")))
        source = str(row.get("source") or "manual").strip()[:40]
        source_key = str(row.get("key") or "").strip()
        billed = period
        if period is not None and service is not None:
            if period.year in closed_years[service.provider_id]:
                problems.append(str(_("the year %(year)s is closed") % {"year": period.year}))
            elif period in finalised[service.provider_id]:
                if late != "adjust":
                    problems.append(
                        str(
                            _("%(period)s is already invoiced; send it as a late adjustment")
                            % {"period": label(period)}
                        )
                    )
                else:
                    billed = _open_period_after(period, service.provider_id)
            if not source_key and org is not None:
                source_key = f"{org.pk}:{service.code}:{label(period)}"
        if problems or org is None or service is None or period is None or billed is None:
            errors[key] = problems
            continue
        parsed.append(
            Usage(
                organisation=org,
                service=service,
                period=period,
                billed_period=billed,
                quantity=quantity,
                source=source,
                source_key=source_key[:120],
            )
        )
    existing = {
        (u.source, u.source_key): u
        for u in Usage.objects.filter(
            source__in={p.source for p in parsed}, source_key__in=[p.source_key for p in parsed]
        )
    }
    result = ImportResult()
    new: list[Usage] = []
    seen: set[tuple[str, str]] = set()
    for usage in parsed:
        natural = (usage.source, usage.source_key)
        if natural in seen:
            errors.setdefault(usage.source_key, []).append(
                str(_("the same measurement appears twice"))
            )
            continue
        seen.add(natural)
        old = existing.get(natural)
        if old is None:
            new.append(usage)
            result.adjustments += usage.is_adjustment
        elif (
            old.quantity == usage.quantity
            and old.organisation_id == usage.organisation.pk
            and old.period == usage.period
        ):
            result.unchanged += 1
        else:
            errors.setdefault(usage.source_key, []).append(
                str(_("already recorded with another value; send a correction with a new key"))
            )
    if errors:
        raise ValidationFailed(_("The usage has errors; nothing was recorded."), errors=errors)
    with transaction.atomic():
        Usage.objects.bulk_create(new)
        result.created = len(new)
        audit_record(
            actor=actor,
            action="billing.usage_recorded",
            object_type="billing.usage",
            object_id="import",
            after={
                "created": result.created,
                "unchanged": result.unchanged,
                "adjustments": result.adjustments,
            },
        )
    return result


def import_usage_csv(*, actor: Actor, text: str, late: str = "reject") -> ImportResult:
    return record_usage(
        actor=actor,
        rows=csv_rows(text, ("period", "organisation", "service", "quantity")),
        late=late,
    )


def record_project_time(
    *,
    actor: Actor,
    case_id: int,
    period: str | datetime.date,
    hours: Any,
    hourly_rate: Any,
    description: str,
    key: str,
    external_cost: Any = 0,
) -> ProjectTime:
    """Time and material on a connection case, invoiced at cost with its provider's next monthly
    run (R-10). The time is the case's provider's (the provider of its first service by code, a
    case without services the catalogue owner's; ADR 0042, 0668): only that provider's finance
    function books it, and the entry names it."""
    providers = require_manager(actor)
    errors: dict[str, list[str]] = {}
    # Only a case of the actor's own provider's customers: another's is missing, nothing stored.
    case = case_with_organisation(actor=actor, case_id=case_id)
    # A case the actor sees but another provider bills (one of several services) is as missing.
    provider = case_provider_id(case.pk) or default_provider_id()
    if provider not in providers:
        raise NotFound("case")
    month = period_or_error(period)
    values: dict[str, Decimal] = {}
    for name, raw in (
        ("hours", hours),
        ("hourly_rate", hourly_rate),
        ("external_cost", external_cost),
    ):
        try:
            values[name] = parse_decimal(raw)
            if values[name] < 0:
                errors[name] = [str(_("cannot be negative"))]
        except ValueError:
            errors[name] = [str(_("must be a number"))]
    if not description.strip() or not key.strip():
        errors["description"] = [str(_("description and key are required"))]
    if is_closed_year(month.year, provider):
        errors["period"] = [str(_("the year is closed"))]
    if errors:
        raise ValidationFailed(_("The time entry is not valid; nothing was saved."), errors=errors)
    billed = _open_period_after(month, provider) if is_finalised_period(month, provider) else month
    with transaction.atomic():
        existing = ProjectTime.objects.filter(provider_id=provider, source_key=key).first()
        if existing is not None:
            return existing
        entry = ProjectTime.objects.create(
            provider_id=provider,
            case=case,
            organisation=case.organisation,
            period=month,
            billed_period=billed,
            hours=values["hours"],
            hourly_rate=values["hourly_rate"],
            external_cost_ore=to_ore(values["external_cost"]),
            description=description.strip()[:200],
            source_key=key,
        )
        audit_record(
            actor=actor,
            action="billing.project_time_recorded",
            obj=entry,
            organisation_id=case.organisation_id,
            after=snapshot(entry),
        )
    return entry
