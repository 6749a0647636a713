"""Working incidents, problems and changes on the pages (ADR 0848): every action goes through
the same services as the API, a refusal is the page's message and changes nothing, and the
provider's work stays the provider's."""

from __future__ import annotations

import pytest
from django.test import Client

from samdrift.operations import services
from samdrift.operations.models import Change, Incident, IncidentEvent, Problem

from .conftest import MONDAY


def client_for(ops, name: str) -> Client:
    client = Client()
    client.force_login(ops.users[name])
    return client


@pytest.fixture
def incident(ops) -> Incident:
    return services.incident_open(
        actor=ops.actor("operator"), service_code="BASE", title="Nere", impact=2, urgency=2,
        now=MONDAY,
    )  # fmt: skip


def kinds(incident) -> list[str]:
    return list(IncidentEvent.objects.filter(incident=incident).values_list("kind", flat=True))


def test_an_operator_works_the_incident_from_its_page(ops, incident):
    operator = client_for(ops, "operator")
    base = f"/operations/incidents/{incident.id}"
    page = operator.get(f"{base}/").content.decode()
    for action in ("respond", "note", "priority", "wait", "major", "parent", "problem"):
        assert f"{base}/{action}/" in page, action
    assert operator.post(f"{base}/respond/", {"message": "Vi tittar"}).status_code == 302
    assert operator.post(f"{base}/note/", {"text": "Loggar hämtade"}).status_code == 302
    assert operator.post(f"{base}/priority/", {"impact": 1, "urgency": 1}).status_code == 302
    waiting = {"organisation": ops.a.id, "waiting": "1", "reason": "Väntar på logg"}
    assert operator.post(f"{base}/wait/", waiting).status_code == 302
    assert operator.post(f"{base}/major/", {"major": "1"}).status_code == 302
    incident.refresh_from_db()
    assert incident.priority == 1 and incident.major
    assert {"responded", "note", "priority", "waiting", "major"} <= set(kinds(incident))

    # Refusals come back as the page's message and change nothing.
    before = len(kinds(incident))
    again = operator.post(f"{base}/wait/", waiting, follow=True)
    assert "redan pausade" in again.content.decode()
    no_reason = operator.post(
        f"{base}/wait/", {"organisation": ops.b.id, "waiting": "1"}, follow=True
    )
    assert no_reason.status_code == 200
    own_parent = operator.post(f"{base}/parent/", {"parent": incident.id}, follow=True)
    assert "egen" in own_parent.content.decode()
    assert len(kinds(incident)) == before


def test_a_customer_adds_a_note_and_nothing_else(ops, incident):
    member = client_for(ops, "a_member")
    base = f"/operations/incidents/{incident.id}"
    page = member.get(f"{base}/").content.decode()
    assert f"{base}/note/" in page and f"{base}/priority/" not in page
    assert member.post(f"{base}/note/", {"text": "Vi ser samma fel"}).status_code == 302
    member.post(f"{base}/priority/", {"impact": 3, "urgency": 3})
    member.post(f"{base}/major/", {"major": "1"})
    incident.refresh_from_db()
    assert incident.priority == 3 and not incident.major  # as opened
    outsider = client_for(ops, "c_member")
    assert outsider.post(f"{base}/note/", {"text": "x"}).status_code == 404


def test_problem_pages(ops, incident):
    operator = client_for(ops, "operator")
    assert (
        operator.post("/operations/problems/", {"service": "BASE", "title": ""}).status_code == 422
    )
    made = operator.post("/operations/problems/", {"service": "BASE", "title": "Certifikat"})
    problem = Problem.objects.get()
    assert made.status_code == 302 and made["Location"].endswith(f"/problems/{problem.pk}/")
    half = operator.post(f"/operations/problems/{problem.pk}/known-error/", {"root_cause": "x"})
    assert half.status_code == 302
    problem.refresh_from_db()
    assert problem.state == "open"
    operator.post(
        f"/operations/problems/{problem.pk}/known-error/",
        {"root_cause": "Utgånget certifikat", "workaround": "Starta om"},
    )
    problem.refresh_from_db()
    assert problem.state == "known_error"
    operator.post(f"/operations/incidents/{incident.id}/problem/", {"problem": problem.pk})
    incident.refresh_from_db()
    assert incident.problem_id == problem.pk
    # The customer sees the workaround on the incident, not the problem page.
    member = client_for(ops, "a_member")
    assert "Starta om" in member.get(f"/operations/incidents/{incident.id}/").content.decode()
    assert member.get(f"/operations/problems/{problem.pk}/").status_code == 404
    assert (
        client_for(ops, "second_admin").get(f"/operations/problems/{problem.pk}/").status_code
        == 404
    )
    detail = operator.get(f"/operations/problems/{problem.pk}/").content.decode()
    assert f"INC{incident.id}" in detail


