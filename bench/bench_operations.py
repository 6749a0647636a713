"""Operations (issue 16, Measure): recomputing every clock of a year of incidents after an
agreement change, against a bare replay loop over the same events in the same run; and
availability for every service × agency for a year (ADR 0830).

    python bench/bench_operations.py [--part all|recompute|availability] [--incidents 10000]
        [--events 20] [--agencies 50] [--services 20] [--customers 347] [--requests 30]

**recompute**: `services.recompute_service` after a service's support hours change — per
incident one transaction: lock, read events and affected agencies, replay each agency, one bulk
update, one audit record. **baseline**: the same events read in one query and `clocks.replay`
run for every affected agency in a plain loop, nothing written. Floor in the issue: within 3×.

**availability**: 347 agencies each connected to every one of 20 services (office, extended and
24/7 hours; some connected mid-year), 60 outages and 6 approved maintenance windows per service
in 2026. Measured: `selectors.availability_agency` for every agency (every service × agency for
the year) against a bare loop calling `availability.measure` for every pair over the same outages
and windows read in one query; then p95 of the availability pages (a service with its 347-agency
table and chart, as the provider's staff; an agency with its 20 services) against p95 of the
bare computation of the same service's 347 figures.

**major**: one major incident on a shared service (24/7) that a second service (office hours)
depends on, reaching all 347 agencies (half through each), each agency with a contact.
Measured: `services.incident_open(major=True)` — reach over the dependency graph, one event and
one clock row per agency, every clock replayed and stored, the major-incident notice to 347
contacts, audit — against the bare work: one incident row and 347 clock rows written in one bulk
insert with each agency's clocks replayed by `clocks.replay` (no events, notices or audit). Then
p95 of the incident page for an agency's member (its own clock) and for the provider's staff
(all 347 clocks), against p95 of the bare reads of the same data.

A throw-away SQLite database in a temporary folder, removed at the end. Not a test.
"""

from __future__ import annotations

import argparse
import datetime as dt
import os
import sys
import tempfile
import time
from pathlib import Path


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--incidents", type=int, default=10_000)
    parser.add_argument("--events", type=int, default=20, help="events per incident")
    parser.add_argument("--agencies", type=int, default=50)
    parser.add_argument(
        "--part", choices=["all", "recompute", "availability", "major"], default="all"
    )
    parser.add_argument("--services", type=int, default=20)
    parser.add_argument("--customers", type=int, default=347)
    parser.add_argument("--requests", type=int, default=30)
    options = parser.parse_args()
    with tempfile.TemporaryDirectory(prefix="bench-operations-") as folder:
        os.environ["SAMDRIFT_DATA_DIR"] = folder
        os.environ["DJANGO_SETTINGS_MODULE"] = "config.settings.dev"
        sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
        import django

        django.setup()
        from django.core.management import call_command

        call_command("migrate", verbosity=0)
        if options.part in ("all", "major"):
            run_major(options.customers, options.requests)
        if options.part in ("all", "availability"):
            run_availability(options.services, options.customers, options.requests)
        if options.part in ("all", "recompute"):
            run(options.incidents, options.events, options.agencies)


