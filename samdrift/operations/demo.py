"""Operations demo data: a few incidents on demo services, through the real services (events,
clocks, audit): a major incident on the service most others depend on, one being worked and
waiting for an agency, one resolved; a known error and an approved standard change.

Idempotent: does nothing when an incident exists.
"""

from __future__ import annotations

import datetime as dt
from collections import Counter
from typing import Any

from django.utils import timezone

from samdrift.catalogue.selectors import dependency_edges
from samdrift.core.actor import SYSTEM
from samdrift.core.exceptions import NotFound, ValidationFailed
from samdrift.onboarding.selectors import subscription_list

from . import raci, services
from .models import AffectedAgency, Incident, SurveyAnswer


def _services_in_use() -> list[str]:
    """Service codes with subscriptions, the most depended-on first."""
    used = Counter(
        subscription_list(actor=SYSTEM).values_list("service__code", flat=True).order_by()
    )
    depended = Counter(edge.depends_on.code for edge in dependency_edges(actor=SYSTEM))
    return sorted(used, key=lambda code: (-depended[code], -used[code], code))


def load(*, stdout: Any) -> None:
    if Incident.objects.exists():
        stdout.write("operations: demo incidents already there\n")
        return
    codes = _services_in_use()
    if not codes:
        stdout.write("operations: no service in use, no demo incidents\n")
        return
    now = timezone.now()
    start = now - dt.timedelta(hours=30)
    major = services.incident_open(
        actor=SYSTEM,
        service_code=codes[0],
        title="Inloggningen fungerar inte för flera myndigheter",
        description="E-legitimering svarar med fel 503 sedan morgonen.",
        impact=1,
        urgency=1,
        now=start,
    )
    services.incident_respond(
        actor=SYSTEM, incident_id=major.pk, now=start + dt.timedelta(minutes=20)
    )
    services.incident_set_major(actor=SYSTEM, incident_id=major.pk, major=True, now=start)
    # Reportable to CERT-SE (MSBFS 2020:8, ADR 0844): the first report made in time, the final
    # one due in four weeks.
    services.incident_classify(
        actor=SYSTEM, incident_id=major.pk, regimes=["cert-se"], now=start + dt.timedelta(hours=1)
    )
    services.legal_report_record(
        actor=SYSTEM,
        incident_id=major.pk,
        key="cert-se/first",
        content={
            "what": "E-legitimeringen svarar med fel 503; flera myndigheter kan inte logga in.",
            "detected": "Övervakningen larmade klockan 07.40 samma morgon.",
            "handlers": "Leverantörens driftcentral och säkerhetsfunktion.",
            "crime": "Nej, inget brott misstänks. Ingen polisanmälan.",
            "support": "Inget behov av stöd. Kontakt via driftcentralen.",
        },
        reference="CERT-SE demo",
        met_at=start + dt.timedelta(hours=4),
        now=start + dt.timedelta(hours=4),
    )
    problem = services.problem_open(actor=SYSTEM, service_code=codes[0], title="Certifikatkedjan")
    services.problem_known_error(
        actor=SYSTEM,
        problem_id=problem.pk,
        root_cause="Ett mellanliggande certifikat hade gått ut.",
        workaround="Starta om inloggningstjänsten med det förnyade certifikatet.",
    )
    services.incident_link_problem(actor=SYSTEM, incident_id=major.pk, problem_id=problem.pk)
    services.change_create(
        actor=SYSTEM,
        service_code=codes[0],
        kind="standard",
        title="Byte av mellanliggande certifikat",
        window_start=now + dt.timedelta(days=2, hours=2),
        window_end=now + dt.timedelta(days=2, hours=4),
    )
    second = codes[1] if len(codes) > 1 else codes[0]
    worked = services.incident_open(
        actor=SYSTEM,
        service_code=second,
        title="Långsamma svar i tjänsten",
        impact=2,
        urgency=2,
        now=start + dt.timedelta(hours=2),
    )
    services.incident_transition(
        actor=SYSTEM, incident_id=worked.pk, target="in_progress", now=start + dt.timedelta(hours=3)
    )
    waiting_for = (
        AffectedAgency.objects.filter(incident=worked)
        .order_by("organisation_id")
        .values_list("organisation_id", flat=True)
        .first()
    )
    if waiting_for is not None:
        services.incident_wait(
            actor=SYSTEM,
            incident_id=worked.pk,
            organisation_id=waiting_for,
            waiting=True,
            reason="Väntar på loggar från myndigheten.",
            now=start + dt.timedelta(hours=4),
        )
    done = services.incident_open(
        actor=SYSTEM,
        service_code=codes[-1],
        title="Felaktig text i ett meddelande",
        impact=3,
        urgency=3,
        now=start - dt.timedelta(days=2),
    )
    services.incident_transition(
        actor=SYSTEM, incident_id=done.pk, target="resolved", now=start - dt.timedelta(days=1)
    )
    _survey(codes[0], now)
    _covidbevis(stdout, [major, worked, done])
    _capacity(codes[0], now)
    for incident in (major, worked, done):
        services.recompute_clocks(incident, now=now)
    stdout.write(f"operations: 3 incidents on {', '.join(sorted({codes[0], second, codes[-1]}))}\n")


