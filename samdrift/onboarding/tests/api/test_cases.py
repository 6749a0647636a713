"""GET/POST /api/v1/cases, the detail, and the checklist / sign-off / advance actions."""

from __future__ import annotations

import pytest
from django.utils import timezone

from samdrift.audit.models import AuditEvent
from samdrift.onboarding.models import (
    CaseChecklistItem,
    CaseEvent,
    ConnectionCase,
    PhaseSignOff,
    ServiceRequest,
    Subscription,
)
from samdrift.tests.factories import ServiceFactory, ServiceRequestFactory
from tests.api.support import (
    audit_count,
    call,
    checklist_templates,
    complete_phase,
    open_case,
    row_state,
)

pytestmark = pytest.mark.django_db


@pytest.fixture
def efos(provider):
    return ServiceFactory(code="EFOS", name_sv="Tjänstelegitimation", name_en="Service e-ID")


@pytest.fixture
def case(agency, efos):
    checklist_templates(per_phase=2)
    return open_case(agency.id, ["EFOS"])


def _items(case: ConnectionCase) -> list[CaseChecklistItem]:
    return list(case.checklist_items.filter(phase=case.phase).order_by("position"))


# --- reading ------------------------------------------------------------------------------------


def test_list_filters_by_phase_scope_state_and_organisation(
    client_for, account_manager, agency, other_agency, efos
):
    # given
    single = open_case(agency.id, ["EFOS"])
    total = open_case(other_agency.id, [], scope="total")
    ConnectionCase.objects.filter(id=total.id).update(phase="plan")
    client = client_for(account_manager)

    def ids(query: str) -> list[int]:
        return [row["id"] for row in call(client, "GET", f"/cases?{query}").json()["items"]]

    # then
    assert ids("") == [total.id, single.id]
    assert ids("phase=plan") == [total.id]
    assert ids("scope=single") == [single.id]
    assert ids("state=completed") == []
    assert ids(f"organisation={agency.id}") == [single.id]
    assert call(client, "GET", "/cases?phase=köra").status_code == 422


def test_list_row_shape(client_for, agency_contact, agency, case):
    body = call(client_for(agency_contact), "GET", "/cases").json()
    assert body["count"] == 1
    row = body["items"][0]
    assert row["organisation"] == {"id": agency.id, "name": "Myndighet A"}
    assert row["services"] == [
        {"code": "EFOS", "name_sv": "Tjänstelegitimation", "name_en": "Service e-ID"}
    ]
    assert (row["phase"], row["state"], row["scope"], row["version"]) == (
        "initiate",
        "open",
        "single",
        1,
    )


def test_detail_has_checklist_of_current_phase_history_lead_times_and_abilities(
    client_for, account_manager, security_officer, case
):
    # given: Initiera done, signed off and advanced, so the case sits in Planera
    complete_phase(case, security_officer)
    client = client_for(account_manager)
    version = call(client, "GET", f"/cases/{case.id}").json()["version"]
    assert (
        call(client, "POST", f"/cases/{case.id}/advance", {"version": version}).status_code == 200
    )
    # when
    detail = call(client, "GET", f"/cases/{case.id}").json()
    # then
    assert detail["phase"] == "plan"
    assert [item["text_en"] for item in detail["checklist"]] == ["Item 1 of plan", "Item 2 of plan"]
    assert all(item["done"] is False for item in detail["checklist"])
    assert [s["phase"] for s in detail["signoffs"]] == ["initiate"]
    assert detail["signoffs"][0]["signed_by"] == security_officer.get_full_name()
    assert [e["kind"] for e in detail["events"]] == [
        "opened",
        "checked",
        "checked",
        "signed_off",
        "advanced",
    ]
    assert detail["events"][-1]["actor"] == account_manager.get_full_name()
    assert [(lt["phase"], lt["days"]) for lt in detail["lead_times"]] == [
        ("initiate", 0),
        ("plan", None),
    ]
    assert detail["abilities"] == {
        "view": True,
        "check": True,
        "sign_off": False,  # the account manager is not security
        "advance": False,  # the Planera checklist is not done
        "cancel": True,
    }
    assert detail["version"] == version + 1


