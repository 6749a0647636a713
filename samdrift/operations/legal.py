"""Reading an incident's legal reporting (ADR 0844): its deadlines with the reports on record.
Who may read them is `permissions.incident_abilities(...)["legal"]`, asked here and nowhere
else; anybody else gets `NotFound`, as for an incident they do not see."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from django.utils import timezone

from samdrift.core.actor import Actor
from samdrift.core.exceptions import NotFound
from samdrift.organisations.selectors import organisations_by_id

from . import deadlines, selectors
from .models import Incident, LegalReport
from .permissions import incident_abilities


@dataclass(frozen=True)
class LegalRow:
    deadline: deadlines.Deadline
    customer_name: str
    report: LegalReport | None

    @property
    def key(self) -> str:
        return self.deadline.key


def _require_legal(actor: Actor, incident: Incident) -> None:
    abilities = incident_abilities(
        actor=actor, incident=incident, affected_org_ids=selectors.affected_org_ids(incident)
    )
    if not abilities["legal"]:
        raise NotFound("incident")


def legal_rows(
    *, actor: Actor, incident: Incident, now: dt.datetime | None = None
) -> list[LegalRow]:
    """Every deadline of the regimes the incident is classified under, each with its report
    when one is on record; empty when it is not reportable."""
    _require_legal(actor, incident)
    if not incident.regimes:
        return []
    reports = {
        deadlines.deadline_key(r.regime, r.code, r.customer_id): r
        for r in LegalReport.objects.filter(incident=incident)
    }
    customers = sorted(selectors.affected_org_ids(incident))
    names = dict(organisations_by_id(customers).values_list("id", "name"))
    computed = deadlines.compute(
        aware_at=incident.aware_at or incident.opened_at,
        now=now or timezone.now(),
        regimes=incident.regimes,
        met={key: report.met_at for key, report in reports.items()},
        customers=customers,
    )
    return [
        LegalRow(
            deadline=d,
            customer_name=names.get(d.customer_id, "") if d.customer_id is not None else "",
            report=reports.get(d.key),
        )
        for d in computed
    ]


def legal_row(*, actor: Actor, incident: Incident, key: str) -> LegalRow:
    for row in legal_rows(actor=actor, incident=incident):
        if row.key == key:
            return row
    raise NotFound("report")


def prefill(row: LegalRow, incident: Incident, language: str) -> dict[str, str]:
    """A draft of the report's items from what the incident already says (ADR 0844); the
    operator reads, corrects and completes it before recording."""
    aware = timezone.localtime(incident.aware_at or incident.opened_at).strftime("%Y-%m-%d %H:%M")
    opened = timezone.localtime(incident.opened_at).strftime("%Y-%m-%d %H:%M")
    what = incident.title + (f"\n\n{incident.description}" if incident.description else "")
    known = {
        "what": what,
        "description": what,
        "detected": opened,
        "occurred": aware,
        "handlers": incident.provider.name,
        "ongoing": str(incident.get_state_display()),
    }
    return {item.key: known[item.key] for item in row.deadline.checklist if item.key in known}