def test_change_pages(ops):
    operator = client_for(ops, "operator")
    form = {"service": "BASE", "kind": "normal", "title": "Uppgradering",
            "window_start": "2030-01-01T22:00", "window_end": "2030-01-01T21:00"}  # fmt: skip
    refused = operator.post("/operations/changes/", form)
    assert refused.status_code == 422 and Change.objects.count() == 0
    made = operator.post("/operations/changes/", {**form, "window_end": "2030-01-02T01:00"})
    change = Change.objects.get()
    assert made.status_code == 302 and change.state == "draft"
    operator.post(f"/operations/changes/{change.pk}/transition/", {"state": "awaiting_approval"})
    operator.post(f"/operations/changes/{change.pk}/transition/", {"state": "approved"})
    change.refresh_from_db()
    assert change.state == "awaiting_approval"  # a service manager does not approve
    admin_client = client_for(ops, "operator")
    moved = admin_client.post(
        f"/operations/changes/{change.pk}/reschedule/",
        {"window_start": "2030-01-03T22:00", "window_end": "2030-01-04T01:00"},
    )
    assert moved.status_code == 302
    change.refresh_from_db()
    assert change.window_start.day == 3
    # An agency sees no change awaiting approval.
    assert client_for(ops, "a_member").get(f"/operations/changes/{change.pk}/").status_code == 404


def test_the_api_works_incidents_problems_and_changes(ops, incident):
    api = client_for(ops, "operator")
    url = f"/api/v1/operations/incidents/{incident.id}"

    def post(path, body):
        return api.post(path, body, content_type="application/json")

    assert post(f"{url}/respond", ["not", "an", "object"]).status_code == 422
    assert post(f"{url}/parent", []).status_code == 422
    assert post(f"{url}/respond", {"message": "Vi tittar"}).status_code == 200
    body = post(f"{url}/priority", {"impact": 1, "urgency": 2}).json()
    assert body["priority"] == 2
    assert post(f"{url}/wait", {"organisation_id": ops.a.id, "waiting": True}).status_code == 422
    assert (
        post(
            f"{url}/wait", {"organisation_id": ops.a.id, "waiting": True, "reason": "Logg"}
        ).status_code
        == 200
    )
    assert post(f"{url}/major", {"major": True}).json()["major"] is True
    made = post("/api/v1/operations/problems", {"service": "BASE", "title": "Certifikat"})
    assert made.status_code == 201
    problem_id = made.json()["id"]
    half = post(
        f"/api/v1/operations/problems/{problem_id}/known-error",
        {"root_cause": "x", "workaround": " "},
    )
    assert half.status_code == 422
    known = post(f"/api/v1/operations/problems/{problem_id}/known-error",
                 {"root_cause": "Utgånget", "workaround": "Starta om"}).json()  # fmt: skip
    assert known["state"] == "known_error"
    assert post(f"{url}/problem", {"problem_id": problem_id}).json()["problem_id"] == problem_id
    assert api.get(f"/api/v1/operations/problems/{problem_id}").json()["incidents"] == [incident.id]
    change = post("/api/v1/operations/changes", {"service": "BASE", "kind": "emergency", "title": "Fix",
                  "window_start": "2030-01-01T22:00", "window_end": "2030-01-01T21:00"})  # fmt: skip
    assert change.status_code == 422 and Change.objects.count() == 0
    change = post("/api/v1/operations/changes", {"service": "BASE", "kind": "standard", "title": "Fix",
                  "window_start": "2030-01-01T22:00", "window_end": "2030-01-01T23:00"}).json()  # fmt: skip
    assert change["state"] == "approved"
    moved = post(f"/api/v1/operations/changes/{change['id']}/reschedule",
                 {"window_start": "2030-01-02T22:00", "window_end": "2030-01-02T23:00"})  # fmt: skip
    assert moved.status_code == 200
    member = client_for(ops, "a_member")
    assert member.get(f"/api/v1/operations/problems/{problem_id}").status_code == 404
    seen = member.get(f"/api/v1/operations/changes/{change['id']}").json()
    assert seen["state"] == "approved" and seen["fallback"] == "" and not seen["abilities"]["work"]
