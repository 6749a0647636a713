"""The SOC's dashboard (issue 17 item 5, ADR 0959): open findings by severity and age, the
agencies whose deadlines are passing, and the mean time to remediate per service. For a
provider's SOC only, over its own components; computed when read, from the same reach and
deadline rules as the findings page (ADR 0953, 0956)."""

from __future__ import annotations

import datetime
from collections import defaultdict
from dataclasses import dataclass

from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from samdrift.catalogue.selectors import service_list
from samdrift.core.actor import SYSTEM, Actor
from samdrift.core.exceptions import NotFound
from samdrift.organisations.selectors import organisation_names

from .choices import SEVERITY_ORDER, FindingStatus, Severity
from .models import ComponentUse, Finding
from .permissions import security_abilities, soc_provider_ids
from .selectors import closure, remediation_deadline, service_graph, subscriber_pairs, with_threats

#: Age buckets of open findings, in days since first seen: (upper bound inclusive, label).
AGE_BUCKETS = ((7, "0–7"), (30, "8–30"), (90, "31–90"), (None, "> 90"))
#: "About to pass": due within this many days.
DUE_SOON_DAYS = 7


@dataclass(frozen=True)
class AgeRow:
    severity: str
    label: str
    counts: list[int]

    @property
    def total(self) -> int:
        return sum(self.counts)


@dataclass(frozen=True)
class AgencyDue:
    name: str
    overdue: int
    due_soon: int


@dataclass(frozen=True)
class ServiceMttr:
    code: str
    name: str
    fixed: int
    mean_days: float


@dataclass(frozen=True)
class Dashboard:
    ages: list[AgeRow]
    agencies: list[AgencyDue]
    mttr: list[ServiceMttr]
    today: datetime.date

    @property
    def bucket_labels(self) -> list[str]:
        return [label for _upper, label in AGE_BUCKETS]

    @property
    def open_total(self) -> int:
        return sum(row.total for row in self.ages)


def _bucket(days: int) -> int:
    for index, (upper, _label) in enumerate(AGE_BUCKETS):
        if upper is None or days <= upper:
            return index
    return len(AGE_BUCKETS) - 1


def soc_dashboard(*, actor: Actor, today: datetime.date) -> Dashboard:
    if not security_abilities(actor=actor)["soc"]:
        raise NotFound(_("No such page."))
    providers = soc_provider_ids(actor)
    findings = Finding.objects.all()
    if providers is not None:
        findings = findings.filter(component__provider_id__in=providers)
    open_findings = list(with_threats(findings.filter(status=FindingStatus.OPEN)))
    counts = {s: [0] * len(AGE_BUCKETS) for s in SEVERITY_ORDER}
    for f in open_findings:
        counts.setdefault(f.severity, [0] * len(AGE_BUCKETS))
        counts[f.severity][_bucket((today - timezone.localtime(f.first_seen).date()).days)] += 1
    labels = dict(Severity.choices)
    ages = [AgeRow(s, str(labels.get(s, s)), c) for s, c in counts.items() if sum(c)]
    return Dashboard(ages, _agencies_due(open_findings, today), _mttr(findings), today)


def _agencies_due(open_findings: list[Finding], today: datetime.date) -> list[AgencyDue]:
    """Per agency reached: open findings past their deadline and due within a week."""
    component_ids = {f.component_id for f in open_findings}
    uses: dict[int, set[int]] = defaultdict(set)
    for component_id, service_id in ComponentUse.objects.filter(
        component_id__in=component_ids
    ).values_list("component_id", "service_id"):
        uses[component_id].add(service_id)
    _down, up = service_graph()
    reached = {c: closure(services, up) for c, services in uses.items()}
    agencies_of_service: dict[int, set[int]] = defaultdict(set)
    for org_id, service_id in subscriber_pairs(set().union(*reached.values())):
        agencies_of_service[service_id].add(org_id)
    overdue: dict[int, int] = defaultdict(int)
    soon: dict[int, int] = defaultdict(int)
    horizon = today + datetime.timedelta(days=DUE_SOON_DAYS)
    for f in open_findings:
        deadline = remediation_deadline(f)
        if deadline is None or deadline > horizon:
            continue
        agencies = set().union(*(agencies_of_service[s] for s in reached.get(f.component_id, ())))
        for org_id in agencies:
            (overdue if deadline < today else soon)[org_id] += 1
    due = set(overdue) | set(soon)
    names = organisation_names(due)
    rows = [
        AgencyDue(names.get(org_id, str(org_id)), overdue.get(org_id, 0), soon.get(org_id, 0))
        for org_id in due
    ]
    return sorted(rows, key=lambda r: (-r.overdue, -r.due_soon, r.name))


def _mttr(findings: object) -> list[ServiceMttr]:
    """Mean days from first seen to fixed, per service built directly from the component."""
    fixed = list(
        findings.filter(status=FindingStatus.FIXED, fixed_at__isnull=False).values_list(  # type: ignore[attr-defined]
            "component_id", "first_seen", "fixed_at"
        )
    )
    services_of: dict[int, set[int]] = defaultdict(set)
    for component_id, service_id in ComponentUse.objects.filter(
        component_id__in={c for c, _f, _x in fixed}
    ).values_list("component_id", "service_id"):
        services_of[component_id].add(service_id)
    days: dict[int, list[float]] = defaultdict(list)
    for component_id, first_seen, fixed_at in fixed:
        for service_id in services_of[component_id]:
            days[service_id].append(max((fixed_at - first_seen).total_seconds(), 0) / 86400)
    services = {s.id: s for s in service_list(actor=SYSTEM).filter(id__in=list(days))}
    rows = [
        ServiceMttr(services[s].code, services[s].name, len(d), sum(d) / len(d))
        for s, d in days.items()
        if s in services
    ]
    return sorted(rows, key=lambda r: (-r.mean_days, r.code))
