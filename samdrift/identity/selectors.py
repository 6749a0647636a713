"""Reads for logins: configured providers, agencies by organisation number, access requests."""

from __future__ import annotations

from typing import TYPE_CHECKING

from django.db.models import QuerySet

from samdrift.core.actor import Actor
from samdrift.core.exceptions import NotFound
from samdrift.organisations.selectors import agencies_with_org_number

if TYPE_CHECKING:
    from samdrift.organisations.models import Organisation

from .models import AccessRequest, AssuranceRequirement, IdentityProvider
from .permissions import identity_abilities


def provider_login_list() -> QuerySet[IdentityProvider]:
    """The providers shown on the login page: public information, so no actor."""
    return IdentityProvider.objects.filter(is_active=True).select_related("organisation")


def provider_for_login(*, slug: str) -> IdentityProvider:
    try:
        return provider_login_list().get(slug=slug)
    except IdentityProvider.DoesNotExist:
        raise NotFound("identity provider") from None


def provider_list(*, actor: Actor) -> QuerySet[IdentityProvider]:
    """Every configured provider with its trust settings: provider administrators only."""
    if not identity_abilities(actor=actor)["manage_providers"]:
        raise NotFound("identity providers")
    return IdentityProvider.objects.select_related("organisation").order_by("name")


def access_request_list(*, actor: Actor) -> QuerySet[AccessRequest]:
    """Requests from officials of unknown agencies; they belong to no agency, so provider only."""
    if not identity_abilities(actor=actor)["view_access_requests"]:
        raise NotFound("access requests")
    return AccessRequest.objects.select_related("provider").order_by("-created_at")


def _digits(value: str) -> str:
    return "".join(ch for ch in value if ch.isdigit())


def agency_for_org_number(org_number: str, org_name: str = "") -> Organisation | None:
    """The agency an official works for, from the organisation number in their e-ID.

    Courts share Domstolsverket's number, so several agencies can match: then the one whose
    name is the claimed `orgName`, else the one the others sit under; otherwise none (the
    official asks for access rather than landing in the wrong agency).
    """
    digits = _digits(org_number)
    if len(digits) != 10:
        return None
    formatted = f"{digits[:6]}-{digits[6:]}"
    candidates = list(agencies_with_org_number([formatted, digits]))
    if len(candidates) <= 1:
        return candidates[0] if candidates else None
    named = [org for org in candidates if org_name and org.name.casefold() == org_name.casefold()]
    if len(named) == 1:
        return named[0]
    ids = {org.id for org in candidates}
    roots = [org for org in candidates if org.parent_id not in ids]
    return roots[0] if len(roots) == 1 else None


def required_rank_for_service(*, service_id: int) -> int | None:
    """The minimum level a catalogue service declares, or None when it declares none."""
    return (
        AssuranceRequirement.objects.filter(service_id=service_id)
        .values_list("min_rank", flat=True)
        .first()
    )


def required_rank_for_code(service_code: str) -> int | None:
    """The same by service code: the source of the tenancy kernel's level gate (ADR 0043)."""
    return (
        AssuranceRequirement.objects.filter(service__code=service_code)
        .values_list("min_rank", flat=True)
        .first()
    )
