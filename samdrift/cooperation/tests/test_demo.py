"""The DSAM demo: SAFOS evaluated honestly (out on the skall requirements samdrift has not
built or not shown in full), through the real services, published, and loaded once."""

from __future__ import annotations

import io

import pytest

from samdrift.accounts.selectors import actor_for_user
from samdrift.cooperation import demo, selectors
from samdrift.cooperation.models import Assessment, Catalogue, SteeringDecision
from samdrift.organisations.models import Organisation

pytestmark = pytest.mark.django_db


def test_the_demo_evaluation(provider, agency_contact):
    demo.load(stdout=io.StringIO())
    customer = actor_for_user(agency_contact)  # published: everyone logged in reads it
    table = selectors.comparison(actor=customer, code="DSAM-2021-1")
    assert table.areas() == [
        "Videomöten", "Dokumentlagring", "Webbinarier och strömning", "Beständiga chattrum",
        "Kanban", "Whiteboard", "Säker åtkomst",
    ]  # fmt: skip
    results = {r.name: r for r in table.results}
    assert table.results[0].name == "Lösning A (öppen källkod, myndighetsdriven)"
    safos = results[demo.SAFOS]
    assert [f.ref for f in safos.failed] == ["VID-1", "WEB-1", "CHT-1"]
    assert [f.ref for f in results["Lösning B (molntjänst)"].failed] == ["SÄK-2"]
    assert results["Lösning A (öppen källkod, myndighetsdriven)"].passed
    assert (
        Assessment.objects.get(solution__name=demo.SAFOS, requirement__ref="DOK-1").verdict == "met"
    )
    recording = Assessment.objects.get(solution__name=demo.SAFOS, requirement__ref="WEB-2")
    assert recording.verdict == "not_met" and "inspelning" in recording.evidence
    again = io.StringIO()
    demo.load(stdout=again)
    assert "already there" in again.getvalue()
    assert Catalogue.objects.count() == 1
    # two illustrative steering group decisions, recorded once, SITSSAM's binding every provider
    sitssam = SteeringDecision.objects.get(body="sitssam")
    assert set(sitssam.providers.all()) == set(Organisation.objects.filter(kind="provider"))
    assert SteeringDecision.objects.count() == 2
