"""Billing pages: tenancy on every page, the finance flow, refused writes change nothing."""

from __future__ import annotations

import datetime

import pytest

from samdrift.audit.models import AuditEvent
from samdrift.billing import services
from samdrift.billing.models import Invoice, PriceVersion
from samdrift.tests.factories import MembershipFactory, UserFactory

from .builders import agency, make_world, price, subscribe, usage_rows


@pytest.fixture
def world(db):
    world = make_world()
    a, b = agency(world, "Myndighet A"), agency(world, "Myndighet B")
    for org in (a, b):
        subscribe(org, world.services["ARBETSPLATS"])
    price(world, "ARBETSPLATS", "400", datetime.date(2024, 1, 1))
    services.record_usage(
        actor=world.finance,
        rows=[
            *usage_rows(a, "ARBETSPLATS", 2024, 10, range(1, 3)),
            *usage_rows(b, "ARBETSPLATS", 2024, 20, range(1, 3)),
        ],
    )
    services.run_period(actor=world.finance, period="2024-01", finalise=True)
    services.run_period(actor=world.finance, period="2024-02")
    services.import_costs(
        actor=world.finance,
        rows=[
            {
                "period": "2024-12",
                "cost_pool": "direkt",
                "service": "ARBETSPLATS",
                "amount": "100000",
                "voucher": "K1",
            }
        ],
    )
    return world


def member(org, role, username):
    user = UserFactory(username=username)
    MembershipFactory(user=user, organisation=org, role=role)
    return user


@pytest.fixture
def users(world):
    return {
        "a": member(world.agencies["Myndighet A"], "contact", "kontakt_a"),
        "finance": member(world.provider, "finance", "ekonomi3"),
    }


SHARED = [
    "/billing/",
    "/billing/usage/",
    "/billing/ledger/",
    "/billing/prices/",
    "/billing/invoices/export/?format=csv",
]
PROVIDER_ONLY = [
    "/billing/runs/",
    "/billing/costs/?year=2024",
    "/billing/report/",
    "/billing/report/export/?format=csv",
]


def test_every_page_renders_for_finance_in_both_languages(world, users, client_for):
    client = client_for(users["finance"])
    finalised = Invoice.objects.filter(status="finalised").first()
    pages = [
        *SHARED,
        *PROVIDER_ONLY,
        "/billing/runs/2024-01/",
        f"/billing/invoices/{finalised.pk}/",
        f"/billing/invoices/{finalised.pk}/ubl/",
        "/billing/report/export/?format=xlsx",
    ]
    for language in ("sv", "en"):
        client.cookies["django_language"] = language
        for url in pages:
            response = client.get(url)
            assert response.status_code == 200, (url, language)


def test_customer_pages_show_only_its_own_agency(world, users, client_for):
    client = client_for(users["a"])
    mine = Invoice.objects.get(buyer__name="Myndighet A", status="finalised")
    theirs = Invoice.objects.get(buyer__name="Myndighet B", status="finalised")
    draft = Invoice.objects.get(buyer__name="Myndighet A", status="draft")
    for url in SHARED:
        body = client.get(url).content.decode()
        assert "Myndighet B" not in body, url
    assert "Myndighet A" in client.get("/billing/ledger/?year=2024").content.decode()
    assert client.get(f"/billing/invoices/{mine.pk}/").status_code == 200
    assert client.get(f"/billing/invoices/{mine.pk}/ubl/").status_code == 200
    for url in (
        f"/billing/invoices/{theirs.pk}/",
        f"/billing/invoices/{theirs.pk}/ubl/",
        f"/billing/invoices/{theirs.pk}/pdf/",
        f"/billing/invoices/{draft.pk}/",
        "/billing/invoices/999999/",
        "/billing/runs/2024-01/",
    ):
        assert client.get(url).status_code == 404, url
    for url in PROVIDER_ONLY:
        assert client.get(url).status_code == 403, url
    assert client_for(None).get("/billing/").status_code == 302


def test_customer_cannot_credit_finalise_or_price(world, users, client_for):
    client = client_for(users["a"])
    mine = Invoice.objects.get(buyer__name="Myndighet A", status="finalised")
    theirs = Invoice.objects.get(buyer__name="Myndighet B", status="finalised")
    before = (
        Invoice.objects.count(),
        PriceVersion.objects.count(),
        AuditEvent.objects.count(),
        Invoice.objects.filter(status="draft").count(),
    )
    assert client.post(f"/billing/invoices/{mine.pk}/credit/", {"reason": "x"}).status_code == 403
    assert client.post(f"/billing/invoices/{theirs.pk}/credit/", {"reason": "x"}).status_code == 404
    assert client.post("/billing/runs/2024-02/finalise/").status_code == 403
    assert client.post("/billing/runs/", {"period": "2024-03"}).status_code == 403
    assert (
        client.post(
            "/billing/prices/",
            {
                "service": "ARBETSPLATS",
                "model": "per_unit",
                "basis": "month",
                "unit_price": "1",
                "valid_from": "2024-05-01",
                "decision_ref": "x",
                "decision_date": "2024-01-01",
            },
        ).status_code
        == 403
    )
    assert before == (
        Invoice.objects.count(),
        PriceVersion.objects.count(),
        AuditEvent.objects.count(),
        Invoice.objects.filter(status="draft").count(),
    )


def test_finance_previews_finalises_and_credits_through_the_pages(world, users, client_for):
    client = client_for(users["finance"])
    preview = client.get("/billing/runs/2024-02/").content.decode()
    assert "Myndighet B" in preview and 'action="/billing/runs/2024-02/finalise/"' in preview
    assert client.post("/billing/runs/2024-02/finalise/").status_code == 302
    assert not Invoice.objects.filter(status="draft").exists()
    invoice = Invoice.objects.get(buyer__name="Myndighet A", period=datetime.date(2024, 2, 1))
    response = client.post(f"/billing/invoices/{invoice.pk}/credit/", {"reason": "Fel volym"})
    assert response.status_code == 302
    assert Invoice.objects.filter(kind="credit_note", credited_invoice=invoice).count() == 1
    bad = client.post(
        "/billing/prices/",
        {
            "service": "ARBETSPLATS",
            "model": "per_unit",
            "basis": "month",
            "unit_price": "1",
            "valid_from": "2024-01-01",
            "decision_ref": "B",
            "decision_date": "2024-01-01",
        },
    )
    assert bad.status_code == 200 and PriceVersion.objects.count() == 1