def _covidbevis(stdout: Any, incidents: list[Incident]) -> None:
    """The Covidbevis responsibility matrix of the 2021 report (ADR 0845) on application
    operations: version 1 exactly as reported, which names only R and stays a draft that says
    why; version 2, published, where the demo records an accountable party per function — the
    first responsible one. That A is demo data, not the report's."""
    code = "APPDRIFT"
    reported = raci.covidbevis_2021_cells()
    try:
        services.matrix_draft(
            actor=SYSTEM, service_code=code, name="Covidbevis (vaccinationsbevis)",
            effective_from=timezone.localdate(), text=raci.as_text(reported),
            note="Som i Försäkringskassans rapport 2021: bara utförare (R).",
        )  # fmt: skip
    except (NotFound, ValidationFailed) as missing:  # a smaller demo without these agencies
        stdout.write(f"operations: no Covidbevis matrix ({missing})\n")
        return
    first_r: dict[str, str] = {}
    for function, _role, party in reported:
        first_r.setdefault(function, party)
    completed = reported + [(function, "A", party) for function, party in first_r.items()]
    matrix = services.matrix_draft(
        actor=SYSTEM, service_code=code, name="Covidbevis (vaccinationsbevis)",
        effective_from=timezone.localdate(), text=raci.as_text(completed),
        note="Demodata: ansvarig (A) är satt till den första utföraren, inte hämtad ur rapporten.",
    )  # fmt: skip
    services.matrix_publish(actor=SYSTEM, matrix_id=matrix.pk)
    routed = services.incident_open(
        actor=SYSTEM, service_code=code, title="Appen visar fel giltighetstid för bevis",
        impact=2, urgency=2, now=timezone.now() - dt.timedelta(hours=2),
    )  # fmt: skip
    services.incident_route(actor=SYSTEM, incident_id=routed.pk, function="24/7 support")
    incidents.append(routed)
    stdout.write(
        f"operations: the Covidbevis responsibility matrix, versions 1 and 2; INC{routed.pk} "
        "routed by it\n"
    )


def _capacity(code: str, now: dt.datetime) -> None:
    """Daily peaks of active users of the most used service over two years: demand doubling
    the way the pandemic doubled it (ADR 0846), against a capacity of 50 000."""
    today = timezone.localdate(now)
    lines = []
    for back in range(700, 0, -1):
        day = today - dt.timedelta(days=back)
        users = 18_000 + (700 - back) * 30 + (day.toordinal() * 7919) % 2_000
        lines.append(f"{code};users;{day.isoformat()} 10:00;{users}")
    services.capacity_import(actor=SYSTEM, text="\n".join(lines), now=now)
    services.capacity_metric_set(actor=SYSTEM, service_code=code, kind="users", capacity=50_000)


def _survey(code: str, now: dt.datetime) -> None:
    """An NKI survey of the most used service this year, answered by up to twelve of its
    agencies (demo answers, written directly: the demo has no official of each agency logged
    in)."""
    survey = services.survey_create(
        actor=SYSTEM,
        service_code=code,
        year=now.year,
        closes_on=dt.date(now.year, 12, 31),
    )
    agencies = (
        subscription_list(actor=SYSTEM)
        .filter(service__code=code)
        .values_list("organisation_id", flat=True)
        .order_by("organisation_id")[:12]
    )
    for n, org_id in enumerate(agencies):
        SurveyAnswer.objects.create(
            survey=survey,
            organisation_id=org_id,
            overall=6 + n % 5,
            expectations=5 + n % 5,
            ideal=4 + n % 6,
            answered_at=now,
        )
