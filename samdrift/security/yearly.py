"""A provider's vulnerability management over one year, for the report to the government
(issue 17 item 6, ADR 0966): counts per severity, no finding, component or location."""

from __future__ import annotations

import datetime
from dataclasses import dataclass

from django.utils import timezone

from samdrift.core.actor import Actor

from .choices import SEVERITY_ORDER, FindingStatus, Severity
from .models import Finding
from .permissions import summary_provider_ids
from .selectors import remediation_deadline, with_threats


@dataclass(frozen=True)
class SeverityYear:
    severity: str
    label: str
    found: int  # first seen in the year
    fixed: int  # fixed in the year
    fixed_in_time: int  # of those, fixed by their deadline
    open_at_end: int  # still open at the end of the year (or today, for the current year)
    overdue_at_end: int  # of those, past their deadline then


@dataclass(frozen=True)
class SecurityYear:
    rows: list[SeverityYear]
    mean_days_to_fix: float | None

    @property
    def has_data(self) -> bool:
        return any(r.found or r.fixed or r.open_at_end for r in self.rows)


def security_year(*, actor: Actor, year: int) -> SecurityYear:
    providers = summary_provider_ids(actor)
    findings = Finding.objects.all()
    if providers is not None:
        findings = findings.filter(component__provider_id__in=providers)
    tz = timezone.get_current_timezone()
    start = datetime.datetime(year, 1, 1, tzinfo=tz)
    end = min(datetime.datetime(year + 1, 1, 1, tzinfo=tz), timezone.now())
    end_day = (end - datetime.timedelta(microseconds=1)).astimezone(tz).date()
    rows: dict[str, list[int]] = {s: [0, 0, 0, 0, 0] for s in SEVERITY_ORDER}
    days: list[float] = []
    for f in with_threats(findings.filter(first_seen__lt=end)):
        counts = rows.setdefault(f.severity, [0, 0, 0, 0, 0])
        deadline = remediation_deadline(f)
        if f.first_seen >= start:
            counts[0] += 1
        fixed_at = f.fixed_at if f.status == FindingStatus.FIXED else None
        if fixed_at is not None and start <= fixed_at < end:
            counts[1] += 1
            days.append(max((fixed_at - f.first_seen).total_seconds(), 0) / 86400)
            if deadline is None or fixed_at.astimezone(tz).date() <= deadline:
                counts[2] += 1
        # not affected is closed, not open; fixed after the year's end was open at its end
        still_open = f.status == FindingStatus.OPEN or (fixed_at is not None and fixed_at >= end)
        if still_open:
            counts[3] += 1
            if deadline is not None and deadline < end_day:
                counts[4] += 1
    labels = dict(Severity.choices)
    return SecurityYear(
        [SeverityYear(s, str(labels.get(s, s)), *c) for s, c in rows.items()],
        sum(days) / len(days) if days else None,
    )
