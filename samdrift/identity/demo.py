"""Demo data for e-ID login: the development identity provider, officials who can log in
through it at every level, and the levels some services declare.

`samdrift identity dev-idp --port 8500` serves the officials listed by `demo_officials()`.
The demo users (admin, kund, …) are linked to their own dev-IdP identity, so they can step up
from a password login to an e-ID level by choosing themselves on the provider's page.
"""

from __future__ import annotations

from typing import Any, TextIO

from django.db import transaction

from samdrift.accounts.demo import DEMO_USERS
from samdrift.accounts.models import User
from samdrift.audit.services import audit_record
from samdrift.catalogue.models import Service
from samdrift.core.actor import SYSTEM
from samdrift.organisations.models import Membership, Organisation

from .devidp import pairwise_subject
from .models import AssuranceRequirement, ExternalIdentity, IdentityProvider

DEV_IDP_SLUG = "dev-idp"
DEV_IDP_ISSUER = "http://127.0.0.1:8500"
DEV_CLIENT_ID = "samdrift"

#: Officials with no samdrift account yet: their first login creates one (role member).
NEW_OFFICIALS = (
    ("ingrid", "Ingrid", "Inloggad", "Skatteverket"),
    ("oskar", "Oskar", "Officiell", "Trafikverket"),
)
#: An official whose agency samdrift does not serve: shows the ask-for-access page.
UNKNOWN_AGENCY_OFFICIAL = {
    "uid": "ulla",
    "given_name": "Ulla",
    "family_name": "Utanför",
    "org_number": "2120000142",
    "org_name": "Exempelkommunen (ej ansluten)",
}
#: Services that declare a minimum level of assurance (catalogue code → level).
SERVICE_LEVELS = {"SAFOS": 3, "EFOS": 3}


def _digits(value: str) -> str:
    return "".join(ch for ch in value if ch.isdigit())


def demo_officials() -> list[dict[str, str]]:
    """Everyone the development provider lets log in, from the demo database."""
    memberships = (
        Membership.objects.select_related("user", "organisation")
        .filter(user__is_active=True, organisation__is_group=False)
        .exclude(organisation__org_number="")
        .filter(user__username__in=_demo_usernames())
        .order_by("user__username")
    )
    officials = [_row(m.user.username, m.user, m.organisation) for m in memberships]
    for uid, first, last, agency_name in NEW_OFFICIALS:
        agency = Organisation.objects.filter(name=agency_name).first()
        if agency is not None:
            officials.append(
                {
                    "uid": uid,
                    "given_name": first,
                    "family_name": last,
                    "org_number": _digits(agency.org_number),
                    "org_name": agency.name,
                }
            )
    officials.append(dict(UNKNOWN_AGENCY_OFFICIAL))
    seen: set[str] = set()
    unique = []
    for row in officials:
        if row["uid"] not in seen:
            seen.add(row["uid"])
            unique.append(row)
    return unique


def _demo_usernames() -> list[str]:
    return [row[0] for row in DEMO_USERS]


def _row(uid: str, user: User, agency: Organisation) -> dict[str, str]:
    return {
        "uid": uid,
        "given_name": user.first_name or uid,
        "family_name": user.last_name or "",
        "org_number": _digits(agency.org_number),
        "org_name": agency.name,
    }


def load(*, stdout: TextIO | Any) -> None:
    """Idempotent: the dev provider, links for the demo users, and service levels."""
    with transaction.atomic():
        provider, created = IdentityProvider.objects.get_or_create(
            slug=DEV_IDP_SLUG,
            defaults={
                "name": "Utvecklingsinloggning (dev-idp)",
                "issuer": DEV_IDP_ISSUER,
                "client_id": DEV_CLIENT_ID,
                "is_development": True,
                "allow_uncertified": True,
            },
        )
        linked = 0
        for row in demo_officials():
            user = User.objects.filter(username=row["uid"]).first()
            if user is None:
                continue
            subject = pairwise_subject(DEV_CLIENT_ID, f"{row['uid']}@{row['org_number']}")
            _, made = ExternalIdentity.objects.get_or_create(
                provider=provider,
                subject=subject,
                defaults={"user": user, "org_affiliation": f"{row['uid']}@{row['org_number']}"},
            )
            linked += int(made)
        levels = 0
        for code, rank in SERVICE_LEVELS.items():
            service = Service.objects.filter(code=code).first()
            if service is not None:
                _, made = AssuranceRequirement.objects.get_or_create(
                    service=service, defaults={"min_rank": rank}
                )
                levels += int(made)
        if created or linked or levels:
            audit_record(
                actor=SYSTEM,
                action="identity.demo_loaded",
                obj=provider,
                after={"provider_created": created, "linked": linked, "service_levels": levels},
            )
    stdout.write(
        f"Identity: development provider {DEV_IDP_ISSUER} (start it with "
        f"`samdrift identity dev-idp --port 8500`), {linked} demo users linked."
    )
