"""Incidents through the services: fan-out over subscriptions and the dependency graph, one clock
per agency, tenancy of what each actor reads, refusals that change nothing (ADRs 0802–0807)."""

from __future__ import annotations

import datetime as dt

import pytest

from samdrift.audit.models import AuditEvent
from samdrift.core.exceptions import BusinessRuleViolation, NotFound, ValidationFailed
from samdrift.core.notifications.models import Notification
from samdrift.operations import selectors, services
from samdrift.operations.choices import TARGETS, ClockStatus, EventKind
from samdrift.operations.models import AffectedAgency, Incident, IncidentEvent

from .conftest import MONDAY

H = dt.timedelta(hours=1)


def open_on_base(ops, **kw):
    return services.incident_open(
        actor=ops.actor("operator"),
        service_code="BASE",
        title="Inloggningen fungerar inte",
        impact=1,
        urgency=2,
        now=MONDAY,
        **kw,
    )


def test_an_incident_on_a_base_service_reaches_its_dependants_customers(ops):
    incident = open_on_base(ops)
    assert incident.priority == 2
    rows = {row.organisation_id: row for row in AffectedAgency.objects.filter(incident=incident)}
    assert set(rows) == {ops.a.id, ops.b.id}  # A via APP → BASE, B directly; not C
    assert rows[ops.a.id].via_services == ["APP"]
    assert rows[ops.a.id].support_hours == "office"
    assert rows[ops.b.id].support_hours == "24x7"
    kinds = list(IncidentEvent.objects.filter(incident=incident).values_list("kind", flat=True))
    assert kinds == ["opened", "affected", "affected"]
    assert AuditEvent.objects.filter(action="operations.incident_open").count() == 1


def test_each_agency_is_counted_in_its_own_hours(ops):
    incident = open_on_base(ops)
    services.incident_respond(actor=ops.actor("operator"), incident_id=incident.id, now=MONDAY)
    services.recompute_clocks(incident, now=MONDAY + 12 * H)  # 08:00 → 20:00
    rows = {row.organisation_id: row for row in AffectedAgency.objects.filter(incident=incident)}
    assert rows[ops.a.id].resolution_elapsed == 9 * 3600  # office hours
    assert rows[ops.b.id].resolution_elapsed == 12 * 3600  # around the clock
    assert rows[ops.a.id].resolution_target == TARGETS["office"][2][1]
    assert rows[ops.a.id].resolution_status == ClockStatus.BREACHED  # P2 office: 9 h
    assert rows[ops.b.id].resolution_status == ClockStatus.BREACHED  # P2 24x7: 8 h


def test_an_agreement_change_recomputes_the_clocks_retroactively(ops):
    incident = open_on_base(ops)
    services.recompute_clocks(incident, now=MONDAY + 12 * H)
    assert AffectedAgency.objects.get(organisation=ops.a).resolution_elapsed == 9 * 3600
    ops.app.support_hours = "24x7"
    ops.app.save()
    assert (
        services.recompute_service(
            actor=ops.actor("operator"), service_code="APP", now=MONDAY + 12 * H
        )
        == 1
    )
    row = AffectedAgency.objects.get(organisation=ops.a)
    assert (row.support_hours, row.resolution_elapsed) == ("24x7", 12 * 3600)


def test_a_priority_change_recomputes_from_the_opening(ops):
    incident = open_on_base(ops)
    services.incident_set_priority(
        actor=ops.actor("operator"),
        incident_id=incident.id,
        impact=3,
        urgency=3,
        now=MONDAY + 2 * H,
    )
    row = AffectedAgency.objects.get(organisation=ops.b)
    assert row.resolution_target == TARGETS["24x7"][5][1]
    assert row.resolution_elapsed == 2 * 3600