@pytest.mark.parametrize(
    ("actor_fixture", "expected"),
    [
        ("account_manager", {"check": True, "sign_off": False, "advance": False, "cancel": True}),
        ("security_officer", {"check": False, "sign_off": True, "advance": False, "cancel": False}),
        ("agency_contact", {"check": False, "sign_off": False, "advance": False, "cancel": False}),
    ],
)
def test_abilities_follow_the_role(request, client_for, case, actor_fixture, expected):
    user = request.getfixturevalue(actor_fixture)
    detail = call(client_for(user), "GET", f"/cases/{case.id}").json()
    assert detail["abilities"] == {"view": True, **expected}


# --- opening ------------------------------------------------------------------------------------


def test_account_manager_opens_a_case(client_for, account_manager, agency, efos):
    # given
    checklist_templates(per_phase=1)
    before = audit_count()
    # when
    response = call(
        client_for(account_manager),
        "POST",
        "/cases",
        {"organisation_id": agency.id, "scope": "single", "service_codes": ["efos"]},
    )
    # then
    assert response.status_code == 201
    body = response.json()
    case = ConnectionCase.objects.get(id=body["id"])
    assert (case.organisation_id, case.phase, case.state) == (agency.id, "initiate", "open")
    assert [s.code for s in case.services.all()] == ["EFOS"]
    assert [item["text_en"] for item in body["checklist"]] == ["Item 1 of initiate"]
    assert AuditEvent.objects.filter(
        action="onboarding.case_opened", object_id=str(case.id)
    ).exists()
    assert audit_count() == before + 1


def test_opening_with_an_unknown_service_is_422_and_writes_nothing(
    client_for, account_manager, agency, efos
):
    before = audit_count()
    response = call(
        client_for(account_manager),
        "POST",
        "/cases",
        {"organisation_id": agency.id, "scope": "single", "service_codes": ["EFOS", "NOPE"]},
    )
    assert response.status_code == 422
    assert "NOPE" in response.json()["message_en"]
    assert not ConnectionCase.objects.exists()
    assert audit_count() == before


def test_a_customer_may_not_open_a_case(client_for, agency_contact, agency, efos):
    before = audit_count()
    response = call(
        client_for(agency_contact),
        "POST",
        "/cases",
        {"organisation_id": agency.id, "scope": "total"},
    )
    assert response.status_code == 403
    assert not ConnectionCase.objects.exists()
    assert audit_count() == before


# --- checklist and sign-off -----------------------------------------------------------------------


def test_checklist_tick_and_untick(client_for, account_manager, case):
    # given
    client = client_for(account_manager)
    item = _items(case)[0]
    # when
    ticked = call(
        client, "POST", f"/cases/{case.id}/checklist/{item.id}", {"done": True, "version": 1}
    )
    unticked = call(
        client, "POST", f"/cases/{case.id}/checklist/{item.id}", {"done": False, "version": 2}
    )
    # then
    assert ticked.status_code == 200
    assert ticked.json()["checklist"][0]["done"] is True
    assert ticked.json()["checklist"][0]["done_by"] == account_manager.get_full_name()
    assert unticked.json()["checklist"][0]["done"] is False
    assert unticked.json()["version"] == 3
    assert list(CaseEvent.objects.filter(case=case).values_list("kind", flat=True)) == [
        "opened",
        "checked",
        "unchecked",
    ]


def test_checklist_item_of_another_case_is_404(client_for, account_manager, agency, case):
    other = open_case(agency.id, ["EFOS"])
    item = _items(other)[0]
    response = call(
        client_for(account_manager),
        "POST",
        f"/cases/{case.id}/checklist/{item.id}",
        {"done": True, "version": 1},
    )
    assert response.status_code == 404
    assert CaseChecklistItem.objects.get(id=item.id).done_at is None


