"""No agency sees or touches another agency's data through the API.

A member of agency A, by session and by personal token, calls every foundation endpoint with
agency B's ids: details are 404 (exactly as a missing id), lists never contain B's rows, and
every refused write leaves B's rows and the audit trail exactly as they were. A parent agency's
contact, by contrast, does reach its sub-agency.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import pytest

from samdrift.accounts.models import ApiToken
from samdrift.onboarding.models import (
    CaseChecklistItem,
    CaseEvent,
    ConnectionCase,
    PhaseSignOff,
    ServiceRequest,
    Subscription,
)
from samdrift.organisations.models import Membership
from samdrift.tests.factories import (
    MembershipFactory,
    OrganisationFactory,
    ServiceFactory,
    ServiceRequestFactory,
    SubscriptionFactory,
    UserFactory,
)
from tests.api.endpoints import foundation_operations
from tests.api.support import (
    audit_count,
    bearer_client,
    call,
    checklist_templates,
    complete_phase,
    open_case,
    row_state,
)
from tests.security.registry import API as GENERATED

pytestmark = pytest.mark.django_db


@pytest.fixture
def world(provider, agency, other_agency, security_officer, other_agency_contact):
    """B has a case ready to advance, a pending request, a subscription and a token; A has one
    of each too, so that A's lists are not trivially empty."""
    checklist_templates(per_phase=1)
    efos = ServiceFactory(code="EFOS")
    ServiceFactory(code="SAFOS")
    b_case = complete_phase(open_case(other_agency.id, ["EFOS"]), security_officer)
    a_case = open_case(agency.id, ["EFOS"])
    bearer_client(other_agency_contact, name="B:s token")
    return {
        "efos": efos,
        "a_case": a_case,
        "b_case": b_case,
        "b_item": b_case.checklist_items.get(),
        "a_request": ServiceRequestFactory(organisation=agency, service=efos),
        "b_request": ServiceRequestFactory(organisation=other_agency, service=efos),
        "a_subscription": SubscriptionFactory(organisation=agency, service=efos),
        "b_subscription": SubscriptionFactory(organisation=other_agency, service=efos),
        "b_token": ApiToken.objects.get(user=other_agency_contact),
        "b_membership": Membership.objects.get(user=other_agency_contact),
    }


@pytest.fixture(params=["session", "bearer"])
def a_client(request, client_for, agency_contact):
    if request.param == "session":
        return client_for(agency_contact)
    client, _secret = bearer_client(agency_contact)
    return client


def _b_state(w: dict[str, Any]) -> dict[str, Any]:
    """Everything a refused write on B's objects could have changed."""
    case = w["b_case"]
    return {
        "case": row_state(case),
        "items": list(CaseChecklistItem.objects.filter(case=case).values()),
        "events": CaseEvent.objects.filter(case=case).count(),
        "signoffs": PhaseSignOff.objects.filter(case=case).count(),
        "request": row_state(w["b_request"]),
        "requests": ServiceRequest.objects.count(),
        "cases": ConnectionCase.objects.count(),
        "subscriptions": Subscription.objects.count(),
        "token": row_state(w["b_token"]),
        "memberships": list(Membership.objects.order_by("id").values()),
        "audit": audit_count(),
    }


