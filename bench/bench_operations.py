"""Operations (issue 16, Measure): recomputing every clock of a year of incidents after an
agreement change, against a bare replay loop over the same events in the same run.

    python bench/bench_operations.py [--incidents 10000] [--events 20] [--agencies 50]

**recompute**: `services.recompute_service` after a service's support hours change — per
incident one transaction: lock, read events and affected agencies, replay each agency, one bulk
update, one audit record. **baseline**: the same events read in one query and `clocks.replay`
run for every affected agency in a plain loop, nothing written. Floor in the issue: within 3×.

Not built yet (left for later, see docs/domains/operations.md): the 347-agency major incident
and the availability-for-every-service-×-agency parts of the Measure section.

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
    options = parser.parse_args()
    with tempfile.TemporaryDirectory(prefix="bench-operations-") as folder:
        os.environ["SAMDRIFT_DATA_DIR"] = folder
        os.environ["DJANGO_SETTINGS_MODULE"] = "config.settings.dev"
        sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
        import django

        django.setup()
        from django.core.management import call_command

        call_command("migrate", verbosity=0)
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


if __name__ == "__main__":
    main()
