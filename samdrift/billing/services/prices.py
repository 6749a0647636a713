"""Versioned price decisions (R-05): never edited once decided; a change is a new version."""

from __future__ import annotations

import datetime
from decimal import Decimal
from typing import Any

from django.db import transaction
from django.db.models import Max
from django.utils.translation import gettext_lazy as _

from samdrift.audit.services import audit_record, snapshot
from samdrift.catalogue.selectors import services_by_code
from samdrift.core.actor import Actor
from samdrift.core.exceptions import (
    ValidationFailed,
)

from .. import pricing
from ..choices import (
    PriceBasis,
    PriceModel,
)
from ..models import (
    PriceVersion,
)
from ..money import parse_decimal
from ..permissions import MANAGERS, fee_model_providers
from .common import is_finalised_period, require_fee_model_manager


def create_price_version(
    *,
    actor: Actor,
    service_code: str,
    unit_price: Any,
    valid_from: datetime.date | str,
    decision_ref: str,
    decision_date: datetime.date | str,
    model: str = PriceModel.PER_UNIT,
    basis: str = PriceBasis.MONTH,
    tiers: list[list[Any]] | None = None,
    package_size: Any = None,
) -> PriceVersion:
    """A decided price. Prices are never edited: a change is this, with a new decision (R-01, I-14).

    Each provider decides its own services' prices (ADR 0664): another provider's service is as
    unknown as one that does not exist.
    """
    require_fee_model_manager(actor)
    errors: dict[str, list[str]] = {}
    service = (
        services_by_code([service_code])
        .filter(billing__isnull=False, provider_id__in=fee_model_providers(actor, MANAGERS))
        .first()
    )
    if service is None:
        errors["service"] = [str(_("unknown billable service"))]
    if not str(decision_ref or "").strip():
        errors["decision_ref"] = [str(_("a price needs the reference of the decision behind it"))]
    price = Decimal(0)
    try:
        price = parse_decimal(unit_price)
        if price < 0:
            errors["unit_price"] = [str(_("a price cannot be negative"))]
    except ValueError:
        errors["unit_price"] = [str(_("the price must be a number"))]
    valid = _date_or_error(valid_from, "valid_from", errors)
    decided = _date_or_error(decision_date, "decision_date", errors)
    if model not in PriceModel.values:
        errors["model"] = [str(_("unknown price model"))]
    if basis not in PriceBasis.values:
        errors["basis"] = [str(_("unknown price basis"))]
    clean_tiers: list[list[str | None]] = []
    if model == PriceModel.GRADUATED:
        try:
            clean_tiers = pricing.validate_tiers(tiers or [])
        except (ValueError, TypeError):
            errors["tiers"] = [
                str(_("tiers need increasing limits, prices ≥ 0 and an open last tier"))
            ]
    size = None
    if model == PriceModel.PACKAGE:
        try:
            size = parse_decimal(package_size)
            if size <= 0:
                raise ValueError(size)
        except (ValueError, TypeError):
            errors["package_size"] = [str(_("a package price needs a package size above zero"))]
    if (
        model in (PriceModel.GRADUATED, PriceModel.PACKAGE, PriceModel.ONE_TIME)
        and basis != PriceBasis.MONTH
    ):
        errors["basis"] = [str(_("graduated, package and one-time prices are monthly"))]
    if valid and valid.day != 1:
        errors["valid_from"] = [str(_("a price starts on the first day of a month"))]
    # A month the service's provider has invoiced (its own run, ADR 0668) keeps its prices.
    if (
        valid
        and service is not None
        and is_finalised_period(valid.replace(day=1), service.provider_id)
    ):
        errors["valid_from"] = [
            str(_("that month is already invoiced; a price cannot change history"))
        ]
    if errors or service is None or valid is None or decided is None:
        raise ValidationFailed(_("The price is not valid; nothing was saved."), errors=errors)
    with transaction.atomic():
        latest = PriceVersion.objects.filter(service=service).aggregate(v=Max("version"))["v"] or 0
        version = PriceVersion.objects.create(
            service=service,
            version=latest + 1,
            model=model,
            basis=basis,
            unit_price=price,
            tiers=clean_tiers,
            package_size=size,
            valid_from=valid,
            decision_ref=decision_ref.strip(),
            decision_date=decided,
        )
        audit_record(
            actor=actor, action="billing.price_created", obj=version, after=snapshot(version)
        )
    return version


def _date_or_error(value: Any, name: str, errors: dict[str, list[str]]) -> datetime.date | None:
    if isinstance(value, datetime.date):
        return value
    try:
        return datetime.date.fromisoformat(str(value))
    except ValueError:
        errors[name] = [str(_("a date is written YYYY-MM-DD"))]
        return None