def test_waiting_pauses_one_agency_only_and_cannot_pause_twice(ops):
    incident = open_on_base(ops)
    operator = ops.actor("operator")
    services.incident_wait(
        actor=operator,
        incident_id=incident.id,
        organisation_id=ops.a.id,
        waiting=True,
        reason="Väntar på loggar",
        now=MONDAY + H,
    )
    with pytest.raises(BusinessRuleViolation):
        services.incident_wait(
            actor=operator,
            incident_id=incident.id,
            organisation_id=ops.a.id,
            waiting=True,
            reason="igen",
            now=MONDAY + 2 * H,
        )
    services.incident_wait(
        actor=operator,
        incident_id=incident.id,
        organisation_id=ops.a.id,
        waiting=False,
        now=MONDAY + 3 * H,
    )
    services.recompute_clocks(incident, now=MONDAY + 4 * H)
    assert AffectedAgency.objects.get(organisation=ops.a).resolution_elapsed == 2 * 3600
    assert AffectedAgency.objects.get(organisation=ops.b).resolution_elapsed == 4 * 3600


def test_a_customer_reports_only_for_a_service_it_subscribes_to(ops):
    member = ops.actor("a_member")
    incident = services.incident_open(
        actor=member,
        service_code="APP",
        title="Fel i APP",
        impact=2,
        urgency=2,
        organisation_id=ops.a.id,
        now=MONDAY,
    )
    assert incident.reported_by_org_id == ops.a.id
    before = Incident.objects.count()
    with pytest.raises(BusinessRuleViolation) as refused:
        services.incident_open(
            actor=member,
            service_code="BASE",
            title="Fel i BASE",
            impact=2,
            urgency=2,
            organisation_id=ops.a.id,
            now=MONDAY,
        )
    assert refused.value.code == "no_subscription"
    assert "Myndighet A" in str(refused.value) and "BASE" in str(refused.value)
    # for another agency: as if it did not exist
    with pytest.raises(NotFound):
        services.incident_open(
            actor=member,
            service_code="BASE",
            title="x",
            impact=2,
            urgency=2,
            organisation_id=ops.b.id,
            now=MONDAY,
        )
    assert Incident.objects.count() == before


@pytest.mark.parametrize(
    ("field", "values"),
    [("title", {"title": "  "}), ("impact", {"impact": 9}), ("urgency", {"urgency": "x"})],
)
def test_bad_input_changes_nothing(ops, field, values):
    arguments = {"title": "Fel", "impact": 1, "urgency": 1, **values}
    with pytest.raises(ValidationFailed) as refused:
        services.incident_open(actor=ops.actor("operator"), service_code="BASE", **arguments)
    assert field in refused.value.errors
    assert not Incident.objects.exists() and not AuditEvent.objects.exists()


def test_each_actor_sees_only_its_own(ops):
    incident = open_on_base(ops)
    # A customer sees the incident and only its own clock and events.
    a = ops.actor("a_member")
    seen = selectors.incident_get(actor=a, incident_id=incident.id)
    assert [row.organisation_id for row in selectors.clocks_for(actor=a, incident=seen)] == [
        ops.a.id
    ]
    orgs = {e.organisation_id for e in selectors.events_for(actor=a, incident=seen)}
    assert orgs == {None, ops.a.id}
    # The provider's staff see every agency's clock.
    finance = ops.actor("finance")
    assert selectors.clocks_for(actor=finance, incident=incident).count() == 2
    # C (not reached) and the second provider see nothing: the same NotFound as a missing id.
    for name in ("c_member", "second_admin"):
        with pytest.raises(NotFound):
            selectors.incident_get(actor=ops.actor(name), incident_id=incident.id)
        assert not selectors.incident_list(actor=ops.actor(name)).exists()
    with pytest.raises(NotFound):
        selectors.incident_get(actor=a, incident_id=incident.id + 999)


