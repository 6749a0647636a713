"""The connection case through its pages, as the account manager and security officer use it."""

from __future__ import annotations

import pytest

from samdrift.audit.models import AuditEvent
from samdrift.onboarding.models import (
    ChecklistTemplateItem,
    ConnectionCase,
    ServiceRequest,
    Subscription,
)
from samdrift.tests.factories import ServiceFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def efos():
    ChecklistTemplateItem.objects.create(
        phase="initiate", text_sv="Behov beskrivet", text_en="Needs described"
    )
    return ServiceFactory(code="EFOS")


def test_open_check_sign_off_and_advance_through_pages(
    efos, agency, account_manager, security_officer, client_for
):
    manager, security = client_for(account_manager), client_for(security_officer)
    response = manager.post(
        "/connections/new/",
        {
            "organisation": agency.id,
            "scope": "single",
            "services": ["EFOS"],
            "agreement_basis": "assignment",
            "opened_on": "2026-11-01",
        },
    )
    case = ConnectionCase.objects.get()
    assert response.status_code == 302 and response["Location"] == f"/connections/{case.id}/"
    item = case.checklist_items.get()
    manager.post(
        f"/connections/{case.id}/checklist/{item.id}/", {"version": case.version, "done": "1"}
    )
    case.refresh_from_db()
    security.post(f"/connections/{case.id}/sign-off/", {"version": case.version, "comment": "OK"})
    case.refresh_from_db()
    manager.post(f"/connections/{case.id}/advance/", {"version": case.version})
    case.refresh_from_db()
    assert case.phase == "plan"
    page = manager.get(f"/connections/{case.id}/").content.decode()
    assert "Säkerhet godkände" in page or "signed off" in page.lower() or "godkän" in page.lower()


def test_advance_without_sign_off_explains_in_swedish_and_changes_nothing(
    efos, agency, account_manager, client_for
):
    manager = client_for(account_manager)
    manager.post(
        "/connections/new/",
        {
            "organisation": agency.id,
            "scope": "single",
            "services": ["EFOS"],
            "agreement_basis": "assignment",
            "opened_on": "2026-11-01",
        },
    )
    case = ConnectionCase.objects.get()
    events = AuditEvent.objects.count()
    response = manager.post(
        f"/connections/{case.id}/advance/", {"version": case.version}, follow=True
    )
    case.refresh_from_db()
    assert case.phase == "initiate"
    assert AuditEvent.objects.count() == events
    body = response.content.decode()
    assert "checklista" in body.lower()


def test_stale_page_gets_a_clear_message(efos, agency, account_manager, client_for):
    manager = client_for(account_manager)
    manager.post(
        "/connections/new/",
        {
            "organisation": agency.id,
            "scope": "single",
            "services": ["EFOS"],
            "agreement_basis": "assignment",
            "opened_on": "2026-11-01",
        },
    )
    case = ConnectionCase.objects.get()
    item = case.checklist_items.get()
    stale_version = case.version
    manager.post(
        f"/connections/{case.id}/checklist/{item.id}/", {"version": stale_version, "done": "1"}
    )
    response = manager.post(
        f"/connections/{case.id}/checklist/{item.id}/",
        {"version": stale_version, "done": "0"},
        follow=True,
    )
    item.refresh_from_db()
    assert item.done_at is not None
    assert "ladda om" in response.content.decode().lower()


def test_single_service_case_needs_a_service_and_form_says_so_in_english(
    agency, account_manager, client_for
):
    client = client_for(account_manager)
    client.cookies["django_language"] = "en"
    response = client.post(
        "/connections/new/",
        {
            "organisation": agency.id,
            "scope": "single",
            "agreement_basis": "assignment",
            "opened_on": "2026-11-01",
        },
    )
    assert response.status_code == 200
    assert "Choose at least one service" in response.content.decode()
    assert not ConnectionCase.objects.exists()


def test_customer_asks_for_a_service_through_the_form(efos, agency, agency_orderer, client_for):
    client = client_for(agency_orderer)
    response = client.post(
        "/connections/requests/new/", {"organisation": agency.id, "service": "EFOS", "note": ""}
    )
    assert response.status_code == 302
    assert ServiceRequest.objects.get().organisation == agency
    assert not Subscription.objects.exists()


def test_checklist_configuration_adds_and_retires_items(
    account_manager, agency_contact, client_for
):
    manager = client_for(account_manager)
    manager.post(
        "/connections/checklists/",
        {"phase": "plan", "text_sv": "Avtal klart", "text_en": "Agreement done"},
    )
    item = ChecklistTemplateItem.objects.get(phase="plan")
    manager.post("/connections/checklists/", {"item": item.id, "active": "0"})
    item.refresh_from_db()
    assert not item.active
    assert (
        AuditEvent.objects.filter(action__startswith="onboarding.checklist_template").count() == 2
    )

    customer = client_for(agency_contact)
    customer.post("/connections/checklists/", {"phase": "plan", "text_sv": "X", "text_en": "Y"})
    customer.post("/connections/checklists/", {"item": item.id, "active": "1"})
    item.refresh_from_db()
    assert not item.active
    assert ChecklistTemplateItem.objects.count() == 1