def test_customer_contact_may_not_tick(client_for, agency_contact, case):
    item = _items(case)[0]
    before_item, before_case, before_audit = row_state(item), row_state(case), audit_count()
    response = call(
        client_for(agency_contact),
        "POST",
        f"/cases/{case.id}/checklist/{item.id}",
        {"done": True, "version": 1},
    )
    assert response.status_code == 403
    assert response.json()["code"] == "forbidden"
    assert row_state(item) == before_item
    assert row_state(case) == before_case
    assert audit_count() == before_audit


def test_security_signs_off(client_for, security_officer, case):
    response = call(
        client_for(security_officer),
        "POST",
        f"/cases/{case.id}/sign-off",
        {"comment": "Riskanalys klar", "version": 1},
    )
    assert response.status_code == 200
    body = response.json()
    assert [(s["phase"], s["comment"]) for s in body["signoffs"]] == [
        ("initiate", "Riskanalys klar")
    ]
    assert body["abilities"]["sign_off"] is False
    assert body["version"] == 2


@pytest.mark.parametrize("actor_fixture", ["account_manager", "agency_contact"])
def test_only_security_signs_off(request, client_for, case, actor_fixture):
    before_case, before_audit = row_state(case), audit_count()
    response = call(
        client_for(request.getfixturevalue(actor_fixture)),
        "POST",
        f"/cases/{case.id}/sign-off",
        {"version": 1},
    )
    assert response.status_code == 403
    assert not PhaseSignOff.objects.exists()
    assert row_state(case) == before_case
    assert audit_count() == before_audit


def test_signing_off_twice_is_409(client_for, security_officer, case):
    client = client_for(security_officer)
    assert call(client, "POST", f"/cases/{case.id}/sign-off", {"version": 1}).status_code == 200
    before = audit_count()
    second = call(client, "POST", f"/cases/{case.id}/sign-off", {"version": 2})
    assert second.status_code == 409
    assert second.json()["code"] == "rule_violation"
    assert PhaseSignOff.objects.count() == 1
    assert audit_count() == before


# --- advancing ----------------------------------------------------------------------------------


def test_advancing_without_checklist_is_409_checklist_incomplete(
    client_for, account_manager, security_officer, case
):
    # given: signed off, but nothing ticked
    call(client_for(security_officer), "POST", f"/cases/{case.id}/sign-off", {"version": 1})
    before_case, before_audit = row_state(case), audit_count()
    # when
    response = call(
        client_for(account_manager), "POST", f"/cases/{case.id}/advance", {"version": 2}
    )
    # then
    assert response.status_code == 409
    body = response.json()
    assert body["code"] == "checklist_incomplete"
    assert body["message_en"] == "The checklist of this phase is not done."
    assert body["message_sv"]
    assert row_state(case) == before_case
    assert audit_count() == before_audit


def test_advancing_without_sign_off_is_409_signoff_missing(client_for, account_manager, case):
    # given: every item ticked, no sign-off
    client = client_for(account_manager)
    version = 1
    for item in _items(case):
        version = call(
            client,
            "POST",
            f"/cases/{case.id}/checklist/{item.id}",
            {"done": True, "version": version},
        ).json()["version"]
    before_case, before_audit = row_state(case), audit_count()
    # when
    response = call(client, "POST", f"/cases/{case.id}/advance", {"version": version})
    # then
    assert response.status_code == 409
    assert response.json()["code"] == "signoff_missing"
    assert row_state(case) == before_case
    assert audit_count() == before_audit


def test_advance_needs_a_version(client_for, account_manager, security_officer, case):
    complete_phase(case, security_officer)
    before = row_state(case)
    response = call(client_for(account_manager), "POST", f"/cases/{case.id}/advance", {})
    assert response.status_code == 422
    assert row_state(case) == before


def test_a_stale_version_is_409_concurrent_update(
    client_for, account_manager, security_officer, case
):
    case = complete_phase(case, security_officer)
    before_case, before_audit = row_state(case), audit_count()
    response = call(
        client_for(account_manager),
        "POST",
        f"/cases/{case.id}/advance",
        {"version": case.version - 1},
    )
    assert response.status_code == 409
    assert response.json()["code"] == "concurrent_update"
    assert row_state(case) == before_case
    assert audit_count() == before_audit


