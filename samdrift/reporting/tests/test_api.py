from __future__ import annotations

import json

import pytest

from samdrift.reporting.models import ReportText

pytestmark = pytest.mark.django_db

BASE = "/api/v1/reporting/government"


def test_report_as_json(world, provider_admin, client_for):
    response = client_for(provider_admin).get(f"{BASE}/2021")
    assert response.status_code == 200
    body = response.json()
    assert body["year"] == 2021 and body["language"] == "sv"
    assert body["cases_total"] == 3
    efos = next(s for s in body["services"] if s["service"] == "EFOS")
    assert (efos["requested"], efos["connected"], efos["connected_legal"], efos["umbrellas"]) == (
        3,
        1,
        3,
        ["Domstolsverket"],
    )
    assert body["efos"]["planned"] == ["Sjöfartsverket"]
    assert body["economy_included"] is False
    assert [i["value"] is None for i in body["indicators"]] == [
        False,
        True,
        True,
        True,
        True,
        True,
        True,
    ]


def test_pdf_endpoint(world, provider_admin, client_for):
    response = client_for(provider_admin).get(f"{BASE}/2021/pdf?lang=en")
    assert response.status_code == 200 and response.content.startswith(b"%PDF-")


def test_text_roundtrip_and_stale_version(world, provider_admin, client_for):
    client = client_for(provider_admin)
    assert client.get(f"{BASE}/2021/text").json()["version"] is None
    payload = {"summary_sv": "Sammanfattning.", "background_sv": "Bakgrund."}
    response = client.put(f"{BASE}/2021/text", json.dumps(payload), content_type="application/json")
    assert response.status_code == 200 and response.json()["version"] == 1
    stale = client.put(
        f"{BASE}/2021/text", json.dumps({**payload, "version": 7}), content_type="application/json"
    )
    assert stale.status_code == 409
    assert stale.json()["message_sv"] and stale.json()["message_en"]
    assert ReportText.objects.get(year=2021).version == 1


def test_bad_input_gives_422_in_both_languages_and_writes_nothing(provider_admin, client_for):
    client = client_for(provider_admin)
    response = client.put(
        f"{BASE}/2021/text",
        json.dumps({"summary_sv": "x" * 20_001}),
        content_type="application/json",
    )
    assert response.status_code == 422
    body = response.json()
    assert "summary_sv" in body["errors"] and body["message_sv"] and body["message_en"]
    year = client.get(f"{BASE}/1999")
    # The range is in the schema: ninja's bilingual 422 names the parameter and the bound.
    assert year.status_code == 422 and "2017" in str(year.json()["errors"])
    assert not ReportText.objects.exists()


@pytest.mark.parametrize("body", ["[null, null]", "[]", '"text"', "3"])
def test_a_body_that_is_not_an_object_is_refused(provider_admin, client_for, body):
    response = client_for(provider_admin).put(
        f"{BASE}/2021/text", body, content_type="application/json"
    )
    assert response.status_code == 422, response.content
    assert not ReportText.objects.exists()


@pytest.mark.parametrize("fixture_name", ["agency_contact", "other_agency_contact"])
def test_customers_get_404_everywhere_and_write_nothing(world, request, client_for, fixture_name):
    client = client_for(request.getfixturevalue(fixture_name))
    for url in (f"{BASE}/2021", f"{BASE}/2021/pdf", f"{BASE}/2021/text"):
        assert client.get(url).status_code == 404
    response = client.put(
        f"{BASE}/2021/text", json.dumps({"summary_sv": "Kapad"}), content_type="application/json"
    )
    assert response.status_code == 404
    assert not ReportText.objects.exists()


def test_account_manager_may_read_but_not_write(world, account_manager, client_for):
    client = client_for(account_manager)
    assert client.get(f"{BASE}/2021").status_code == 200
    response = client.put(
        f"{BASE}/2021/text", json.dumps({"summary_sv": "x"}), content_type="application/json"
    )
    assert response.status_code == 403
    assert not ReportText.objects.exists()


def test_anonymous_is_401(client_for):
    assert client_for().get(f"{BASE}/2021").status_code == 401
