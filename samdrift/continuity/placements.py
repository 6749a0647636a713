"""Writes of the Program 2032 sites (ADR 0910, 0911): a site, a service placed on a site, a
service's redundancy policy. One transaction and one audit record each; bad input is refused
with a bilingual message before anything is stored.
"""

from __future__ import annotations

import re
from typing import Any

from django.db import IntegrityError, transaction
from django.db.models import Count
from django.utils.translation import gettext_lazy as _

from samdrift.audit.services import audit_record
from samdrift.catalogue.selectors import service_for_change
from samdrift.core.actor import SYSTEM, Actor
from samdrift.core.exceptions import (
    BusinessRuleViolation,
    NotFound,
    field_refusal,
)
from samdrift.organisations.selectors import agencies_with_org_number, visible_organisations

from . import redundancy
from .choices import PlacementRole, Region, SecurityClass
from .models import Placement, RedundancyPolicy, Site
from .permissions import changeable_placements, sites_abilities
from .selectors import site_facts

CODE = re.compile(r"^[A-Z0-9][A-Z0-9-]{1,19}$")


LABELS = {
    "capacity": _("Capacity"),
    "rto_hours": _("RTO achievable from this site (hours)"),
    "min_sites": _("At least sites"),
    "min_regions": _("At least regions"),
}


def _positive(field: str, value: Any) -> int:
    try:
        number = int(value)
    except (TypeError, ValueError):
        number = 0
    if number < 1:
        raise field_refusal(
            field, _("%(what)s must be a whole number of at least 1."), what=LABELS[field]
        )
    return number


def _security_class(value: Any) -> int:
    try:
        number = int(value)
    except (TypeError, ValueError):
        number = -1
    if number not in SecurityClass.values:
        raise field_refusal(
            "security_class", _("Unknown security class %(value)s: 0 to 4."), value=str(value)
        )
    return number


def site_create(
    *,
    actor: Actor,
    code: str,
    name: str,
    operator_id: int,
    region: str,
    security_class: int,
    capacity: int,
    nis_relevant: bool = False,
) -> Site:
    """Register a data-centre site. Refused: another provider role than an administrator, a
    malformed or taken code, an unknown operator agency or region."""
    if not sites_abilities(actor=actor)["add_site"]:
        raise NotFound("sites")
    code = (code or "").strip().upper()
    if not CODE.match(code):
        raise field_refusal("code", _("A site code is 2-20 capital letters, digits or hyphens."))
    if not (name or "").strip():
        raise field_refusal("name", _("A site needs a name."))
    if region not in Region.values:
        raise field_refusal("region", _("Unknown region %(value)s."), value=str(region))
    klass = _security_class(security_class)
    room = _positive("capacity", capacity)
    if not visible_organisations(SYSTEM).filter(id=operator_id).exists():
        raise field_refusal(
            "operator", _("There is no agency with id %(value)s."), value=operator_id
        )
    if Site.objects.filter(code=code).exists():
        raise field_refusal(
            "code", _("There is already a site with the code %(value)s."), value=code
        )
    with transaction.atomic():
        site = Site.objects.create(
            code=code, name=name.strip(), operator_id=operator_id, region=region,
            security_class=klass, capacity=room, nis_relevant=bool(nis_relevant),
        )  # fmt: skip
        audit_record(actor=actor, action="continuity.site_created", obj=site, after=_site(site))
    return site


def site_register(*, actor: Actor, operator_number: str, **fields: Any) -> Site:
    """`site_create` with the operator given by its organisation number, as the page, the API
    and the command take it; who may register is checked before the number is looked up."""
    if not sites_abilities(actor=actor)["add_site"]:
        raise NotFound("sites")
    return site_create(actor=actor, operator_id=operator_by_number(operator_number), **fields)


def operator_by_number(number: str) -> int:
    """The agency with this organisation number, for a new site's operator (a number, not a
    list of agencies: the list would name other providers' customers)."""
    found = list(agencies_with_org_number([(number or "").strip()]).values_list("id", flat=True))
    if not found:
        raise field_refusal(
            "operator", _("There is no agency with the organisation number %(value)s."),
            value=(number or "").strip(),
        )  # fmt: skip
    return int(found[0])


def _site(site: Site) -> dict[str, Any]:
    return {
        "code": site.code, "name": site.name, "operator": site.operator_id, "region": site.region,
        "security_class": site.security_class, "capacity": site.capacity,
        "nis_relevant": site.nis_relevant,
    }  # fmt: skip


def _site_by_code(code: str) -> Site:
    site = Site.objects.filter(code=(code or "").strip().upper()).first()
    if site is None:
        raise field_refusal("site", _("There is no site with the code %(site)s."), site=code)
    return site


