"""A provider's fee areas and the services billed in them (ADR 0664).

Each provider agency keeps its own fee model: it creates its fee areas (codes unique within the
provider) and bills its own services in them, never another provider's. Checked first, then one
transaction with one audit record; a refusal stores nothing.
"""

from __future__ import annotations

import re

from django.core.exceptions import ValidationError as DjangoValidationError
from django.core.validators import validate_slug
from django.db import transaction
from django.utils.translation import gettext_lazy as _

from samdrift.audit.services import audit_record, snapshot
from samdrift.catalogue.selectors import services_by_code
from samdrift.core.actor import Actor
from samdrift.core.exceptions import NotFound, ValidationFailed
from samdrift.core.text import is_single_line
from samdrift.organisations.selectors import organisation_names

from ..choices import EconomicGoal, Segment
from ..models import BillableService, FeeArea
from ..permissions import MANAGERS, fee_model_providers
from .common import require_fee_model_manager

UNIT_CODE = re.compile(r"^[A-Z0-9]{1,3}$")  # UN/ECE Rec 20: two or three characters


def create_fee_area(
    *,
    actor: Actor,
    code: str,
    name_sv: str,
    name_en: str,
    segment: str = Segment.CORE,
    economic_goal: str = EconomicGoal.FULL,
    recovery_years: int = 3,
    provider_id: int | None = None,
) -> FeeArea:
    """A new fee area of a provider: the one asked for, else the actor's first. Its code is
    unique within the provider, so two providers may each have their own "it-drift"."""
    provider = require_fee_model_manager(actor, provider_id)
    code = (code or "").strip()
    errors: dict[str, list[str]] = {}
    try:
        validate_slug(code)
        if len(code) > 50:
            raise DjangoValidationError("too long")
    except DjangoValidationError:
        errors["code"] = [str(_("a code of at most 50 letters, digits, hyphens or underscores"))]
    for field, value in (("name_sv", name_sv), ("name_en", name_en)):
        if not (value or "").strip() or not is_single_line(value) or len(value.strip()) > 120:
            errors[field] = [str(_("a name of one line, at most 120 characters"))]
    if segment not in Segment.values:
        errors["segment"] = [str(_("unknown segment %(value)s") % {"value": segment})]
    if economic_goal not in EconomicGoal.values:
        errors["economic_goal"] = [str(_("unknown economic goal"))]
    if not isinstance(recovery_years, int) or not 1 <= recovery_years <= 50:
        errors["recovery_years"] = [str(_("between 1 and 50 years"))]
    if "code" not in errors and FeeArea.objects.filter(provider_id=provider, code=code).exists():
        errors["code"] = [str(_("the provider already has a fee area with this code"))]
    if errors:
        raise ValidationFailed(_("The fee area is not valid; nothing was saved."), errors=errors)
    with transaction.atomic():
        area = FeeArea.objects.create(
            provider_id=provider,
            code=code,
            name_sv=name_sv.strip(),
            name_en=name_en.strip(),
            segment=segment,
            economic_goal=economic_goal,
            recovery_years=recovery_years,
        )
        audit_record(actor=actor, action="billing.fee_area_created", obj=area, after=snapshot(area))
    return area


def bill_service(
    *,
    actor: Actor,
    fee_area_id: int,
    service_code: str,
    unit_code: str = "C62",
    unit_sv: str = "st",
    unit_en: str = "pcs",
) -> BillableService:
    """Bill a service in a fee area: the service gets its billing terms there (R-02).

    The fee area must be one of the actor's own providers' (another's is missing, like one that
    does not exist). The service must be that provider's own: another provider's service, or a
    code nobody has, is refused with the same message, which names no other provider's service.
    A service is billed in one fee area only.
    """
    require_fee_model_manager(actor)
    area = (
        FeeArea.objects.filter(pk=fee_area_id, provider_id__in=fee_model_providers(actor, MANAGERS))
        .only("pk", "code", "provider_id")
        .first()
    )
    if area is None:
        raise NotFound("fee area")
    code = (service_code or "").strip()
    service = services_by_code([code]).only("pk", "code", "provider_id").first() if code else None
    if service is None or service.provider_id != area.provider_id:
        provider = organisation_names([area.provider_id]).get(area.provider_id, "")
        message = _(
            "%(service)s is not a service of %(provider)s: a service is billed only in a fee "
            "area of its own provider; nothing was saved."
        )
        params = {"service": code, "provider": provider}
        raise ValidationFailed(message, errors={"service": [str(message) % params]}, **params)
    errors: dict[str, list[str]] = {}
    existing = (
        BillableService.objects.filter(service_id=service.pk)
        .values_list("fee_area__code", flat=True)
        .first()
    )
    if existing is not None:
        errors["service"] = [str(_("already billed in the fee area %(area)s") % {"area": existing})]
    unit_code = (unit_code or "").strip().upper()
    if not UNIT_CODE.match(unit_code):
        errors["unit_code"] = [str(_("a UN/ECE Rec 20 code of one to three letters or digits"))]
    for field, value in (("unit_sv", unit_sv), ("unit_en", unit_en)):
        if not (value or "").strip() or not is_single_line(value) or len(value.strip()) > 40:
            errors[field] = [str(_("a unit of one line, at most 40 characters"))]
    if errors:
        raise ValidationFailed(
            _("The service cannot be billed there; nothing was saved."), errors=errors
        )
    with transaction.atomic():
        billable = BillableService.objects.create(
            service_id=service.pk,
            fee_area_id=area.pk,
            unit_code=unit_code,
            unit_sv=unit_sv.strip(),
            unit_en=unit_en.strip(),
        )
        audit_record(
            actor=actor,
            action="billing.service_billed",
            obj=billable,
            after={"service": service.code, "fee_area": area.code, "unit_code": unit_code},
        )
    return billable