def build(incidents: int, per_incident: int, agencies: int) -> str:

    from samdrift.operations.calendars import STOCKHOLM
    from samdrift.operations.models import AffectedAgency, Incident, IncidentEvent
    from samdrift.tests.factories import OrganisationFactory, ProviderFactory, ServiceFactory

    provider = ProviderFactory()
    service = ServiceFactory(code="BENCH", provider=provider, support_hours="office")
    orgs = [OrganisationFactory() for _ in range(agencies)]
    start = dt.datetime(2025, 1, 1, 8, 0, tzinfo=STOCKHOLM)
    step = dt.timedelta(days=365) / incidents
    Incident.objects.bulk_create(
        [
            Incident(
                service=service,
                provider=provider,
                title=f"Incident {n}",
                impact=2,
                urgency=2,
                priority=3,
                opened_at=start + n * step,
            )
            for n in range(incidents)
        ],
        batch_size=2000,
    )
    rows = list(Incident.objects.order_by("id").values_list("id", "opened_at"))
    affected, events = [], []
    for n, (incident_id, opened) in enumerate(rows):
        org = orgs[n % agencies]
        affected.append(
            AffectedAgency(
                incident_id=incident_id,
                organisation_id=org.id,
                via_services=["BENCH"],
                support_hours="office",
                response_status="running",
                resolution_status="running",
                computed_at=opened,
            )
        )
        kinds = ["opened", "affected", "responded"] + ["note"] * max(0, per_incident - 7)
        kinds += ["waiting", "resumed", "state", "state"]
        for k, kind in enumerate(kinds[:per_incident]):
            state = ""
            if kind == "state":
                state = "in_progress" if kinds[k - 1] != "state" else "resolved"
            events.append(
                IncidentEvent(
                    incident_id=incident_id,
                    at=opened + dt.timedelta(minutes=20 * k),
                    kind=kind,
                    organisation_id=org.id if kind in {"affected", "waiting", "resumed"} else None,
                    priority=3 if kind == "opened" else None,
                    state=state,
                )
            )
    AffectedAgency.objects.bulk_create(affected, batch_size=2000)
    IncidentEvent.objects.bulk_create(events, batch_size=5000)
    return service.code


def baseline(now: dt.datetime) -> int:
    from collections import defaultdict

    from samdrift.operations.calendars import calendar_for
    from samdrift.operations.choices import TARGETS
    from samdrift.operations.clocks import ClockEvent, replay
    from samdrift.operations.models import AffectedAgency, IncidentEvent

    by_incident: dict[int, list[ClockEvent]] = defaultdict(list)
    for incident_id, at, kind, org, priority, state, seq in IncidentEvent.objects.order_by(
        "incident_id", "at", "id"
    ).values_list("incident_id", "at", "kind", "organisation_id", "priority", "state", "id"):
        by_incident[incident_id].append(
            ClockEvent(
                at=at, kind=kind, organisation_id=org, priority=priority, state=state, seq=seq
            )
        )
    calendar = calendar_for("extended")
    count = 0
    for incident_id, org in AffectedAgency.objects.values_list("incident_id", "organisation_id"):
        if replay(
            by_incident[incident_id],
            organisation_id=org,
            calendar=calendar,
            targets=TARGETS["extended"],
            now=now,
        ):
            count += 1
    return count


def run(incidents: int, per_incident: int, agencies: int) -> None:

    from samdrift.catalogue.models import Service
    from samdrift.core.actor import SYSTEM
    from samdrift.operations import services
    from samdrift.operations.models import AffectedAgency, IncidentEvent

    t = time.perf_counter()
    code = build(incidents, per_incident, agencies)
    print(
        f"built {incidents} incidents, {IncidentEvent.objects.count()} events, "
        f"{agencies} agencies in {time.perf_counter() - t:.1f} s"
    )
    Service.objects.filter(code=code).update(support_hours="extended")  # the agreement change
    now = dt.datetime(2026, 1, 1, tzinfo=dt.UTC)
    t = time.perf_counter()
    replayed = baseline(now)
    bare = time.perf_counter() - t
    t = time.perf_counter()
    recomputed = services.recompute_service(actor=SYSTEM, service_code=code, now=now)
    real = time.perf_counter() - t
    assert recomputed == incidents
    assert replayed == incidents
    assert not AffectedAgency.objects.exclude(support_hours="extended").exists()
    print(f"bare replay loop (read + replay, no writes): {bare:.2f} s")
    print(f"recompute_service (lock, replay, write, audit): {real:.2f} s")
    ratio = real / bare
    print(f"ratio {ratio:.1f}× (floor: within 3×) — {'met' if ratio <= 3 else 'NOT met'}")