def test_state_machine_refuses_clearly_and_changes_nothing(ops):
    incident = open_on_base(ops)
    operator = ops.actor("operator")
    with pytest.raises(BusinessRuleViolation) as refused:
        services.incident_transition(actor=operator, incident_id=incident.id, target="closed")
    assert refused.value.code == "bad_transition"
    with pytest.raises(BusinessRuleViolation):  # a customer cannot resolve
        services.incident_transition(
            actor=ops.actor("a_member"), incident_id=incident.id, target="resolved"
        )
    incident.refresh_from_db()
    assert incident.state == "new" and incident.version == 1
    services.incident_transition(
        actor=operator, incident_id=incident.id, target="in_progress", now=MONDAY + H
    )
    services.incident_transition(
        actor=operator, incident_id=incident.id, target="resolved", now=MONDAY + 2 * H
    )
    row = AffectedAgency.objects.get(organisation=ops.b)
    assert (row.response_status, row.resolution_status) == ("met", "met")


def test_major_incident_tells_each_reached_agencys_contacts(ops):
    incident = open_on_base(ops)
    services.incident_set_major(actor=ops.actor("operator"), incident_id=incident.id, major=True)
    recipients = set(
        Notification.objects.filter(kind="major_incident").values_list(
            "recipient__username", flat=True
        )
    )
    assert recipients == {"a_contact"}
    with pytest.raises(BusinessRuleViolation):  # finance may not declare
        services.incident_set_major(
            actor=ops.actor("finance"), incident_id=incident.id, major=False
        )


def test_parent_and_child_one_level_deep(ops):
    parent = open_on_base(ops)
    child = services.incident_open(
        actor=ops.actor("a_member"),
        service_code="APP",
        title="APP nere",
        impact=2,
        urgency=2,
        organisation_id=ops.a.id,
        now=MONDAY,
    )
    grandchild = open_on_base(ops)
    operator = ops.actor("operator")
    services.incident_set_parent(actor=operator, incident_id=child.id, parent_id=parent.id)
    with pytest.raises(BusinessRuleViolation):
        services.incident_set_parent(actor=operator, incident_id=grandchild.id, parent_id=child.id)
    with pytest.raises(BusinessRuleViolation):
        services.incident_set_parent(actor=operator, incident_id=parent.id, parent_id=parent.id)
    assert list(parent.children.all()) == [child]
    assert IncidentEvent.objects.filter(kind=EventKind.PARENT).count() == 1


def test_a_customers_report_reaches_only_its_agency_until_the_provider_widens_it(ops):
    incident = services.incident_open(
        actor=ops.actor("b_member"),
        service_code="BASE",
        title="Vi kommer inte in",
        impact=3,
        urgency=1,
        organisation_id=ops.b.id,
        now=MONDAY,
    )
    assert list(
        AffectedAgency.objects.filter(incident=incident).values_list("organisation_id", flat=True)
    ) == [ops.b.id]
    with pytest.raises(NotFound):  # A is not reached: B's report is not A's to read
        selectors.incident_get(actor=ops.actor("a_member"), incident_id=incident.id)
    added = services.incident_widen(
        actor=ops.actor("operator"), incident_id=incident.id, now=MONDAY + H
    )
    assert added == 1
    row = AffectedAgency.objects.get(incident=incident, organisation=ops.a)
    services.recompute_clocks(incident, now=MONDAY + 3 * H)
    row.refresh_from_db()
    assert row.resolution_elapsed == 2 * 3600  # A's clocks start when A is reached
    assert selectors.incident_get(actor=ops.actor("a_member"), incident_id=incident.id)


def test_opening_a_major_incident_tells_the_contacts_at_once_and_only_managers_may(ops):
    with pytest.raises(BusinessRuleViolation):
        services.incident_open(
            actor=ops.actor("a_member"),
            service_code="APP",
            title="x",
            impact=1,
            urgency=1,
            organisation_id=ops.a.id,
            major=True,
        )
    assert not Incident.objects.exists() and not Notification.objects.exists()
    incident = open_on_base(ops, major=True)
    assert incident.major
    assert set(
        Notification.objects.filter(kind="major_incident").values_list(
            "recipient__username", flat=True
        )
    ) == {"a_contact"}
    assert IncidentEvent.objects.filter(incident=incident, kind=EventKind.MAJOR).count() == 1
