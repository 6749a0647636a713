"""The demo hook on the real demo foundation."""

from __future__ import annotations

from io import StringIO

import pytest

from samdrift.demo.foundation import load_foundation
from samdrift.operations import demo
from samdrift.operations.models import (
    AffectedAgency,
    CapacityMetric,
    Change,
    Incident,
    IncidentParty,
    LegalReport,
    Problem,
    ResponsibilityMatrix,
)

pytestmark = pytest.mark.django_db


def test_the_demo_has_incidents_with_clocks_per_agency():
    load_foundation()
    demo.load(stdout=StringIO())
    # Three incidents, and a fourth on application operations routed by the Covidbevis matrix.
    assert Incident.objects.count() == 4
    major = Incident.objects.get(major=True)
    assert major.regimes == ["cert-se"] and LegalReport.objects.get().code == "first"
    versions = ResponsibilityMatrix.objects.order_by("version")
    assert [m.published_at is not None for m in versions] == [False, True]
    routed = Incident.objects.get(service__code="APPDRIFT")
    assert set(IncidentParty.objects.filter(incident=routed).values_list("role", flat=True)) == {
        "R",
        "A",
    }
    assert CapacityMetric.objects.get().samples.count() == 700
    assert AffectedAgency.objects.filter(incident=major).count() >= 1
    assert Problem.objects.get().state == "known_error"
    assert Change.objects.get().state == "approved"
    assert AffectedAgency.objects.filter(resolution_status="paused").exists()
    demo.load(stdout=StringIO())  # idempotent
    assert Incident.objects.count() == 4