def build_availability(services: int, customers: int) -> tuple[object, list[object], list[int]]:
    import random

    from samdrift.onboarding.models import Subscription
    from samdrift.operations.calendars import STOCKHOLM
    from samdrift.operations.models import Change, Outage
    from samdrift.tests.factories import (
        MembershipFactory,
        OrganisationFactory,
        ProviderFactory,
        ServiceFactory,
    )

    rng = random.Random(16)
    provider = ProviderFactory(name="Bench provider")
    hours = ["office", "extended", "24x7"]
    catalogue = [
        ServiceFactory(code=f"AV{n:02d}", provider=provider, support_hours=hours[n % 3])
        for n in range(services)
    ]
    agencies = [OrganisationFactory(name=f"Bench agency {n:03d}") for n in range(customers)]
    subscriptions = []
    for a, agency in enumerate(agencies):
        for s, service in enumerate(catalogue):
            # One pair in seven connected mid-year, so agencies do not all share one period.
            start = dt.date(2026, 1 + (a + s) % 12, 1) if (a + s) % 7 == 0 else dt.date(2020, 1, 1)
            subscriptions.append(
                Subscription(
                    organisation=agency,
                    service=service,
                    start_date=start,
                    agreement_basis="assignment",
                )
            )
    Subscription.objects.bulk_create(subscriptions, batch_size=2000)
    year = dt.datetime(2026, 1, 1, tzinfo=STOCKHOLM)
    outages, changes = [], []
    for service in catalogue:
        for _ in range(60):
            start = year + dt.timedelta(minutes=rng.randrange(0, 365 * 24 * 60 - 600))
            outages.append(
                Outage(
                    service=service,
                    provider=provider,
                    cause="monitoring",
                    level=rng.choice(["outage", "outage", "degraded"]),
                    summary="bench",
                    started_at=start,
                    ended_at=start + dt.timedelta(minutes=rng.randrange(5, 300)),
                )
            )
        for _ in range(6):
            start = year + dt.timedelta(days=rng.randrange(0, 360), hours=22)
            changes.append(
                Change(
                    provider=provider,
                    service=service,
                    kind="normal",
                    title="bench",
                    state="approved",
                    window_start=start,
                    window_end=start + dt.timedelta(hours=4),
                )
            )
    Outage.objects.bulk_create(outages)
    Change.objects.bulk_create(changes)
    staff = MembershipFactory(organisation=provider, role="service_manager").user
    member = MembershipFactory(organisation=agencies[0], role="member").user
    return (staff, member), catalogue, [a.id for a in agencies]


def bare_availability(service_ids: list[int] | None = None) -> int:
    """Every (service, agency) pair measured with `availability.measure` in a plain loop over
    the outages and windows read in one query each; nothing cached, nothing else read."""
    from collections import defaultdict

    from samdrift.onboarding.models import Subscription
    from samdrift.operations.availability import measure
    from samdrift.operations.calendars import STOCKHOLM, calendar_for
    from samdrift.operations.models import Change, Outage

    start = dt.datetime(2026, 1, 1, tzinfo=STOCKHOLM)
    end = dt.datetime(2027, 1, 1, tzinfo=STOCKHOLM)
    down: dict[int, list] = defaultdict(list)
    windows: dict[int, list] = defaultdict(list)
    outages = Outage.objects.filter(level="outage")
    changes = Change.objects.filter(state="approved")
    subscriptions = Subscription.objects.all()
    if service_ids is not None:
        outages = outages.filter(service_id__in=service_ids)
        changes = changes.filter(service_id__in=service_ids)
        subscriptions = subscriptions.filter(service_id__in=service_ids)
    for service_id, lo, hi in outages.values_list("service_id", "started_at", "ended_at"):
        down[service_id].append((lo, hi))
    for service_id, lo, hi in changes.values_list("service_id", "window_start", "window_end"):
        windows[service_id].append((lo, hi))
    count = 0
    for service_id, hours, first in subscriptions.values_list(
        "service_id", "service__support_hours", "start_date"
    ):
        lo = max(start, dt.datetime.combine(first, dt.time(), tzinfo=STOCKHOLM))
        measure(calendar_for(hours), lo, end, outages=down[service_id],
                maintenance=windows[service_id])  # fmt: skip
        count += 1
    return count


def p95(samples: list[float]) -> float:
    ordered = sorted(samples)
    return ordered[max(0, round(0.95 * len(ordered)) - 1)]


