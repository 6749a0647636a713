"""Clock alerts (ADR 0849): the provider's operators are told once when an agency's clock
reaches its warning (75 %) and once when it is breached; other providers' staff, the agencies
and closed incidents are not."""

from __future__ import annotations

import datetime as dt

from samdrift.core.notifications.models import Notification
from samdrift.operations import services
from samdrift.operations.models import AffectedAgency

from .conftest import MONDAY


def told(kind: str) -> set[str]:
    return set(Notification.objects.filter(kind=kind).values_list("recipient__username", flat=True))


def test_each_level_is_told_once_to_the_providers_operators(ops):
    incident = services.incident_open(
        actor=ops.actor("second_admin"), service_code="OWN", title="Nere", impact=3, urgency=3,
        now=MONDAY,
    )  # fmt: skip
    services.incident_transition(actor=ops.actor("second_admin"), incident_id=incident.id,
                                 target="resolved", now=MONDAY)  # fmt: skip
    incident = services.incident_open(
        actor=ops.actor("operator"), service_code="BASE", title="Nere", impact=1, urgency=1,
        now=MONDAY,
    )  # fmt: skip
    b = AffectedAgency.objects.get(incident=incident, organisation=ops.b)  # around the clock
    target = b.response_target
    assert services.alert_clocks(now=MONDAY + dt.timedelta(seconds=60)) == {
        "warning": 0, "breached": 0,
    }  # fmt: skip
    at_80 = MONDAY + dt.timedelta(seconds=int(target * 0.8))
    got = services.alert_clocks(now=at_80)
    assert got["warning"] >= 1 and got["breached"] == 0
    assert told("clock_warning") == {"operator"}  # not finance, not the agencies, not SITSSAM
    body = Notification.objects.filter(kind="clock_warning").first().body
    assert "Myndighet B" in body
    assert services.alert_clocks(now=at_80) == {"warning": 0, "breached": 0}  # once
    later = MONDAY + dt.timedelta(days=30)
    got = services.alert_clocks(now=later)
    assert got["breached"] >= 2  # B's response and resolution (and A's, office hours)
    assert told("clock_breached") == {"operator"}
    assert services.alert_clocks(now=later + dt.timedelta(days=1)) == {"warning": 0, "breached": 0}
    b.refresh_from_db()
    assert (b.response_alerted, b.resolution_alerted) == ("breached", "breached")
