"""The demo hook on the real demo foundation."""

from __future__ import annotations

from io import StringIO

import pytest

from samdrift.demo.foundation import load_foundation
from samdrift.operations import demo
from samdrift.operations.models import AffectedAgency, Change, Incident, Problem

pytestmark = pytest.mark.django_db


def test_the_demo_has_incidents_with_clocks_per_agency():
    load_foundation()
    demo.load(stdout=StringIO())
    assert Incident.objects.count() == 3
    major = Incident.objects.get(major=True)
    assert AffectedAgency.objects.filter(incident=major).count() >= 1
    assert Problem.objects.get().state == "known_error"
    assert Change.objects.get().state == "approved"
    assert AffectedAgency.objects.filter(resolution_status="paused").exists()
    demo.load(stdout=StringIO())  # idempotent
    assert Incident.objects.count() == 3
