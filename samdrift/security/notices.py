"""Who is told of an advisory (ADR 0967): the contacts of every agency it reaches, each told of
its own agency only. Called inside the publishing transaction, so a refused publication tells
nobody."""

from __future__ import annotations

from collections.abc import Iterable

from samdrift.core.actor import Actor
from samdrift.core.notifications.services import notify_groups
from samdrift.organisations.selectors import members_in_roles, organisations_by_id

from .models import Advisory

ADVISORY_PUBLISHED = "security_advisory"
ADVISORY_LINK = "/security/advisories/{id}/"


def advisory_published(*, actor: Actor, advisory: Advisory, org_ids: Iterable[int]) -> int:
    """One read of names, one of contacts and one insert, whatever the number of agencies."""
    wanted = sorted(set(org_ids))
    names = dict(organisations_by_id(wanted).values_list("id", "name"))
    contacts: dict[int, list[int]] = {org_id: [] for org_id in wanted}
    for org_id, _role, user_id in members_in_roles(wanted, ["contact"]):
        contacts[org_id].append(user_id)
    context = {
        "vulnerability": advisory.vulnerability_id,
        "title": advisory.title,
        "severity": advisory.severity,
        "revision": advisory.revision,
    }
    groups = [(contacts[o], {**context, "agency": names.get(o, "")}) for o in wanted]
    written = notify_groups(
        groups, ADVISORY_PUBLISHED, link=ADVISORY_LINK.format(id=advisory.pk), actor=actor
    )
    return sum(len(rows) for rows in written)