# (method, path template, how to fill it, body, expected status) for every detail and write.
Refused = tuple[str, str, Callable[[dict[str, Any]], str], dict[str, Any] | None, int]
REFUSED: list[Refused] = [
    (
        "GET",
        "/agencies/{agency_id}",
        lambda w: f"/agencies/{w['b_case'].organisation_id}",
        None,
        404,
    ),
    ("GET", "/cases/{case_id}", lambda w: f"/cases/{w['b_case'].id}", None, 404),
    (
        "POST",
        "/cases/{case_id}/checklist/{item_id}",
        lambda w: f"/cases/{w['b_case'].id}/checklist/{w['b_item'].id}",
        {"done": False, "version": 1},
        404,
    ),
    (
        "POST",
        "/cases/{case_id}/sign-off",
        lambda w: f"/cases/{w['b_case'].id}/sign-off",
        {"version": 1},
        404,
    ),
    (
        "POST",
        "/cases/{case_id}/advance",
        lambda w: f"/cases/{w['b_case'].id}/advance",
        {"version": 3},
        404,
    ),
    (
        "POST",
        "/cases/{case_id}/cancel",
        lambda w: f"/cases/{w['b_case'].id}/cancel",
        {"reason": "x", "version": 3},
        404,
    ),
    # Opening cases is for account managers only: refused before the agency is even looked at.
    ("POST", "/cases", lambda w: "/cases", {"scope": "total"}, 403),
    ("GET", "/requests/{request_id}", lambda w: f"/requests/{w['b_request'].id}", None, 404),
    ("POST", "/requests", lambda w: "/requests", {"service_code": "SAFOS"}, 404),
    (
        "POST",
        "/requests/{request_id}/withdraw",
        lambda w: f"/requests/{w['b_request'].id}/withdraw",
        None,
        404,
    ),
    (
        "POST",
        "/requests/{request_id}/decline",
        lambda w: f"/requests/{w['b_request'].id}/decline",
        None,
        404,
    ),
    (
        "GET",
        "/subscriptions/{subscription_id}",
        lambda w: f"/subscriptions/{w['b_subscription'].id}",
        None,
        404,
    ),
    ("DELETE", "/me/tokens/{token_id}", lambda w: f"/me/tokens/{w['b_token'].id}", None, 404),
    # A's contact administers A; B's members are out of reach, by B's id or through A's.
    (
        "GET",
        "/agencies/{agency_id}/members",
        lambda w: f"/agencies/{w['b_membership'].organisation_id}/members",
        None,
        404,
    ),
    (
        "GET",
        "/agencies/{agency_id}/invitations",
        lambda w: f"/agencies/{w['b_membership'].organisation_id}/invitations",
        None,
        404,
    ),
    (
        "POST",
        "/agencies/{agency_id}/invitations",
        lambda w: f"/agencies/{w['b_membership'].organisation_id}/invitations",
        {"email": "kontakt_a@example.se", "role": "contact"},
        404,
    ),
    (
        "PATCH",
        "/agencies/{agency_id}/members/{membership_id}",
        lambda w: f"/agencies/{w['b_membership'].organisation_id}/members/{w['b_membership'].id}",
        {"role": "member"},
        404,
    ),
    (
        "DELETE",
        "/agencies/{agency_id}/members/{membership_id}",
        lambda w: f"/agencies/{w['a_case'].organisation_id}/members/{w['b_membership'].id}",
        None,
        404,
    ),
]

# Lists: (path template, path to call, what of B's must not appear)
LISTS = [
    ("/agencies", "/agencies?limit=500", "agency"),
    ("/cases", "/cases", "case"),
    ("/requests", "/requests", "request"),
    ("/subscriptions", "/subscriptions?active_only=false", "subscription"),
    ("/me/tokens", "/me/tokens", "token"),
]

# Open to every logged-in caller by design: the catalogue, and the demand report (whose
# figures a customer gets for its own agencies only; see test_demand_report_counts_only_a).
PUBLIC = {("GET", "/services"), ("GET", "/services/{code}"), ("GET", "/reports/demand")}
# Acts on the caller's own user only and takes no id: see test_a_new_token_is_the_callers_own.
OWN_ONLY = {("POST", "/me/tokens")}
# A case's documents: in the generated matrix (tests/security), which covers every operation.
IN_THE_GENERATED_MATRIX = {
    ("GET", "/cases/{case_id}/attachments"),
    ("POST", "/cases/{case_id}/attachments"),
    ("GET", "/cases/{case_id}/attachments/{attachment_id}/download"),
}


def test_the_matrix_covers_every_foundation_endpoint():
    covered = {(method, template) for method, template, *_rest in REFUSED}
    covered |= {("GET", template) for template, _path, _what in LISTS}
    covered |= PUBLIC | OWN_ONLY | IN_THE_GENERATED_MATRIX
    # Operations added since are declared in the generated matrix (tests/security), which calls
    # every declared operation for every role; this older table keeps its own cases.
    covered |= set(GENERATED)
    assert foundation_operations() - covered == set()


@pytest.mark.parametrize(
    ("method", "template", "path", "body", "expected"),
    [(m, t, p, b, e) for m, t, p, b, e in REFUSED],
    ids=[f"{m} {t}" for m, t, *_ in REFUSED],
)
def test_agency_a_is_refused_agency_b_and_nothing_changes(
    a_client, world, other_agency, method, template, path, body, expected
):
    # given
    payload = (
        {**body, "organisation_id": other_agency.id}
        if template in {"/cases", "/requests"}
        else body
    )
    before = _b_state(world)
    # when
    response = call(a_client, method, path(world), payload)
    # then
    assert response.status_code == expected, response.content
    assert response.json()["code"] == ("not_found" if expected == 404 else "forbidden")
    assert _b_state(world) == before


