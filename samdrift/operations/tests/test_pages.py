"""The operations pages through Django's test client: a report form that refuses a service the
agency does not use with the clear message and writes nothing, the detail with only the agency's
own clock, and another agency's incident as a 404."""

from __future__ import annotations

from django.test import Client

from samdrift.operations.models import Incident


def client_for(ops, name: str) -> Client:
    client = Client()
    client.force_login(ops.users[name])
    return client


def test_report_list_detail_and_refusals(ops):
    a = client_for(ops, "a_member")
    form = a.get("/operations/report/")
    assert form.status_code == 200
    assert b'value="APP"' in form.content and b'value="BASE"' not in form.content
    # A tampered form naming a service A does not use: the form refuses the choice.
    refused = a.post(
        "/operations/report/",
        {"service": "BASE", "organisation": ops.a.id, "title": "x", "impact": 2, "urgency": 2},
    )
    assert refused.status_code == 422 and not Incident.objects.exists()
    done = a.post(
        "/operations/report/",
        {
            "service": "APP",
            "organisation": ops.a.id,
            "title": "APP nere",
            "impact": 1,
            "urgency": 1,
        },
    )
    assert done.status_code == 302
    incident = Incident.objects.get()
    assert a.get("/operations/").content.count(b"APP nere") == 1
    detail = a.get(f"/operations/incidents/{incident.pk}/")
    assert detail.status_code == 200 and "Myndighet A" in detail.content.decode()
    assert (
        client_for(ops, "c_member").get(f"/operations/incidents/{incident.pk}/").status_code == 404
    )
    # A customer cannot resolve: the state stays, the page says why.
    a.post(f"/operations/incidents/{incident.pk}/transition/", {"state": "resolved"})
    incident.refresh_from_db()
    assert incident.state == "new"
    operator = client_for(ops, "operator")
    operator.post(f"/operations/incidents/{incident.pk}/transition/", {"state": "in_progress"})
    incident.refresh_from_db()
    assert incident.state == "in_progress"


def test_a_reported_service_without_subscription_names_agency_and_service(ops):
    # An operator may choose every FK service; reporting for agency A on BASE is refused by
    # the service with the sv/en message in the form.
    ops.users["operator"].memberships.create(organisation=ops.a, role="member")
    operator = client_for(ops, "operator")
    answer = operator.post(
        "/operations/report/",
        {"service": "BASE", "organisation": ops.a.id, "title": "x", "impact": 2, "urgency": 2},
        HTTP_ACCEPT_LANGUAGE="en",
    )
    assert answer.status_code == 422
    assert (
        "no active subscription" in answer.content.decode()
        or "ingen aktiv" in answer.content.decode()
    )
    assert not Incident.objects.exists()
