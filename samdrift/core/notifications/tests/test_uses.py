"""The real uses, through the domain services and a real SMTP server: a case moving on tells the
agency's contacts and the account managers; a finished checklist tells security; an issued
invoice tells the buyer's finance people. A refused step tells no one."""

from __future__ import annotations

import datetime

import pytest

from samdrift.accounts.selectors import actor_for_user
from samdrift.billing import services as billing
from samdrift.billing.models import Invoice
from samdrift.billing.tests.builders import agency as billing_agency
from samdrift.billing.tests.builders import make_world, price, subscribe, usage_rows
from samdrift.core.exceptions import BusinessRuleViolation
from samdrift.core.notifications.models import Channel, Notification
from samdrift.onboarding import services as onboarding
from samdrift.onboarding.models import ChecklistTemplateItem
from samdrift.tests.factories import OrganisationFactory, ProviderFactory, ServiceFactory

from .conftest import person

pytestmark = pytest.mark.django_db(transaction=True)


def _received(smtp):  # type: ignore[no-untyped-def]
    return sorted((str(m["To"]), str(m["Subject"]).strip()) for m in smtp.mailbox.messages())


@pytest.fixture
def case_world(smtp):
    provider = ProviderFactory(name="Försäkringskassan", org_number="202100-5521")
    other_provider = ProviderFactory(name="Skatteverket IT", org_number="202100-5448")
    agency = OrganisationFactory(name="Myndighet Ä")
    ChecklistTemplateItem.objects.create(phase="initiate", text_sv="Avtal", text_en="Agreement")
    ChecklistTemplateItem.objects.create(phase="plan", text_sv="Plan", text_en="Plan")
    ServiceFactory(code="EFOS", provider=provider)
    return {
        "manager": person("kundansvarig", org=provider, role="account_manager"),
        "second_manager": person("kundansvarig2", org=provider, role="account_manager"),
        "security": person("sakerhet", org=provider, role="security"),
        "other_security": person("sakerhet.skv", org=other_provider, role="security"),
        "contact": person("kontakt", org=agency, role="contact", email="kontakt@myndighet-a.test"),
        "member": person("medlem", org=agency, role="member"),
        "agency": agency,
    }


def _open_and_check(w):  # type: ignore[no-untyped-def]
    manager = actor_for_user(w["manager"])
    case = onboarding.case_open(
        actor=manager, organisation_id=w["agency"].id, scope="single", service_codes=["EFOS"]
    )
    (item,) = case.checklist_items.filter(phase="initiate")
    onboarding.checklist_set(actor=manager, case=case, item_id=item.id, done=True)
    case.refresh_from_db()
    return manager, case


def test_a_finished_checklist_tells_the_providers_security_role(case_world, smtp):
    w = case_world
    _open_and_check(w)
    assert _received(smtp) == [
        ("sakerhet@myndighet.test", "Säkerhetsgodkännande behövs: Myndighet Ä, fasen Initiera")
    ]
    # Only the provider of the case's services: another provider's security hears nothing.
    assert not Notification.objects.filter(recipient=w["other_security"]).exists()


def test_advancing_tells_contacts_and_account_managers_not_the_actor(case_world, smtp):
    w = case_world
    manager, case = _open_and_check(w)
    onboarding.phase_sign_off(actor=actor_for_user(w["security"]), case=case)
    case.refresh_from_db()
    smtp.mailbox.received.clear()

    onboarding.case_advance(actor=manager, case=case, expected_version=case.version)

    subject = "Anslutningsärendet för Myndighet Ä är nu i fasen Planera"
    assert _received(smtp) == [
        ("kontakt@myndighet-a.test", subject),
        ("kundansvarig2@myndighet.test", subject),
    ]
    inbox = Notification.objects.filter(kind="case_advanced", channel=Channel.IN_APP)
    assert set(inbox.values_list("recipient_id", flat=True)) == {
        w["contact"].id,
        w["second_manager"].id,
    }
    assert inbox.first().link == f"/connections/{case.id}/"  # type: ignore[union-attr]


def test_a_refused_advance_tells_no_one(case_world, smtp):
    w = case_world
    manager = actor_for_user(w["manager"])
    case = onboarding.case_open(
        actor=manager, organisation_id=w["agency"].id, scope="single", service_codes=["EFOS"]
    )
    before = Notification.objects.count()
    with pytest.raises(BusinessRuleViolation):
        onboarding.case_advance(actor=manager, case=case)
    assert Notification.objects.count() == before
    assert not Notification.objects.filter(kind="case_advanced").exists()


def test_an_issued_invoice_tells_the_buyers_finance_people_else_its_contacts(smtp):
    world = make_world(("ARBETSPLATS",))
    with_finance = billing_agency(world, "Myndighet F", org_number="202100-2742")
    contacts_only = billing_agency(world, "Myndighet K", org_number="202100-5489")
    silent = billing_agency(world, "Myndighet T", org_number="202100-6255")
    for org in (with_finance, contacts_only, silent):
        subscribe(org, world.services["ARBETSPLATS"])
    price(world, "ARBETSPLATS", "450.50", datetime.date(2024, 1, 1))
    rows = []
    for org in (with_finance, contacts_only, silent):
        rows += usage_rows(org, "ARBETSPLATS", 2024, 10, range(1, 2))
    billing.record_usage(actor=world.finance, rows=rows)
    # A customer agency holds no finance role today; the database allows one, and a later
    # customer role may: then it is told instead of the contacts.
    person("ekonomi.f", org=with_finance, role="finance", email="ekonomi@f.test")
    person("kontakt.f", org=with_finance, role="contact", email="kontakt@f.test")
    person("kontakt.k", org=contacts_only, role="contact", email="kontakt@k.test")

    billing.run_period(actor=world.finance, period="2024-01")
    assert smtp.mailbox.received == []  # drafts tell no one
    billing.finalise_run(actor=world.finance, period="2024-01")

    numbers = dict(Invoice.objects.values_list("buyer__name", "number"))
    assert _received(smtp) == [
        ("ekonomi@f.test", f"Faktura {numbers['Myndighet F']} till Myndighet F är utfärdad"),
        ("kontakt@k.test", f"Faktura {numbers['Myndighet K']} till Myndighet K är utfärdad"),
    ]
    (message,) = [m for m in smtp.mailbox.messages() if str(m["To"]) == "ekonomi@f.test"]
    text = message.get_body(preferencelist=("plain",)).get_content()  # type: ignore[union-attr]
    assert "Belopp att betala: 4 505,00 kr" in text
    invoice = Invoice.objects.get(buyer=with_finance)
    assert f"https://samdrift.test/billing/invoices/{invoice.id}/" in text