def test_a_missing_id_looks_exactly_like_a_forbidden_one(a_client, world):
    forbidden = call(a_client, "GET", f"/cases/{world['b_case'].id}")
    missing = call(a_client, "GET", "/cases/-1")
    assert (forbidden.status_code, forbidden.json()) == (missing.status_code, missing.json())


@pytest.mark.parametrize(("template", "path", "what"), LISTS, ids=[t for t, _p, _w in LISTS])
def test_lists_never_contain_agency_b_rows(
    a_client, world, agency, other_agency, template, path, what
):
    # given
    b_ids = {
        "agency": {other_agency.id},
        "case": {world["b_case"].id},
        "request": {world["b_request"].id},
        "subscription": {world["b_subscription"].id},
        "token": {world["b_token"].id},
    }[what]
    # when
    response = call(a_client, "GET", path)
    # then
    assert response.status_code == 200
    body = response.json()
    rows = body if isinstance(body, list) else body["items"]
    assert {row["id"] for row in rows}.isdisjoint(b_ids)
    assert all(row.get("organisation", {"id": agency.id})["id"] == agency.id for row in rows)


@pytest.mark.parametrize("path", ["/cases", "/subscriptions"])
def test_filtering_on_agency_b_gives_nothing(a_client, world, other_agency, path):
    body = call(a_client, "GET", f"{path}?organisation={other_agency.id}").json()
    assert (body["count"], body["items"]) == (0, [])


def test_filtering_agencies_by_service_gives_only_a(a_client, world, agency):
    body = call(a_client, "GET", "/agencies?connected_service=EFOS").json()
    assert [row["id"] for row in body["items"]] == [agency.id]


def test_demand_report_counts_only_a(a_client, world):
    body = call(a_client, "GET", "/reports/demand?year=2030&basis=all").json()
    efos = next(row for row in body["rows"] if row["service_code"] == "EFOS")
    assert (efos["requested"], efos["connected"]) == (1, 1)


def test_a_parent_contact_reaches_its_sub_agency_but_not_b(client_for, world, other_agency):
    # given: a parent agency with one sub-agency that has a case, a request and a subscription
    parent = OrganisationFactory(name="Länsstyrelserna", is_group=True, org_number="")
    child = OrganisationFactory(name="Länsstyrelsen i Uppsala län", parent=parent)
    contact = UserFactory(username="lst_kontakt")
    MembershipFactory(user=contact, organisation=parent, role="contact")
    case = open_case(child.id, ["EFOS"])
    asked = ServiceRequestFactory(organisation=child, service=world["efos"])
    sub = SubscriptionFactory(organisation=child, service=world["efos"])
    client = client_for(contact)
    # then
    for path in (
        f"/agencies/{child.id}",
        f"/cases/{case.id}",
        f"/requests/{asked.id}",
        f"/subscriptions/{sub.id}",
    ):
        assert call(client, "GET", path).status_code == 200, path
    assert [r["id"] for r in call(client, "GET", "/cases").json()["items"]] == [case.id]
    assert [r["id"] for r in call(client, "GET", "/requests").json()["items"]] == [asked.id]
    assert [r["id"] for r in call(client, "GET", "/subscriptions").json()["items"]] == [sub.id]
    assert call(client, "GET", f"/cases/{world['b_case'].id}").status_code == 404
    # and as the child's contact it may ask for a service on the child's behalf
    response = call(
        client, "POST", "/requests", {"organisation_id": child.id, "service_code": "SAFOS"}
    )
    assert response.status_code == 201
    assert call(client, "GET", f"/agencies/{other_agency.id}").status_code == 404


def test_a_new_token_is_the_callers_own(client_for, world, agency_contact, other_agency_contact):
    before_b = list(ApiToken.objects.filter(user=other_agency_contact).values())
    response = call(client_for(agency_contact), "POST", "/me/tokens", {"name": "A"})
    assert response.status_code == 201
    assert ApiToken.objects.get(id=response.json()["id"]).user_id == agency_contact.id
    assert list(ApiToken.objects.filter(user=other_agency_contact).values()) == before_b
