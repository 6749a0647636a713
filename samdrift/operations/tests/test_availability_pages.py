"""The availability pages and API through Django's test client: an operator records an outage
(and a bad one is refused in both languages, storing nothing), the service page shows the
figure, the target and the chart with its text alternative, an agency sees its own figures and
not another agency's."""

from __future__ import annotations

from django.test import Client

from samdrift.operations.models import Outage


def client_for(ops, name: str, language: str = "en") -> Client:
    client = Client()
    client.cookies["django_language"] = language
    client.force_login(ops.users[name])
    return client


def test_record_show_and_refuse_on_pages(ops):
    operator = client_for(ops, "operator")
    form = {
        "service_code": "APP",
        "summary": "Inloggningen nere",
        "level": "outage",
        "started_at": "2026-03-03T10:00",
        "ended_at": "2026-03-03T12:00",
    }
    done = operator.post("/operations/outages/new/", form)
    assert done.status_code == 302 and done["Location"] == "/operations/availability/services/APP/"
    assert Outage.objects.count() == 1
    bad = operator.post("/operations/outages/new/", {**form, "ended_at": "2026-03-03T09:00"})
    assert bad.status_code == 302 and Outage.objects.count() == 1
    page = operator.get("/operations/availability/services/APP/?year=2026")
    text = page.content.decode()
    assert page.status_code == 200
    assert "The outage must end after it starts (2026-03-03 10:00 – 2026-03-03 09:00)." in text
    assert "Inloggningen nere" in text and "Myndighet A" in text  # per agency, staff only
    assert 'role="img"' in text and "<title" in text and "Agreed target" in text
    sv = client_for(ops, "operator", "sv").post(
        "/operations/outages/new/", {**form, "service_code": "OWN"}, follow=True
    )
    assert "Det finns ingen tjänst med koden “OWN” som ni driver." in sv.content.decode()
    assert Outage.objects.count() == 1


def test_agency_pages_show_only_its_own(ops):
    Outage.objects.create(
        service=ops.base,
        provider=ops.fk,
        cause="manual",
        summary="Basen nere",
        started_at="2026-03-03T10:00+01:00",
        ended_at="2026-03-03T11:00+01:00",
    )
    a = client_for(ops, "a_member", "sv")
    overview = a.get("/operations/availability/?year=2026").content.decode()
    assert "APP" in overview and "BASE" not in overview
    assert "Tillgänglighet under avtalad tid" in overview
    own = a.get(f"/operations/availability/agencies/{ops.a.id}/?year=2026")
    assert own.status_code == 200 and "Myndighet A" in own.content.decode()
    assert a.get(f"/operations/availability/agencies/{ops.b.id}/").status_code == 404
    assert a.get("/operations/availability/services/BASE/").status_code == 404
    service = a.get("/operations/availability/services/APP/").content.decode()
    assert "Myndighet B" not in service and "Basen nere" not in service
    outage = Outage.objects.get()
    assert a.post(f"/operations/outages/{outage.id}/end/").status_code == 404
    outage.refresh_from_db()
    assert outage.ended_at is not None  # unchanged


def test_api_record_end_and_read(ops):
    operator = client_for(ops, "operator")
    body = {"service": "APP", "summary": "Nere", "started_at": "2026-03-03T10:00"}
    created = operator.post("/api/v1/operations/outages", body, content_type="application/json")
    assert created.status_code == 201, created.content
    outage_id = created.json()["id"]
    refused = operator.post(
        f"/api/v1/operations/outages/{outage_id}/end",
        {"ended_at": "2026-03-03T09:00"},
        content_type="application/json",
    )
    assert refused.status_code == 422
    assert "The outage must end after it starts" in refused.content.decode()
    ended = operator.post(
        f"/api/v1/operations/outages/{outage_id}/end",
        {"ended_at": "2026-03-03T12:00"},
        content_type="application/json",
    )
    assert ended.status_code == 200 and ended.json()["ended_at"].startswith("2026-03-03T12:00")
    unknown = client_for(ops, "operator", "sv").post(
        "/api/v1/operations/outages", {**body, "service": "NOPE"}, content_type="application/json"
    )
    assert unknown.status_code == 422 and "Det finns ingen tjänst" in unknown.json()["message"]
    assert Outage.objects.count() == 1
    service = operator.get("/api/v1/operations/availability/services/APP?year=2026").json()
    assert service["down_seconds"] == 2 * 3600 and service["target"] > 0
    assert [row["name"] for row in service["per_agency"]] == ["Myndighet A"]
    a = client_for(ops, "a_member")
    mine = a.get(f"/api/v1/operations/availability/agencies/{ops.a.id}?year=2026").json()
    assert [row["service"] for row in mine["services"]] == ["APP"]
    assert a.get(f"/api/v1/operations/availability/agencies/{ops.b.id}").status_code == 404
    assert a.get("/api/v1/operations/availability/services/APP").json()["per_agency"] == []
    assert [r["service"] for r in a.get("/api/v1/operations/availability").json()["items"]] == [
        "APP"
    ]
