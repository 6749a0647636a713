"""Responsibility matrices that route work (issue 16 item 5, ADR 0845): versions entered as
drafts, published only when valid (one A, at least one R per function), in effect from their
date; an incident routed to a function is assigned to R, escalated to A, C and I told; the
parties see it, nobody else does; every refusal changes nothing."""

from __future__ import annotations

import datetime as dt
from io import StringIO

import pytest
from django.core.management import call_command
from django.test import Client
from django.utils import timezone

from samdrift.audit.models import AuditEvent
from samdrift.core.exceptions import BusinessRuleViolation, NotFound, ValidationFailed
from samdrift.core.notifications.models import Notification
from samdrift.operations import matrices, selectors, services
from samdrift.operations.models import Incident, IncidentParty, ResponsibilityMatrix
from samdrift.organisations.models import Organisation
from samdrift.tests.factories import MembershipFactory, OrganisationFactory

from .conftest import MONDAY

TODAY = timezone.localdate()


@pytest.fixture
def parties(ops):
    """Two agencies that run parts of BASE with FK (not its customers), each with a contact and
    a member."""
    ehm = OrganisationFactory(name="E-hälsomyndigheten", org_number="202100-6552")
    digg = OrganisationFactory(name="Myndigheten för digital förvaltning", org_number="202100-6883")
    for name, org in (("ehm", ehm), ("digg", digg)):
        for role in ("contact", "member"):
            membership = MembershipFactory(
                organisation=org, role=role, user__username=f"{name}_{role}",
                user__email=f"{name}_{role}@example.se",
            )  # fmt: skip
            ops.users[f"{name}_{role}"] = membership.user
    return ehm, digg


VALID = """funktion;roll;part
24/7 support;R;E-hälsomyndigheten
24/7 support;A;202100-6552
24/7 support;I;Myndigheten för digital förvaltning
Brandvägg;R;Försäkringskassan
Brandvägg;A;Försäkringskassan
Brandvägg;C;202100-6883
"""


def draft(ops, text=VALID, effective=TODAY, actor="operator"):
    return services.matrix_draft(
        actor=ops.actor(actor), service_code="BASE", name="Covidbevis", effective_from=effective,
        text=text,
    )  # fmt: skip


def open_incident(ops) -> Incident:
    return services.incident_open(
        actor=ops.actor("operator"), service_code="BASE", title="Nere", impact=2, urgency=2,
        now=MONDAY,
    )  # fmt: skip


def test_a_valid_version_is_published_and_routes_an_incident(ops, parties):
    ehm, digg = parties
    matrix = draft(ops)
    assert matrix.version == 1 and matrix.published_at is None
    assert matrices.matrix_in_effect(service_id=ops.base.id, on=TODAY) is None
    services.matrix_publish(actor=ops.actor("operator"), matrix_id=matrix.pk)
    assert matrices.matrix_in_effect(service_id=ops.base.id, on=TODAY).pk == matrix.pk
    table = matrices.matrix_table(matrix)
    assert table.problems == [] and [row[0] for row in table.rows] == ["24/7 support", "Brandvägg"]

    incident = open_incident(ops)
    services.incident_route(
        actor=ops.actor("operator"), incident_id=incident.id, function="24/7 support"
    )
    got = set(
        IncidentParty.objects.filter(incident=incident).values_list("organisation_id", "role")
    )
    assert got == {(ehm.id, "R"), (ehm.id, "A"), (digg.id, "I")}
    told = dict(Notification.objects.values_list("recipient__username", "kind").distinct())
    assert told["ehm_contact"] == "incident_assigned"
    assert told["digg_contact"] == "incident_informed"
    assert AuditEvent.objects.filter(action="operations.incident_route").count() == 1

    # R sees and works it alongside the provider; I sees it; neither sees another agency's clock.
    for name in ("ehm_member", "digg_member"):
        seen = selectors.incident_get(actor=ops.actor(name), incident_id=incident.id)
        assert list(selectors.clocks_for(actor=ops.actor(name), incident=seen)) == []
    services.incident_note(actor=ops.actor("ehm_member"), incident_id=incident.id, text="Vi tittar")
    with pytest.raises(BusinessRuleViolation):
        services.incident_note(actor=ops.actor("digg_member"), incident_id=incident.id, text="x")
    # Escalation tells A (here E-hälsomyndigheten) once more, as accountable.
    services.incident_escalate(
        actor=ops.actor("ehm_member"), incident_id=incident.id, reason="Brådskar"
    )
    assert Notification.objects.filter(
        kind="incident_escalated", recipient__username="ehm_contact"
    ).exists()


