"""The cross-agency matrix over every foundation page: another agency's objects are 404, lists
never show them, refused writes change nothing, and a parent's contact sees its sub-agencies."""

from __future__ import annotations

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from samdrift.audit.models import AuditEvent
from samdrift.onboarding.models import ConnectionCase, ServiceRequest
from samdrift.tests.factories import (
    ConnectionCaseFactory,
    OrganisationFactory,
    ServiceFactory,
    ServiceRequestFactory,
    SubscriptionFactory,
)

pytestmark = pytest.mark.django_db


@pytest.fixture
def world(agency, other_agency):
    service = ServiceFactory(code="EFOS")
    return {
        "mine": ConnectionCaseFactory(organisation=agency),
        "theirs": ConnectionCaseFactory(organisation=other_agency),
        "their_request": ServiceRequestFactory(organisation=other_agency, service=service),
        "their_subscription": SubscriptionFactory(organisation=other_agency, service=service),
    }


def _detail_urls(world, other_agency):
    theirs = world["theirs"]
    return [f"/agencies/{other_agency.id}/", f"/connections/{theirs.id}/"]


def _write_urls(world):
    theirs = world["theirs"]
    return [
        (f"/connections/{theirs.id}/advance/", {"version": theirs.version}),
        (f"/connections/{theirs.id}/sign-off/", {"version": theirs.version}),
        (f"/connections/{theirs.id}/cancel/", {"version": theirs.version, "reason": "x"}),
        (f"/connections/{theirs.id}/checklist/1/", {"version": theirs.version, "done": "1"}),
        (f"/connections/requests/{world['their_request'].id}/withdraw/", {}),
        (f"/connections/requests/{world['their_request'].id}/decline/", {}),
    ]


@pytest.mark.parametrize("role_fixture", ["agency_member", "agency_contact", "agency_orderer"])
def test_other_agencys_objects_are_not_found(
    request, world, other_agency, client_for, role_fixture
):
    client = client_for(request.getfixturevalue(role_fixture))
    for url in _detail_urls(world, other_agency):
        assert client.get(url).status_code == 404, url


@pytest.mark.parametrize("role_fixture", ["agency_member", "agency_contact", "agency_orderer"])
def test_refused_writes_change_nothing(request, world, client_for, role_fixture):
    client = client_for(request.getfixturevalue(role_fixture))
    before = (
        list(ConnectionCase.objects.values()),
        list(ServiceRequest.objects.values()),
        AuditEvent.objects.count(),
    )
    for url, data in _write_urls(world):
        assert client.post(url, data).status_code == 404, url
    after = (
        list(ConnectionCase.objects.values()),
        list(ServiceRequest.objects.values()),
        AuditEvent.objects.count(),
    )
    assert after == before


def test_lists_never_show_another_agencys_rows(
    world, agency, other_agency, agency_contact, client_for
):
    client = client_for(agency_contact)
    for url in ["/agencies/", "/connections/", "/connections/requests/", "/"]:
        body = client.get(url).content.decode()
        assert other_agency.name not in body, url
    assert agency.name in client.get("/agencies/").content.decode()


def test_demand_report_counts_only_own_agencies(world, agency_contact, provider_admin, client_for):
    own = client_for(agency_contact).get(
        "/connections/demand/?year=2021&basis=assignment&format=csv"
    )
    everyone = client_for(provider_admin).get(
        "/connections/demand/?year=2021&basis=assignment&format=csv"
    )
    own_efos = next(line for line in own.content.decode().splitlines() if line.startswith("EFOS;"))
    all_efos = next(
        line for line in everyone.content.decode().splitlines() if line.startswith("EFOS;")
    )
    assert own_efos.split(";")[2:4] == ["0", "0"]
    assert all_efos.split(";")[2:4] == ["1", "1"]


def test_parent_contact_sees_sub_agencies_but_not_siblings(client_for):
    from samdrift.tests.factories import MembershipFactory, UserFactory

    parent = OrganisationFactory(name="Domstolsverket")
    court = OrganisationFactory(name="Solna tingsrätt", parent=parent)
    stranger = OrganisationFactory(name="Annat verk")
    court_case = ConnectionCaseFactory(organisation=court)
    stranger_case = ConnectionCaseFactory(organisation=stranger)
    contact = UserFactory(username="dv_contact")
    MembershipFactory(user=contact, organisation=parent, role="contact")
    member = UserFactory(username="dv_member")
    MembershipFactory(user=member, organisation=parent, role="member")

    assert client_for(contact).get(f"/connections/{court_case.id}/").status_code == 200
    assert client_for(contact).get(f"/agencies/{court.id}/").status_code == 200
    assert client_for(contact).get(f"/connections/{stranger_case.id}/").status_code == 404
    assert client_for(member).get(f"/connections/{court_case.id}/").status_code == 404


def test_anonymous_is_sent_to_login(world, client_for):
    response = client_for().get(f"/connections/{world['mine'].id}/")
    assert response.status_code == 302
    assert response["Location"].startswith("/accounts/login/")


@pytest.mark.parametrize(
    "url",
    [
        "/",
        "/agencies/",
        "/connections/",
        "/connections/requests/",
        "/catalogue/",
        "/connections/demand/?year=2021",
    ],
)
def test_list_pages_use_the_same_number_of_queries_as_rows_grow(url, provider_admin, client_for):
    client = client_for(provider_admin)
    service = ServiceFactory(code="CAP")

    def grow(n):
        for _ in range(n):
            org = OrganisationFactory()
            ConnectionCaseFactory(organisation=org).services.add(service)
            ServiceRequestFactory(organisation=org, service=service)
            SubscriptionFactory(organisation=org, service=service)

    grow(3)
    client.get(url)  # warm caches (content types, sessions)
    with CaptureQueriesContext(connection) as small:
        assert client.get(url).status_code == 200
    grow(20)
    with CaptureQueriesContext(connection) as large:
        assert client.get(url).status_code == 200
    assert len(large) == len(small), [q["sql"][:120] for q in large.captured_queries]


def test_an_agencys_administrator_cannot_manage_another_agencys_members(
    agency, other_agency, agency_contact, other_agency_contact, client_for
):
    from samdrift.organisations.models import Membership

    client = client_for(agency_contact)  # the administrator (contact) of A
    theirs = Membership.objects.get(user=other_agency_contact)
    before = (list(Membership.objects.order_by("id").values()), AuditEvent.objects.count())
    posts = [
        (f"/agencies/{other_agency.id}/invitations/", {"email": "a@b.se", "role": "contact"}),
        (f"/agencies/{other_agency.id}/members/{theirs.id}/role/", {"role": "member"}),
        (f"/agencies/{other_agency.id}/members/{theirs.id}/end/", {}),
        # B's membership through A's own page
        (f"/agencies/{agency.id}/members/{theirs.id}/role/", {"role": "member"}),
        (f"/agencies/{agency.id}/members/{theirs.id}/end/", {}),
    ]
    for url, data in posts:
        assert client.post(url, data).status_code == 404, url
    assert "kontakt_b" not in client.get(f"/agencies/{agency.id}/").content.decode()
    after = (list(Membership.objects.order_by("id").values()), AuditEvent.objects.count())
    assert after == before
