"""The start page and its selectors (issue 21 item 4, ADR 0705): every role sees its own next
tasks, never another agency's or another provider's, in a number of queries that does not grow
with the data."""

from __future__ import annotations

import datetime
from typing import Any

import pytest
from django.conf import settings
from django.test import Client
from django.utils import timezone

from samdrift.accounts.selectors import actor_for_user
from samdrift.billing import selectors as billing
from samdrift.billing.models import Invoice
from samdrift.core.actor import SYSTEM
from samdrift.onboarding import selectors as onboarding
from samdrift.onboarding import services as onboarding_services
from samdrift.operations import selectors as operations
from samdrift.operations import services as operations_services
from samdrift.tests.factories import (
    MembershipFactory,
    OrganisationFactory,
    SecondProviderFactory,
    ServiceFactory,
    ServiceRequestFactory,
    SubscriptionFactory,
    UserFactory,
)
from tests.api.support import checklist_templates, open_case

pytestmark = pytest.mark.django_db


def invoice_for(seller: Any, buyer: Any, status: str, number: str) -> Invoice:
    today = timezone.localdate()
    return Invoice.objects.create(
        status=status,
        seller=seller,
        buyer=buyer,
        period=today.replace(day=1),
        number=number,
        issue_date=today,
        due_date=today + datetime.timedelta(days=30),
        buyer_reference="start",
        total_ore=100_00,
        finalised_at=timezone.now() if status == "finalised" else None,
    )


def _agency_data(org: Any, service: Any, seller: Any, contact: Any, tag: str) -> dict[str, Any]:
    """One customer's case, pending request, subscription, new invoice, draft and incident."""
    SubscriptionFactory(organisation=org, service=service)
    return {
        "case": open_case(org.id, [service.code]),
        "request": ServiceRequestFactory(
            organisation=org, service=service, requested_on=timezone.localdate()
        ),
        "invoice": invoice_for(seller, org, "finalised", f"F-{tag}"),
        "draft": invoice_for(seller, org, "draft", f"D-{tag}"),
        "incident": operations_services.incident_open(
            actor=actor_for_user(contact),
            service_code=service.code,
            title=f"Störning {tag}",
            impact=2,
            urgency=2,
            organisation_id=org.pk,
        ),
    }


@pytest.fixture
def tasks_world(provider: Any, agency: Any, other_agency: Any, agency_contact: Any) -> Any:
    """Agency A is Försäkringskassan's customer, agency B the second provider's."""
    checklist_templates()
    second = SecondProviderFactory()
    other_contact = UserFactory(username="kontakt_b")
    MembershipFactory(user=other_contact, organisation=other_agency, role="contact")
    own = _agency_data(agency, ServiceFactory(provider=provider), provider, agency_contact, "A")
    other = _agency_data(other_agency, ServiceFactory(provider=second), second, other_contact, "B")
    return {"own": own, "other": other, "second": second}


def _page(user: Any, language: str = "en") -> str:
    client = Client()
    client.cookies[settings.LANGUAGE_COOKIE_NAME] = language
    client.force_login(user)
    response = client.get("/")
    assert response.status_code == 200
    return response.content.decode()


def _task_keys(html: str) -> set[str]:
    return {part.split('"', 1)[0] for part in html.split('aria-labelledby="task-')[1:]}


def test_security_sees_phases_waiting_for_sign_off_of_its_own_providers_customers(
    tasks_world, security_officer, agency
):
    html = _page(security_officer)
    assert _task_keys(html) == {"signoff", "incidents"}
    assert "Phases waiting for your sign-off" in html
    assert f'href="/connections/{tasks_world["own"]["case"].pk}/"' in html
    assert "Myndighet B" not in html and "Störning B" not in html
    actor = actor_for_user(security_officer)
    assert list(onboarding.phases_awaiting_signoff(actor=actor)) == [tasks_world["own"]["case"]]
    # Signed off: the phase waits no more.
    case = tasks_world["own"]["case"]
    onboarding_services.phase_sign_off(actor=actor, case=case)
    assert list(onboarding.phases_awaiting_signoff(actor=actor)) == []
    assert "No phase is waiting for security" in _page(security_officer)


def test_account_manager_sees_requests_to_answer_not_another_providers(
    tasks_world, account_manager
):
    html = _page(account_manager)
    assert _task_keys(html) == {"requests"}
    assert "Myndighet A → " in html and "Myndighet B" not in html
    actor = actor_for_user(account_manager)
    assert list(onboarding.requests_to_answer(actor=actor)) == [tasks_world["own"]["request"]]