def test_routing_again_replaces_the_parties_and_a_major_incident_escalates(ops, parties):
    _ehm, digg = parties
    services.matrix_publish(actor=ops.actor("operator"), matrix_id=draft(ops).pk)
    incident = open_incident(ops)
    services.incident_route(
        actor=ops.actor("operator"), incident_id=incident.id, function="24/7 support"
    )
    services.incident_route(
        actor=ops.actor("operator"), incident_id=incident.id, function="Brandvägg"
    )
    got = set(
        IncidentParty.objects.filter(incident=incident).values_list("organisation_id", "role")
    )
    assert got == {(ops.fk.id, "R"), (ops.fk.id, "A"), (digg.id, "C")}
    with pytest.raises(NotFound):  # no longer a party
        selectors.incident_get(actor=ops.actor("ehm_member"), incident_id=incident.id)
    services.incident_set_major(actor=ops.actor("operator"), incident_id=incident.id, major=True)
    assert incident.events.filter(kind="escalated").count() == 1


@pytest.mark.parametrize(
    ("text", "fragment"),
    [
        ("24/7 support;R;E-hälsomyndigheten\n24/7 support;A;Ingen sådan myndighet",
         "no agency is named or numbered Ingen sådan myndighet"),
        ("24/7 support;X;E-hälsomyndigheten", "the role must be R, A, C or I, not X"),
        ("24/7 support;R", "write function;role;party"),
        ("", "The matrix has no lines"),
    ],
)  # fmt: skip
def test_unreadable_lines_are_named_and_nothing_is_stored(ops, parties, text, fragment):
    with pytest.raises(ValidationFailed) as refused:
        draft(ops, text=text)
    assert any(fragment in line for line in refused.value.errors["text"])
    assert ResponsibilityMatrix.objects.count() == 0


def test_a_version_with_two_accountables_cannot_take_effect(ops, parties):
    matrix = draft(ops, text=VALID + "Brandvägg;A;E-hälsomyndigheten\n")
    with pytest.raises(BusinessRuleViolation) as refused:
        services.matrix_publish(actor=ops.actor("operator"), matrix_id=matrix.pk)
    assert refused.value.code == "matrix_invalid"
    assert "exactly one accountable (A) required, 2 given" in str(refused.value.params)
    matrix.refresh_from_db()
    assert matrix.published_at is None
    # The reported Covidbevis matrix (R only) is a draft that says why.
    assert matrices.matrix_table(matrix).problems


def test_versions_take_effect_on_their_date_and_the_past_is_not_rerouted(ops, parties):
    first = draft(ops)
    services.matrix_publish(actor=ops.actor("operator"), matrix_id=first.pk)
    later = draft(
        ops, text=VALID.replace("24/7 support", "Support"), effective=TODAY + dt.timedelta(days=7)
    )
    services.matrix_publish(actor=ops.actor("operator"), matrix_id=later.pk)
    assert later.version == 2
    assert matrices.matrix_in_effect(service_id=ops.base.id, on=TODAY).pk == first.pk
    assert (
        matrices.matrix_in_effect(service_id=ops.base.id, on=TODAY + dt.timedelta(days=7)).pk
        == later.pk
    )
    backdated = draft(ops, effective=TODAY - dt.timedelta(days=1))
    with pytest.raises(ValidationFailed):
        services.matrix_publish(actor=ops.actor("operator"), matrix_id=backdated.pk)
    with pytest.raises(BusinessRuleViolation):  # a published version is not published again
        services.matrix_publish(actor=ops.actor("operator"), matrix_id=first.pk)


def test_routing_refusals_change_nothing(ops, parties):
    incident = open_incident(ops)
    with pytest.raises(BusinessRuleViolation) as none:
        services.incident_route(actor=ops.actor("operator"), incident_id=incident.id, function="x")
    assert none.value.code == "no_matrix"
    services.matrix_publish(actor=ops.actor("operator"), matrix_id=draft(ops).pk)
    with pytest.raises(ValidationFailed):
        services.incident_route(
            actor=ops.actor("operator"), incident_id=incident.id, function="Okänd"
        )
    for name in ("a_member", "finance", "second_admin"):
        with pytest.raises((NotFound, BusinessRuleViolation)):
            services.incident_route(
                actor=ops.actor(name), incident_id=incident.id, function="Brandvägg"
            )
    with pytest.raises(BusinessRuleViolation):  # not routed: nobody to escalate to
        services.incident_escalate(actor=ops.actor("operator"), incident_id=incident.id, reason="x")
    incident.refresh_from_db()
    assert incident.function == "" and IncidentParty.objects.count() == 0