def run_availability(services: int, customers: int, requests: int) -> None:
    from django.test import Client

    from samdrift.core.actor import SYSTEM
    from samdrift.operations import selectors
    from samdrift.operations.calendars import STOCKHOLM

    t = time.perf_counter()
    (staff, member), catalogue, agency_ids = build_availability(services, customers)
    print(
        f"availability: built {services} services × {customers} agencies, "
        f"{services * 60} outages, {services * 6} maintenance windows "
        f"in {time.perf_counter() - t:.1f} s"
    )
    now = dt.datetime(2027, 1, 1, tzinfo=STOCKHOLM)
    t = time.perf_counter()
    pairs = bare_availability()
    bare = time.perf_counter() - t
    t = time.perf_counter()
    measured = 0
    for agency_id in agency_ids:
        _agency, rows = selectors.availability_agency(
            actor=SYSTEM, agency_id=agency_id, year=2026, now=now
        )
        measured += len(rows)
    real = time.perf_counter() - t
    assert measured == pairs == services * customers, (measured, pairs)
    print(f"bare measure() loop over every service × agency ({pairs} pairs): {bare:.2f} s")
    print(f"availability_agency for every agency (same pairs): {real:.2f} s")
    print(f"ratio {real / bare:.2f}×")

    first = catalogue[0]
    bare_page = []
    for _ in range(requests):
        t = time.perf_counter()
        bare_availability([first.id])
        bare_page.append(time.perf_counter() - t)
    pages = {
        "service page (staff, 347 agencies)": (
            staff, f"/operations/availability/services/{first.code}/?year=2026"
        ),
        "agency page (member, 20 services)": (
            member, f"/operations/availability/agencies/{agency_ids[0]}/?year=2026"
        ),
    }  # fmt: skip
    print(
        f"bare computation of one service's {customers} figures: p95 {p95(bare_page) * 1000:.0f} ms"
    )
    for label, (user, url) in pages.items():
        client = Client()
        client.force_login(user)
        assert client.get(url).status_code == 200, url
        samples = []
        for _ in range(requests):
            t = time.perf_counter()
            response = client.get(url)
            samples.append(time.perf_counter() - t)
            assert response.status_code == 200
        print(
            f"{label}: p95 {p95(samples) * 1000:.0f} ms over {requests} requests, "
            f"{p95(samples) / p95(bare_page):.1f}× the bare computation"
        )


def build_major(customers: int) -> tuple[object, object, list[int]]:
    from samdrift.accounts.models import User
    from samdrift.catalogue.models import ServiceDependency
    from samdrift.onboarding.models import Subscription
    from samdrift.organisations.models import Membership
    from samdrift.tests.factories import (
        MembershipFactory,
        OrganisationFactory,
        ProviderFactory,
        ServiceFactory,
    )

    provider = ProviderFactory(name="Major provider")
    shared = ServiceFactory(code="SHARED", provider=provider, support_hours="24x7")
    app = ServiceFactory(code="ONTOP", provider=provider, support_hours="office")
    ServiceDependency.objects.create(service=app, depends_on=shared)
    agencies = [OrganisationFactory(name=f"Major agency {n:03d}") for n in range(customers)]
    Subscription.objects.bulk_create(
        [
            Subscription(
                organisation=a,
                service=shared if n % 2 else app,
                start_date=dt.date(2020, 1, 1),
                agreement_basis="assignment",
            )
            for n, a in enumerate(agencies)
        ]
    )
    contacts = User.objects.bulk_create(
        [User(username=f"major-contact-{n}", email=f"c{n}@example.se", password="!")  # noqa: S106 (unusable)
         for n in range(customers)]
    )  # fmt: skip
    Membership.objects.bulk_create(
        [
            Membership(organisation=a, user=u, role="contact")
            for a, u in zip(agencies, contacts, strict=True)
        ]
    )
    staff = MembershipFactory(organisation=provider, role="service_manager").user
    member = MembershipFactory(organisation=agencies[0], role="member").user
    return staff, member, [a.id for a in agencies]


