"""The operations API over real HTTP handling (Django's test client, session login): an agency
reports on its own service, reads only its own clock, and a refusal is the bilingual body."""

from __future__ import annotations

import pytest
from django.test import Client

from samdrift.operations.models import Incident


def client_for(ops, name: str) -> Client:
    client = Client()
    client.force_login(ops.users[name])
    return client


def test_report_read_and_refuse(ops):
    a = client_for(ops, "a_member")
    answer = a.post(
        "/api/v1/operations/incidents",
        {
            "service": "APP",
            "title": "APP svarar inte",
            "impact": 2,
            "urgency": 1,
            "organisation_id": ops.a.id,
        },
        content_type="application/json",
    )
    assert answer.status_code == 201, answer.content
    body = answer.json()
    assert body["priority"] == 2 and body["service"] == "APP"
    assert [c["organisation_id"] for c in body["clocks"]] == [ops.a.id]
    assert body["abilities"]["view"] and not body["abilities"]["work"]

    refused = a.post(
        "/api/v1/operations/incidents",
        {"service": "BASE", "title": "x", "impact": 2, "urgency": 1, "organisation_id": ops.a.id},
        content_type="application/json",
    )
    assert refused.status_code == 409
    error = refused.json()
    assert error["code"] == "no_subscription"
    assert "ingen aktiv anslutning" in error["message_sv"]
    assert "no active subscription" in error["message_en"]
    assert Incident.objects.count() == 1

    listed = a.get("/api/v1/operations/incidents").json()
    assert listed["count"] == 1 and listed["items"][0]["id"] == body["id"]
    # Another agency's people: as if it did not exist.
    c = client_for(ops, "c_member")
    assert c.get(f"/api/v1/operations/incidents/{body['id']}").status_code == 404
    assert c.get("/api/v1/operations/incidents").json()["count"] == 0

    operator = client_for(ops, "operator")
    moved = operator.post(
        f"/api/v1/operations/incidents/{body['id']}/transition",
        {"state": "in_progress"},
        content_type="application/json",
    )
    assert moved.status_code == 200
    assert moved.json()["clocks"][0]["response_status"] == "met"


def test_the_cli_lists_clocks_and_holidays(ops):
    import io

    from django.core.management import call_command
    from django.core.management.base import CommandError

    client_for(ops, "operator").post(
        "/api/v1/operations/incidents",
        {"service": "BASE", "title": "Nere", "impact": 1, "urgency": 1},
        content_type="application/json",
    )
    out = io.StringIO()
    call_command("operations", "incidents", stdout=out)
    incident_id = int(out.getvalue().split("\t")[0])
    out = io.StringIO()
    call_command("operations", "clocks", str(incident_id), stdout=out)
    assert "Myndighet A\toffice" in out.getvalue() and "Myndighet B\t24x7" in out.getvalue()
    out = io.StringIO()
    call_command("operations", "holidays", "2026", stdout=out)
    assert "2026-06-19\tMidsommarafton" in out.getvalue()
    out = io.StringIO()
    call_command("operations", "recompute", "APP", stdout=out)
    assert out.getvalue().strip() == "1"
    with pytest.raises(CommandError, match="Not found"):
        call_command("operations", "clocks", "987654")