def test_a_customer_may_not_advance(client_for, agency_contact, security_officer, case):
    case = complete_phase(case, security_officer)
    before_case, before_audit = row_state(case), audit_count()
    response = call(
        client_for(agency_contact), "POST", f"/cases/{case.id}/advance", {"version": case.version}
    )
    assert response.status_code == 403
    assert row_state(case) == before_case
    assert audit_count() == before_audit


def test_the_whole_way_to_run_connects_and_then_completes(
    client_for, account_manager, security_officer, agency, efos, case
):
    # given: the agency had asked for EFOS
    asked = ServiceRequestFactory(organisation=agency, service=efos)
    client = client_for(account_manager)
    # when: Initiera, Planera and Paketera are completed and advanced
    for expected in ("plan", "package", "run"):
        case = complete_phase(case, security_officer)
        response = call(client, "POST", f"/cases/{case.id}/advance", {"version": case.version})
        assert response.status_code == 200
        assert response.json()["phase"] == expected
        case.refresh_from_db()
    # then: Köra connects the agency to the service and the request is fulfilled
    subscription = Subscription.objects.get(organisation=agency, service=efos)
    assert subscription.case_id == case.id
    assert ServiceRequest.objects.get(id=asked.id).status == "connected"
    # and completing Köra closes the case
    case = complete_phase(case, security_officer)
    done = call(client, "POST", f"/cases/{case.id}/advance", {"version": case.version}).json()
    assert (done["state"], done["closed_on"]) == ("completed", str(timezone.localdate()))
    assert done["abilities"]["advance"] is False


@pytest.mark.parametrize(
    ("path", "body"),
    [
        ("/advance", {"version": 1}),
        ("/sign-off", {"version": 1}),
        ("/checklist/1", {"done": True, "version": 1}),
    ],
)
def test_writes_on_a_missing_case_are_404(client_for, provider_admin, path, body):
    response = call(client_for(provider_admin), "POST", f"/cases/-1{path}", body)
    assert response.status_code == 404


def test_anonymous_gets_401(client_for, case):
    assert call(client_for(), "GET", "/cases").status_code == 401
    assert call(client_for(), "GET", f"/cases/{case.id}").status_code == 401
    assert (
        call(client_for(), "POST", f"/cases/{case.id}/advance", {"version": 1}).status_code == 401
    )


# --- cancelling ---------------------------------------------------------------------------------


def test_account_manager_cancels_with_a_reason(client_for, account_manager, case):
    response = call(
        client_for(account_manager),
        "POST",
        f"/cases/{case.id}/cancel",
        {"reason": "Myndigheten avstår", "version": 1},
    )
    assert response.status_code == 200
    body = response.json()
    assert (body["state"], body["version"]) == ("cancelled", 2)
    assert body["events"][-1]["kind"] == "cancelled"
    assert body["events"][-1]["detail"] == "Myndigheten avstår"
    assert body["abilities"] == {
        "view": True,
        "check": False,
        "sign_off": False,
        "advance": False,
        "cancel": False,
    }


@pytest.mark.parametrize(
    ("actor_fixture", "body", "expected"),
    [
        ("account_manager", {"reason": "  ", "version": 1}, 422),
        ("account_manager", {"reason": "\u00a0\u3000", "version": 1}, 422),  # Unicode spaces
        ("account_manager", {"reason": "Två\nrader", "version": 1}, 422),  # one line only
        ("account_manager", {"version": 1}, 422),
        ("account_manager", {"reason": "Sent", "version": 9}, 409),
        ("agency_contact", {"reason": "Vi avstår", "version": 1}, 403),
        ("security_officer", {"reason": "Nej", "version": 1}, 403),
    ],
)
def test_refused_cancel_changes_nothing(request, client_for, case, actor_fixture, body, expected):
    before_case, before_audit = row_state(case), audit_count()
    response = call(
        client_for(request.getfixturevalue(actor_fixture)), "POST", f"/cases/{case.id}/cancel", body
    )
    assert response.status_code == expected
    assert row_state(case) == before_case
    assert audit_count() == before_audit