@pytest.mark.parametrize(
    "name", ["a_member", "b_member", "finance_other", "second_admin", "ehm_member"]
)
def test_who_sees_a_version(ops, parties, name):
    if name == "finance_other":
        name = "c_member"
    matrix = draft(ops)
    # A draft: the provider's staff only.
    with pytest.raises(NotFound):
        matrices.matrix_get(actor=ops.actor(name), matrix_id=matrix.pk)
    assert matrices.matrix_get(actor=ops.actor("finance"), matrix_id=matrix.pk)
    services.matrix_publish(actor=ops.actor("operator"), matrix_id=matrix.pk)
    if name == "ehm_member":  # a party sees the published version naming it
        assert matrices.matrix_get(actor=ops.actor(name), matrix_id=matrix.pk)
    else:
        with pytest.raises(NotFound):
            matrices.matrix_get(actor=ops.actor(name), matrix_id=matrix.pk)
    with pytest.raises(NotFound):
        draft(ops, actor="finance" if name == "a_member" else name)


def test_pages_api_and_cli(ops, parties, tmp_path):
    client = Client()
    client.force_login(ops.users["operator"])
    page = client.get("/operations/matrices/")
    assert page.status_code == 200
    bad = client.post(
        "/operations/matrices/",
        {"service": "BASE", "name": "X", "effective_from": TODAY.isoformat(), "text": "a;Q;b"},
    )
    assert bad.status_code == 422 and ResponsibilityMatrix.objects.count() == 0
    made = client.post(
        "/operations/matrices/",
        {
            "service": "BASE",
            "name": "Covidbevis",
            "effective_from": TODAY.isoformat(),
            "text": VALID,
        },
    )
    assert made.status_code == 302
    matrix = ResponsibilityMatrix.objects.get()
    detail = client.get(f"/operations/matrices/{matrix.pk}/").content.decode()
    assert "E-hälsomyndigheten" in detail and "Publicera" in detail
    copied = client.get(f"/operations/matrices/?from={matrix.pk}").content.decode()
    assert "24/7 support;A;E-hälsomyndigheten" in copied
    assert client.post(f"/operations/matrices/{matrix.pk}/publish/").status_code == 302
    matrix.refresh_from_db()
    assert matrix.published_at is not None

    incident = open_incident(ops)
    shown = client.get(f"/operations/incidents/{incident.id}/").content.decode()
    assert "raci-heading" in shown and "Brandvägg" in shown
    assert (
        client.post(
            f"/operations/incidents/{incident.id}/route/", {"function": "Brandvägg"}
        ).status_code
        == 302
    )
    api = client.get(f"/api/v1/operations/incidents/{incident.id}").json()
    assert (
        api["function"] == "Brandvägg"
        and {"role": "C", "agency": "Myndigheten för digital förvaltning"} in api["parties"]
    )
    listed = client.get("/api/v1/operations/matrices").json()
    assert listed["count"] == 1
    one = client.get(f"/api/v1/operations/matrices/{matrix.pk}").json()
    assert one["in_effect"] and one["problems"] == [] and len(one["cells"]) == 6
    refused = client.post(
        "/api/v1/operations/matrices",
        {"service": "BASE", "name": "X", "effective_from": "i morgon", "text": VALID},
        content_type="application/json",
    )
    assert refused.status_code == 422 and "2027-01-01" in refused.json()["message_en"]
    two_a = client.post(
        "/api/v1/operations/matrices",
        {
            "service": "BASE",
            "name": "X",
            "effective_from": TODAY.isoformat(),
            "text": VALID + "Brandvägg;A;202100-6883",
        },
        content_type="application/json",
    ).json()
    assert two_a["problems"]
    answer = client.post(f"/api/v1/operations/matrices/{two_a['id']}/publish")
    assert answer.status_code == 409 and answer.json()["code"] == "matrix_invalid"
    escalated = client.post(
        f"/api/v1/operations/incidents/{incident.id}/escalate",
        {"reason": "Brådskar"},
        content_type="application/json",
    )
    assert escalated.status_code == 200

    source = tmp_path / "raci.csv"
    source.write_text(VALID.replace("Brandvägg", "DNS"), encoding="utf-8")
    out = StringIO()
    call_command("operations", "raci", str(source), "--service", "BASE", "--name", "CLI",
                 "--effective", (TODAY + dt.timedelta(days=1)).isoformat(), "--publish", stdout=out)  # fmt: skip
    assert out.getvalue().strip().endswith("v3")
    listing = StringIO()
    call_command("operations", "raci", stdout=listing)
    assert len(listing.getvalue().splitlines()) == 3
    assert Organisation.objects.filter(name="E-hälsomyndigheten").count() == 1