def bare_major(agency_ids: list[int], now: dt.datetime) -> int:
    """The bare work of one incident reaching every agency: its row, and one clock row per agency
    with the replayed clocks, in one transaction."""
    from django.db import transaction

    from samdrift.catalogue.models import Service
    from samdrift.operations.calendars import calendar_for
    from samdrift.operations.choices import TARGETS
    from samdrift.operations.clocks import ClockEvent, replay
    from samdrift.operations.models import AffectedAgency, Incident

    service = Service.objects.get(code="SHARED")
    calendar = calendar_for("24x7")
    with transaction.atomic():
        incident = Incident.objects.create(
            service=service, provider_id=service.provider_id, title="bare", impact=1, urgency=1,
            priority=1, major=True, opened_at=now,
        )  # fmt: skip
        rows = []
        for org_id in agency_ids:
            events = [
                ClockEvent(at=now, kind="opened", organisation_id=None, priority=1, state="", seq=1),
                ClockEvent(at=now, kind="affected", organisation_id=org_id, priority=None,
                           state="", seq=2),
            ]  # fmt: skip
            clocks = replay(events, organisation_id=org_id, calendar=calendar,
                            targets=TARGETS["24x7"], now=now)  # fmt: skip
            rows.append(
                AffectedAgency(
                    incident=incident, organisation_id=org_id, via_services=["SHARED"],
                    support_hours="24x7", response_status=clocks.response.status,
                    response_target=clocks.response.target, response_due_at=clocks.response.due_at,
                    resolution_status=clocks.resolution.status,
                    resolution_target=clocks.resolution.target,
                    resolution_due_at=clocks.resolution.due_at, computed_at=now,
                )
            )  # fmt: skip
        AffectedAgency.objects.bulk_create(rows, batch_size=500)
        transaction.set_rollback(True)  # measured, not kept
    return len(rows)


def run_major(customers: int, requests: int) -> None:
    from django.db import connection
    from django.test import Client

    from samdrift.core.actor import SYSTEM
    from samdrift.operations import services
    from samdrift.operations.models import AffectedAgency, Incident, IncidentEvent

    t = time.perf_counter()
    staff, member, agency_ids = build_major(customers)
    print(f"major: built 2 services, {customers} agencies with a contact each "
          f"in {time.perf_counter() - t:.1f} s")  # fmt: skip
    now = dt.datetime.now(dt.UTC)
    bare_runs, real_runs = [], []
    for round_ in range(3):
        t = time.perf_counter()
        assert bare_major(agency_ids, now) == customers
        bare_runs.append(time.perf_counter() - t)
        t = time.perf_counter()
        incident = services.incident_open(
            actor=SYSTEM, service_code="SHARED", title=f"Major {round_}", impact=1, urgency=1,
            major=True, now=now,
        )  # fmt: skip
        real_runs.append(time.perf_counter() - t)
        assert AffectedAgency.objects.filter(incident=incident).count() == customers
    bare, real = min(bare_runs), min(real_runs)
    print(f"bare: incident + {customers} clock rows, replayed, one transaction: "
          f"{bare * 1000:.0f} ms (best of 3)")  # fmt: skip
    print(f"incident_open(major) reaching {customers} agencies (events, clocks, "
          f"{customers} notices, audit): {real * 1000:.0f} ms (best of 3), {real / bare:.1f}×")  # fmt: skip

    def bare_page(org_id: int | None) -> None:
        list(Incident.objects.filter(id=incident.id).select_related("service", "provider"))
        clocks = AffectedAgency.objects.filter(incident=incident).select_related("organisation")
        events = IncidentEvent.objects.filter(incident=incident)
        if org_id is not None:
            clocks = clocks.filter(organisation_id=org_id)
            events = events.filter(organisation_id__isnull=True) | events.filter(
                organisation_id=org_id
            )
        list(clocks)
        list(events.select_related("organisation"))

    url = f"/operations/incidents/{incident.id}/"
    for label, user, org_id in (
        ("agency member (its own clock)", member, agency_ids[0]),
        (f"provider staff ({customers} clocks)", staff, None),
    ):
        bare_samples = []
        for _ in range(requests):
            t = time.perf_counter()
            bare_page(org_id)
            bare_samples.append(time.perf_counter() - t)
        client = Client()
        client.force_login(user)
        assert client.get(url).status_code == 200
        samples = []
        for _ in range(requests):
            t = time.perf_counter()
            response = client.get(url)
            samples.append(time.perf_counter() - t)
            assert response.status_code == 200
        print(
            f"incident page, {label}: p95 {p95(samples) * 1000:.1f} ms over {requests} "
            f"requests; bare reads p95 {p95(bare_samples) * 1000:.1f} ms "
            f"({p95(samples) / p95(bare_samples):.1f}×)"
        )
    connection.close()


if __name__ == "__main__":
    main()
