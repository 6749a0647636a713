"""Statskontoret's indicators 1 and 2 in the demand command and the report (issue 10 item 6), and
the command's JSON naming its services as the API does (item 9); ADRs 0511 and 0512."""

from __future__ import annotations

import io
import json
from decimal import Decimal

import pytest
from django.core.management import call_command

from samdrift.accounts.selectors import actor_for_user
from samdrift.organisations.models import Organisation
from samdrift.reporting.documents import render_document_html
from samdrift.reporting.selectors import government_report

pytestmark = pytest.mark.django_db


def _demand(*args: str) -> dict:
    out = io.StringIO()
    call_command("report", "demand", "--year", "2021", "--format", "json", *args, stdout=out)
    return json.loads(out.getvalue())


@pytest.fixture
def ready(world):
    """Domstolsverket (the umbrella, EFOS on the assignment) and the agency (EFOS on a separate
    commitment, ITARB on the assignment) are preparedness agencies; a court is not."""
    Organisation.objects.filter(pk__in=[world.umbrella.pk, world.agency.pk]).update(
        preparedness=True
    )
    return world


def test_demand_json_names_every_service_as_the_api_does(world, provider_admin, client_for):
    document = _demand()
    api = client_for(provider_admin).get("/api/v1/reports/demand?year=2021").json()
    assert [r["service_code"] for r in document["rows"]] == [r["service_code"] for r in api["rows"]]
    for mine, theirs in zip(document["rows"], api["rows"], strict=True):
        assert {key: mine[key] for key in theirs} == theirs  # every API field, the same value
    itarb = next(r for r in document["rows"] if r["service_code"] == "ITARB")
    assert (itarb["name_sv"], itarb["name_en"]) == ("IT-arbetsplats", "IT workplace")
    assert document["legal_agency_total"] == api["legal_agency_total"]


def test_demand_gives_coverage_of_all_and_of_preparedness_agencies(ready):
    document = _demand()
    assert document["preparedness_agency_total"] == 2
    efos = next(r for r in document["rows"] if r["service_code"] == "EFOS")
    # Assignment only: Domstolsverket is connected (its courts are not preparedness agencies).
    assert (efos["preparedness_connected"], efos["preparedness_pct"]) == (1, 50.0)
    assert efos["coverage_pct"] == float(
        (Decimal(100 * 3) / document["legal_agency_total"]).quantize(Decimal("0.1"))
    )
    every_basis = next(r for r in _demand("--basis", "all")["rows"] if r["service_code"] == "EFOS")
    assert (every_basis["preparedness_connected"], every_basis["preparedness_pct"]) == (2, 100.0)
    table = io.StringIO()
    call_command("report", "demand", "--year", "2021", stdout=table)
    assert "2 preparedness agencies" in table.getvalue()


def test_a_connected_umbrella_covers_the_preparedness_agencies_below_it(ready):
    court = ready.courts[0]
    Organisation.objects.filter(pk=court.pk).update(preparedness=True)
    efos = next(r for r in _demand()["rows"] if r["service_code"] == "EFOS")
    assert (efos["preparedness_connected"], efos["preparedness_pct"]) == (2, 66.7)


def test_the_report_gives_indicator_2_instead_of_no_data(ready, provider_admin):
    report = government_report(actor=actor_for_user(provider_admin), year=2021)
    second = {i.number: i for i in report.indicators}[2]
    assert second.value is not None and second.total == 2
    efos = next(
        c for c in {i.number: i for i in report.indicators}[1].coverage if c.service.code == "EFOS"
    )
    # Every basis: Domstolsverket (assignment) and the agency (separate) of 2.
    assert (efos.preparedness_connected, efos.preparedness_pct) == (2, Decimal("100.0"))
    html = render_document_html(report)
    row = html[html.index("Andel beredskapsmyndigheter som är anslutna") :]
    row = row[: row.index("</tr>")]
    assert "no-data" not in row and "2 beredskapsmyndigheter" in row
    assert "Tabell 6. Indikator 1 och 2" in html
