"""An issued invoice tells the buyer's finance people (else its contacts), through the invoice
run and a real SMTP server; drafts tell no one."""

from __future__ import annotations

import datetime
from collections.abc import Iterator
from typing import Any

import pytest

from samdrift.billing import services as billing
from samdrift.billing.models import Invoice
from samdrift.core.notifications.testing import SmtpServer, smtp_server
from samdrift.tests.factories import MembershipFactory, UserFactory

from .builders import agency, make_world, price, subscribe, usage_rows

pytestmark = pytest.mark.django_db(transaction=True)


@pytest.fixture
def smtp(settings) -> Iterator[SmtpServer]:  # type: ignore[no-untyped-def]
    yield from smtp_server(settings)


def person(username: str, org: Any, role: str, email: str) -> Any:
    user = UserFactory(username=username, email=email)
    MembershipFactory(user=user, organisation=org, role=role)
    return user


def test_an_issued_invoice_tells_the_buyers_finance_people_else_its_contacts(smtp):
    world = make_world(("ARBETSPLATS",))
    with_finance = agency(world, "Myndighet F", org_number="202100-2742")
    contacts_only = agency(world, "Myndighet K", org_number="202100-5489")
    silent = agency(world, "Myndighet T", org_number="202100-6255")
    for org in (with_finance, contacts_only, silent):
        subscribe(org, world.services["ARBETSPLATS"])
    price(world, "ARBETSPLATS", "450.50", datetime.date(2024, 1, 1))
    rows = []
    for org in (with_finance, contacts_only, silent):
        rows += usage_rows(org, "ARBETSPLATS", 2024, 10, range(1, 2))
    billing.record_usage(actor=world.finance, rows=rows)
    # A customer agency holds no finance role today; the database allows one, and a later
    # customer role may: then it is told instead of the contacts.
    person("ekonomi.f", with_finance, "finance", "ekonomi@f.test")
    person("kontakt.f", with_finance, "contact", "kontakt@f.test")
    person("kontakt.k", contacts_only, "contact", "kontakt@k.test")

    billing.run_period(actor=world.finance, period="2024-01")
    assert smtp.mailbox.received == []  # drafts tell no one
    billing.finalise_run(actor=world.finance, period="2024-01")

    numbers = dict(Invoice.objects.values_list("buyer__name", "number"))
    assert smtp.mailbox.subjects() == [
        ("ekonomi@f.test", f"Faktura {numbers['Myndighet F']} till Myndighet F är utfärdad"),
        ("kontakt@k.test", f"Faktura {numbers['Myndighet K']} till Myndighet K är utfärdad"),
    ]
    (message,) = [m for m in smtp.mailbox.messages() if str(m["To"]) == "ekonomi@f.test"]
    text = message.get_body(preferencelist=("plain",)).get_content()  # type: ignore[union-attr]
    assert "Belopp att betala: 4 505,00 kr" in text
    invoice = Invoice.objects.get(buyer=with_finance)
    assert f"https://samdrift.test/billing/invoices/{invoice.id}/" in text
    # Finalising again (already final) tells no one twice.
    billing.finalise_run(actor=world.finance, period="2024-01")
    assert len(smtp.mailbox.received) == 2