def place_service(
    *, actor: Actor, service_code: str, site_code: str, role: str, rto_hours: int
) -> Placement:
    """Place an instance of one of the actor's own services on a site. Refused: an unknown
    site, a second instance on the same site, a second primary, a full site, a site below the
    service's policy's security class, an RTO under one hour."""
    service = service_for_change(actor=actor, code=service_code)  # another provider's: 404
    site = _site_by_code(site_code)
    if role not in PlacementRole.values:
        raise field_refusal("role", _("Unknown role %(value)s: primary or secondary."), value=role)
    hours = _positive("rto_hours", rto_hours)
    with transaction.atomic():
        locked = Site.objects.select_for_update().get(pk=site.pk)
        if Placement.objects.filter(service_id=service.id, site=locked).exists():
            raise field_refusal(
                "site", _("%(service)s is already placed on %(site)s."),
                service=service.code, site=locked.code,
            )  # fmt: skip
        if (
            role == PlacementRole.PRIMARY
            and Placement.objects.filter(service_id=service.id, role=PlacementRole.PRIMARY).exists()
        ):
            raise field_refusal(
                "role", _("%(service)s already has a primary site."), service=service.code
            )
        policy = RedundancyPolicy.objects.filter(service_id=service.id).first()
        if policy and locked.security_class < policy.min_security_class:
            raise field_refusal(
                "site",
                _("Site %(site)s is approved for security class %(has)d, the policy needs %(needs)d."),
                site=locked.code, has=locked.security_class, needs=policy.min_security_class,
            )  # fmt: skip
        if Placement.objects.filter(site=locked).count() >= locked.capacity:
            raise BusinessRuleViolation(
                _("Site %(site)s is full: %(capacity)d service instances."),
                site=locked.code, capacity=locked.capacity,
            )  # fmt: skip
        try:
            with transaction.atomic():
                placement = Placement.objects.create(
                    service_id=service.id, site=locked, role=role, rto_hours=hours
                )
        except IntegrityError:  # a concurrent placement won the race
            raise field_refusal(
                "site", _("%(service)s is already placed on %(site)s."),
                service=service.code, site=locked.code,
            ) from None  # fmt: skip
        audit_record(
            actor=actor, action="continuity.placed", obj=placement,
            organisation_id=service.provider_id,
            after={"service": service.code, "site": locked.code, "role": role, "rto_hours": hours},
        )  # fmt: skip
    return placement


def unplace(*, actor: Actor, placement_id: int) -> None:
    """Take an instance of one of the actor's own services off its site. Another provider's
    placement and a missing one are the same `NotFound`; the redundancy check then says what
    the service lacks."""
    placement = (
        Placement.objects.select_related("service", "site")
        .filter(changeable_placements(actor), id=placement_id)
        .first()
    )
    if placement is None:  # missing, or another provider's
        raise NotFound("placement")
    service = placement.service
    before = {"service": service.code, "site": placement.site.code, "role": placement.role,
              "rto_hours": placement.rto_hours}  # fmt: skip
    with transaction.atomic():
        audit_record(
            actor=actor, action="continuity.unplaced", obj=placement,
            organisation_id=service.provider_id, before=before,
        )  # fmt: skip
        placement.delete()


def set_policy(
    *,
    actor: Actor,
    service_code: str,
    min_sites: int,
    min_regions: int,
    min_security_class: int = 0,
) -> RedundancyPolicy:
    """Set one of the actor's services' redundancy policy. Refused: fewer sites than regions,
    and a policy that no set of the existing sites can meet (too few sites approved for the
    class with room left, or too few civil areas among them)."""
    service = service_for_change(actor=actor, code=service_code)
    sites_needed = _positive("min_sites", min_sites)
    regions_needed = _positive("min_regions", min_regions)
    klass = _security_class(min_security_class)
    if regions_needed > sites_needed:
        raise field_refusal(
            "min_regions",
            _("At least %(regions)d regions need at least as many sites, not %(sites)d."),
            regions=regions_needed, sites=sites_needed,
        )  # fmt: skip
    wanted = redundancy.Policy(sites_needed, regions_needed, klass, "policy")
    sites = site_facts(list(Site.objects.annotate(used=Count("placements"))))
    hosting = Placement.objects.filter(service_id=service.id).values_list("site__code", flat=True)
    usable, regions = redundancy.achievable(wanted, sites, hosting)
    if usable < sites_needed or regions < regions_needed:
        raise field_refusal(
            "min_sites",
            _("No set of the existing sites can meet this policy: %(usable)d sites in %(regions)d "
              "regions are approved for security class %(klass)d and have room."),
            usable=usable, regions=regions, klass=klass,
        )  # fmt: skip
    with transaction.atomic():
        current = RedundancyPolicy.objects.select_for_update().filter(service_id=service.id).first()
        before = (
            {"min_sites": current.min_sites, "min_regions": current.min_regions,
             "min_security_class": current.min_security_class}
            if current else None
        )  # fmt: skip
        policy, _created = RedundancyPolicy.objects.update_or_create(
            service_id=service.id,
            defaults={"min_sites": sites_needed, "min_regions": regions_needed,
                      "min_security_class": klass},
        )  # fmt: skip
        audit_record(
            actor=actor, action="continuity.policy_set", obj=policy,
            organisation_id=service.provider_id, before=before,
            after={"service": service.code, "min_sites": sites_needed,
                   "min_regions": regions_needed, "min_security_class": klass},
        )  # fmt: skip
    return policy
