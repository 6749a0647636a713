"""Problems become known errors; changes carry approval and a maintenance window (ADR 0802)."""

from __future__ import annotations

import datetime as dt

import pytest
from django.db import IntegrityError, transaction
from django.utils import translation

from samdrift.core.exceptions import BusinessRuleViolation, NotFound, ValidationFailed
from samdrift.core.i18n import in_both_languages
from samdrift.operations import selectors, services
from samdrift.operations.models import Change, Problem

from .conftest import MONDAY


def test_a_problem_becomes_a_known_error_and_links_incidents(ops):
    operator = ops.actor("operator")
    problem = services.problem_open(actor=operator, service_code="BASE", title="Certifikat")
    with pytest.raises(ValidationFailed):
        services.problem_known_error(
            actor=operator, problem_id=problem.id, root_cause="x", workaround=""
        )
    problem = services.problem_known_error(
        actor=operator,
        problem_id=problem.id,
        root_cause="Utgånget certifikat",
        workaround="Starta om tjänsten",
    )
    assert problem.state == "known_error"
    incident = services.incident_open(
        actor=operator, service_code="BASE", title="Nere", impact=1, urgency=1, now=MONDAY
    )
    services.incident_link_problem(actor=operator, incident_id=incident.id, problem_id=problem.id)
    assert list(problem.incidents.all()) == [incident]
    with pytest.raises(NotFound):  # another provider's staff
        services.incident_link_problem(
            actor=ops.actor("second_admin"), incident_id=incident.id, problem_id=problem.id
        )


def test_the_database_refuses_a_known_error_without_cause(ops):
    with pytest.raises(IntegrityError), transaction.atomic():
        Problem.objects.create(provider=ops.fk, service=ops.base, title="x", state="known_error")


def test_a_window_that_ends_before_it_starts_is_refused_in_both_languages(ops):
    with pytest.raises(ValidationFailed) as refused:
        services.change_create(
            actor=ops.actor("operator"),
            service_code="BASE",
            kind="normal",
            title="Uppgradering",
            window_start="2026-12-05T18:00",
            window_end="2026-12-05T17:00",
        )
    assert "window_end" in refused.value.errors
    both = in_both_languages(refused.value.message)
    assert "sluta" in both["sv"].lower() or "slut" in both["sv"].lower()
    assert "must end after it starts" in both["en"]
    assert not Change.objects.exists()
    with pytest.raises(IntegrityError), transaction.atomic():
        Change.objects.create(
            provider=ops.fk,
            service=ops.base,
            kind="normal",
            title="x",
            window_start=MONDAY,
            window_end=MONDAY,
        )


def test_normal_change_needs_an_approver_standard_is_pre_approved(ops):
    operator = ops.actor("operator")
    start = MONDAY + dt.timedelta(days=5)
    standard = services.change_create(
        actor=operator,
        service_code="BASE",
        kind="standard",
        title="Patch",
        window_start=start,
        window_end=start + dt.timedelta(hours=2),
    )
    assert standard.state == "approved"
    normal = services.change_create(
        actor=operator,
        service_code="BASE",
        kind="normal",
        title="Uppgradering",
        window_start=start,
        window_end=start + dt.timedelta(hours=2),
    )
    with pytest.raises(BusinessRuleViolation) as refused:
        services.change_transition(actor=operator, change_id=normal.id, target="approved")
    assert refused.value.code == "needs_approval"
    services.change_transition(actor=operator, change_id=normal.id, target="awaiting_approval")
    with pytest.raises(BusinessRuleViolation):  # a service manager is no approver
        services.change_transition(actor=operator, change_id=normal.id, target="approved")
    with pytest.raises(NotFound):
        services.change_transition(
            actor=ops.actor("second_admin"), change_id=normal.id, target="approved"
        )
    with translation.override("en"):
        assert Change.objects.get(id=normal.id).state == "awaiting_approval"


def test_an_agency_sees_the_approved_changes_that_reach_its_services_only(ops):
    """ADR 0840: a change on BASE reaches B (subscribes to BASE) and A (APP depends on BASE),
    not C (another provider's customer); drafts are the provider's own."""
    operator = ops.actor("operator")
    change = services.change_create(
        actor=operator,
        service_code="BASE",
        kind="standard",
        title="Certifikatbyte",
        window_start="2026-12-05T17:00",
        window_end="2026-12-05T18:00",
    )
    draft = services.change_create(
        actor=operator,
        service_code="BASE",
        kind="normal",
        title="Utkast",
        window_start="2026-12-06T17:00",
        window_end="2026-12-06T18:00",
    )
    if change.state != "approved":
        change = services.change_transition(actor=operator, change_id=change.id, target="approved")
    assert draft.state == "draft"
    for name in ("a_member", "b_member"):
        seen = list(selectors.change_list(actor=ops.actor(name)))
        assert seen == [change], name
        assert selectors.change_get(actor=ops.actor(name), change_id=change.id) == change
        with pytest.raises(NotFound):
            selectors.change_get(actor=ops.actor(name), change_id=draft.id)
    for name in ("c_member", "second_admin"):
        assert list(selectors.change_list(actor=ops.actor(name))) == [], name
        with pytest.raises(NotFound):
            selectors.change_get(actor=ops.actor(name), change_id=change.id)
    with pytest.raises(NotFound):  # seeing is not working on it
        services.change_transition(
            actor=ops.actor("b_member"), change_id=change.id, target="implemented"
        )
    assert set(selectors.change_list(actor=operator)) == {change, draft}


def test_the_changes_api_lists_what_the_selector_shows(ops, client):
    """GET /api/v1/operations/changes pages what `change_list` shows the caller (ADR 0840)."""
    operator = ops.actor("operator")
    change = services.change_create(
        actor=operator,
        service_code="BASE",
        kind="normal",
        title="Uppgradering",
        window_start="2026-12-05T17:00",
        window_end="2026-12-05T18:00",
    )
    client.force_login(ops.users["c_member"])
    assert client.get("/api/v1/operations/changes").json()["items"] == []
    client.force_login(ops.users["operator"])
    body = client.get("/api/v1/operations/changes?state=draft").json()
    assert [row["id"] for row in body["items"]] == [change.id]
    assert body["items"][0]["service"] == "BASE"


def test_the_problems_api_lists_the_providers_own_problems_only(ops, client):
    problem = services.problem_open(actor=ops.actor("operator"), service_code="BASE", title="Fel")
    for name in ("b_member", "second_admin"):
        client.force_login(ops.users[name])
        assert client.get("/api/v1/operations/problems").json()["items"] == [], name
    client.force_login(ops.users["operator"])
    rows = client.get("/api/v1/operations/problems").json()["items"]
    assert [(row["id"], row["service"]) for row in rows] == [(problem.id, "BASE")]
