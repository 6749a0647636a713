"""SAFOS usage for billing (ADR 0611): each connected agency's active users per month, sent
through billing's public service (`billing.services.record_usage`), never its models.

A person is active for an agency in a month when they read or changed anything in a workspace
as a member for that agency (`ActiveUser`, noted by the services). Guests' agencies have no SAFOS
subscription and are not billed. A month is reported once, after it has ended: the daily job
`collaboration.usage` reports the previous month if it has not been; `samdrift collaboration
usage YYYY-MM [--report]` shows or reports any ended month. The measurement's key
(`safos-active-users:<agency>:<month>`) makes a repeat harmless to billing.
"""

from __future__ import annotations

import datetime
from dataclasses import dataclass
from typing import Any

from django.db import transaction
from django.db.models import Count
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from samdrift.audit.services import audit_record
from samdrift.billing.services import record_usage
from samdrift.core.actor import SYSTEM, Actor
from samdrift.core.exceptions import NotFound, ValidationFailed
from samdrift.organisations.selectors import organisation_list

from ..choices import SERVICE_CODE
from ..models import ActiveUser, AgencyQuota, Member, UsageReport
from ..selectors import agency_connected

SOURCE = "collaboration"
NOT_ENDED = _("%(month)s has not ended yet; only an ended month is reported.")
BAD_MONTH = _("Give the month as YYYY-MM.")


@dataclass(frozen=True)
class AgencyUsage:
    organisation_id: int
    name: str
    active_users: int


def parse_month(text: str | datetime.date) -> datetime.date:
    if isinstance(text, datetime.date):
        return text.replace(day=1)
    try:
        year, month = str(text).strip().split("-")
        return datetime.date(int(year), int(month), 1)
    except ValueError:
        raise ValidationFailed(BAD_MONTH, errors={"month": [str(BAD_MONTH)]}) from None


def previous_month(today: datetime.date | None = None) -> datetime.date:
    first = (today or timezone.localdate()).replace(day=1)
    return (first - datetime.timedelta(days=1)).replace(day=1)


def month_usage(month: datetime.date) -> list[AgencyUsage]:
    """Active users per connected agency in the month, by agency name."""
    counts = dict(
        ActiveUser.objects.filter(month=month)
        .values("organisation_id")
        .annotate(n=Count("user_id", distinct=True))
        .values_list("organisation_id", "n")
    )
    names = dict(
        organisation_list(actor=SYSTEM).filter(id__in=list(counts)).values_list("id", "name")
    )
    rows = [
        AgencyUsage(org_id, names.get(org_id, str(org_id)), n)
        for org_id, n in counts.items()
        if agency_connected(org_id=org_id)
    ]
    return sorted(rows, key=lambda r: (r.name, r.organisation_id))


def note_chat_activity(pairs: set[tuple[int, int]]) -> int:
    """People who wrote in a workspace's chat, as (user id, workspace id): active in SAFOS this
    month for the agency they are a member for (ADR 0658), like any other use of a workspace.
    A pair that is no membership (anymore) counts nothing. One read and one insert for all;
    returns how many memberships matched."""
    if not pairs:
        return 0
    users = {user_id for user_id, _ws in pairs}
    spaces = {workspace_id for _user, workspace_id in pairs}
    found = {
        (user_id, organisation_id)
        for user_id, workspace_id, organisation_id in Member.objects.filter(
            user_id__in=users, workspace_id__in=spaces
        ).values_list("user_id", "workspace_id", "organisation_id")
        if (user_id, workspace_id) in pairs
    }
    month = timezone.localdate().replace(day=1)
    ActiveUser.objects.bulk_create(
        [ActiveUser(month=month, organisation_id=org, user_id=user) for user, org in sorted(found)],
        ignore_conflicts=True,
    )
    return len(found)


def report_month(*, actor: Actor, month: Any) -> UsageReport:
    """Send an ended month's active users to billing (once; a repeat returns the first report)."""
    first = parse_month(month)
    if first >= timezone.localdate().replace(day=1):
        label = f"{first:%Y-%m}"
        raise ValidationFailed(NOT_ENDED, errors={"month": [str(NOT_ENDED) % {"month": label}]}, month=label)  # fmt: skip
    done = UsageReport.objects.filter(month=first).first()
    if done is not None:
        return done
    usage = month_usage(first)
    with transaction.atomic():
        if usage:
            record_usage(
                actor=actor,
                rows=[
                    {
                        "organisation": row.name,
                        "service": SERVICE_CODE,
                        "period": f"{first:%Y-%m}",
                        "quantity": str(row.active_users),
                        "source": SOURCE,
                        "key": f"safos-active-users:{row.organisation_id}:{first:%Y-%m}",
                    }
                    for row in usage
                ],
            )
        report = UsageReport.objects.create(
            month=first, agencies=len(usage), users=sum(r.active_users for r in usage)
        )
        audit_record(
            actor=actor,
            action="collaboration.usage_report",
            obj=report,
            after={"month": f"{first:%Y-%m}", "agencies": report.agencies, "users": report.users},
        )
    return report


def report_previous_month() -> int:
    """The daily job: the previous month, if not reported yet; the number of active users."""
    return report_month(actor=SYSTEM, month=previous_month()).users


BAD_QUOTA = _("Give the quota as a whole number of bytes above zero.")


def agency_quota_set(*, actor: Actor, organisation_id: int, quota_bytes: Any) -> AgencyQuota:
    """Set an agency's quota over all the workspaces it owns (the provider, from the CLI)."""
    try:
        value = int(quota_bytes)
    except (TypeError, ValueError):
        value = 0
    if value <= 0:
        raise ValidationFailed(BAD_QUOTA, errors={"quota_bytes": [str(BAD_QUOTA)]})
    organisation = organisation_list(actor=SYSTEM).filter(id=organisation_id).first()
    if organisation is None:
        raise NotFound("organisation")
    with transaction.atomic():
        before = AgencyQuota.objects.filter(organisation=organisation).first()
        quota, _created = AgencyQuota.objects.update_or_create(
            organisation=organisation, defaults={"quota_bytes": value}
        )
        audit_record(
            actor=actor,
            action="collaboration.agency_quota",
            obj=quota,
            organisation_id=organisation.id,
            before={"quota_bytes": before.quota_bytes if before else None},
            after={"quota_bytes": value},
        )
    return quota
