"""Who is told of an advisory (ADR 0967): the contacts of every agency it reaches, each told of
its own agency only. Called inside the publishing transaction, so a refused publication tells
nobody."""

from __future__ import annotations

from collections.abc import Iterable

from samdrift.core.actor import Actor
from samdrift.organisations.services import notify_agency_contacts

from .models import Advisory

ADVISORY_PUBLISHED = "security_advisory"
ADVISORY_LINK = "/security/advisories/{id}/"


def advisory_published(*, actor: Actor, advisory: Advisory, org_ids: Iterable[int]) -> int:
    """The contacts of every agency the advisory reaches, each told of its own agency."""
    context = {
        "vulnerability": advisory.vulnerability_id,
        "title": advisory.title,
        "severity": advisory.severity,
        "revision": advisory.revision,
    }
    told = notify_agency_contacts(
        actor=actor, org_ids=org_ids, kind=ADVISORY_PUBLISHED, context=context,
        link=ADVISORY_LINK.format(id=advisory.pk),
    )  # fmt: skip
    return sum(told.values())