def test_finance_sees_its_own_providers_drafts_only(tasks_world, provider):
    finance = UserFactory(username="ekonom")
    MembershipFactory(user=finance, organisation=provider, role="finance")
    html = _page(finance)
    assert _task_keys(html) == {"drafts"}
    assert "D-A" in html and "D-B" not in html and "F-A" not in html
    drafts = billing.drafts_to_finalise(actor=actor_for_user(finance))
    assert drafts is not None and list(drafts) == [tasks_world["own"]["draft"]]


def test_service_manager_sees_new_incidents_on_its_providers_services(tasks_world, service_manager):
    html = _page(service_manager)
    assert _task_keys(html) == {"incidents"}
    assert "Störning A" in html and "Störning B" not in html
    incidents = operations.incidents_to_take(actor=actor_for_user(service_manager))
    assert incidents is not None and [i.title for i in incidents] == ["Störning A"]


@pytest.mark.parametrize("role", ["contact", "orderer"])
def test_customer_sees_own_agencys_cases_requests_invoices_and_incidents(tasks_world, agency, role):
    user = UserFactory(username=f"kund_{role}")
    MembershipFactory(user=user, organisation=agency, role=role)
    html = _page(user)
    assert _task_keys(html) == {"own_cases", "own_requests", "new_invoices", "own_incidents"}
    assert "F-A" in html and "Störning A" in html
    for marker in ("Myndighet B", "F-B", "D-A", "Störning B"):
        assert marker not in html  # no other agency's, and no draft
    actor = actor_for_user(user)
    since = timezone.localdate() - datetime.timedelta(days=45)
    assert list(billing.new_invoices(actor=actor, since=since) or []) == [
        tasks_world["own"]["invoice"]
    ]
    assert list(onboarding.own_open_cases(actor=actor) or []) == [tasks_world["own"]["case"]]
    assert list(onboarding.own_pending_requests(actor=actor) or []) == [
        tasks_world["own"]["request"]
    ]
    own_incidents = operations.open_incidents_affecting_own(actor=actor) or []
    assert [i.title for i in own_incidents] == ["Störning A"]


def test_member_reads_no_invoices_and_a_provider_role_no_customer_task(tasks_world, agency_member):
    assert _task_keys(_page(agency_member)) == {"own_cases", "own_requests", "own_incidents"}
    actor = actor_for_user(agency_member)
    assert billing.new_invoices(actor=actor, since=timezone.localdate()) is None
    assert billing.drafts_to_finalise(actor=actor) is None
    assert onboarding.phases_awaiting_signoff(actor=actor) is None
    assert operations.incidents_to_take(actor=actor) is None


def test_a_person_without_a_role_is_told_why_nothing_waits():
    html = _page(UserFactory(username="ingen"), "sv")
    assert "Du har ännu ingen roll" in html
    assert 'href="/profile/"' in html


def test_the_start_page_is_swedish_in_swedish(tasks_world, security_officer):
    html = _page(security_officer, "sv")
    assert "Faser som väntar på ditt godkännande" in html
    assert '<html lang="sv">' in html


def test_the_start_page_needs_a_login():
    response = Client().get("/")
    assert response.status_code == 302 and "/accounts/login/" in response["Location"]


def test_login_lands_on_the_start_page():
    assert settings.LOGIN_REDIRECT_URL == "ui:start"


def _more(tasks_world: Any, provider: Any, agency: Any, n: int) -> None:
    service = ServiceFactory(provider=provider)
    SubscriptionFactory(organisation=agency, service=service)
    for i in range(n):
        org = OrganisationFactory(name=f"Fler {i}")
        open_case(org.id, [service.code])
        ServiceRequestFactory(organisation=org, service=service)
        ServiceRequestFactory(organisation=agency, service=service)
        open_case(agency.id, [service.code])
        invoice_for(provider, agency, "finalised", f"F-more-{i}")
        invoice_for(provider, org, "draft", f"D-more-{i}")
        operations_services.incident_open(
            actor=SYSTEM, service_code=service.code, title=f"Fler {i}", impact=3, urgency=3
        )


@pytest.mark.parametrize(
    "role", ["security", "account_manager", "finance", "service_manager", "contact", "orderer"]
)
def test_query_count_does_not_grow_with_the_data(
    tasks_world, provider, agency, role, django_assert_max_num_queries
):
    user = UserFactory(username=f"q_{role}")
    MembershipFactory(
        user=user,
        organisation=agency if role in ("contact", "orderer") else provider,
        role=role,
    )
    client = Client()
    client.force_login(user)
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    with CaptureQueriesContext(connection) as small:
        assert client.get("/").status_code == 200
    _more(tasks_world, provider, agency, 8)
    with django_assert_max_num_queries(len(small.captured_queries)):
        html = client.get("/").content.decode()
    assert "in all" in html or "totalt" in html  # more rows than shown: the page says how many
