"""The Program 2032 demo on the real demo foundation: six sites, every running service placed,
and the check and the loss finding what the demo leaves for them."""

from __future__ import annotations

from io import StringIO

import pytest

from samdrift.continuity import demo, selectors
from samdrift.continuity.models import Placement, Site
from samdrift.core.actor import SYSTEM
from samdrift.demo.foundation import load_foundation

pytestmark = pytest.mark.django_db


def test_the_demo_places_every_running_service_and_leaves_findings():
    load_foundation()
    out = StringIO()
    demo.load(stdout=out)
    assert Site.objects.count() == 6
    assert sorted(Site.objects.values_list("region", flat=True)) == sorted(
        ["nord", "mitt", "stockholm", "ost", "vast", "syd"]
    )
    running = selectors.own_services(actor=SYSTEM)
    assert {p.service_id for p in Placement.objects.all()} == {s.id for s in running}
    assert Placement.objects.filter(role="primary").count() == len(running)
    assert f"6 sites, {2 * len(running) - 1} placements" in out.getvalue()
    single = [s.code for s in running if Placement.objects.filter(service_id=s.id).count() == 1]
    assert len(single) == 1
    found = {v.service.code: v for v in selectors.check(actor=SYSTEM)}
    assert list(found) == single  # its customers include preparedness agencies
    assert found[single[0]].policy.source == "preparedness"
    loss = selectors.lose_site(actor=SYSTEM, site_code="SKV-STHLM")
    assert loss.loss.rto_missed  # every fourth service has a cold standby (primary SKV-STHLM)
    assert loss.agencies
    demo.load(stdout=StringIO())  # idempotent
    assert Site.objects.count() == 6
