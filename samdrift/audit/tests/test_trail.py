"""Issue 10 item 4: the provider searches and exports the trail; reads of sensitive objects are
recorded as events of kind `read`."""

from __future__ import annotations

import csv
import datetime
import io

import pytest
from django.db import transaction
from django.test import Client
from django.utils import timezone

from samdrift.audit.models import AuditEvent
from samdrift.audit.services import audit_record
from samdrift.billing import services as billing
from samdrift.billing.models import Invoice
from samdrift.billing.tests.builders import agency, make_world, price, subscribe, usage_rows
from samdrift.core.actor import SYSTEM
from samdrift.tests.factories import MembershipFactory, UserFactory

pytestmark = pytest.mark.django_db


def _login(user) -> Client:
    client = Client()
    client.force_login(user)
    return client


def _events(n: int, organisation_id: int | None = None, object_type: str = "test.thing") -> None:
    with transaction.atomic():
        for i in range(n):
            audit_record(actor=SYSTEM, action="test.done", object_type=object_type, object_id=i,
                         organisation_id=organisation_id)  # fmt: skip


def test_provider_staff_search_filters_and_pages(security_officer, agency, other_agency):
    _events(60, organisation_id=agency.id)
    _events(3, organisation_id=other_agency.id, object_type="test.other")
    client = _login(security_officer)
    page = client.get("/audit/", {"object_type": "test.thing"})
    assert page.status_code == 200
    assert page.context["paginator"].count == 60
    assert len(page.context["events"]) == 50
    second = client.get("/audit/", {"object_type": "test.thing", "page": 2})
    assert len(second.context["events"]) == 10
    assert "object_type=test.thing" in second.context["querystring"]
    narrowed = client.get("/audit/", {"organisation": other_agency.id})
    assert {e.object_type for e in narrowed.context["events"]} == {"test.other"}
    by_id = client.get("/audit/", {"object_type": "test.thing", "object_id": "7"})
    assert [e.object_id for e in by_id.context["events"]] == ["7"]
    tomorrow = (timezone.localdate() + datetime.timedelta(days=1)).isoformat()
    assert client.get("/audit/", {"since": tomorrow}).context["paginator"].count == 0


def test_bad_dates_are_refused_and_filter_nothing(security_officer):
    _events(2)
    page = _login(security_officer).get("/audit/", {"since": "2026-02-01", "until": "2026-01-01"})
    assert page.status_code == 200
    assert "The from date is after the to date." in page.content.decode() or (
        "Från-datumet är efter till-datumet." in page.content.decode()
    )


def test_customers_and_anonymous_do_not_reach_the_trail(agency_contact, client):
    _events(1)
    assert _login(agency_contact).get("/audit/").status_code == 404
    assert _login(agency_contact).get("/audit/export.csv").status_code == 404
    assert client.get("/audit/").status_code == 302  # to the login page


def test_export_is_csv_of_the_search_and_is_itself_recorded(security_officer, agency):
    _events(3, organisation_id=agency.id, object_type="test.thing")
    response = _login(security_officer).get("/audit/export.csv", {"object_type": "test.thing"})
    assert response.status_code == 200
    rows = list(csv.reader(io.StringIO(response.content.decode())))
    assert rows[0][:4] == ["id", "at", "actor", "action"]
    assert [r[5] for r in rows[1:]] == ["2", "1", "0"]
    read = AuditEvent.objects.filter(action="read", object_type="audit.trail").get()
    assert read.after["access"] == "export"
    assert read.actor_id == security_officer.id


@pytest.fixture
def invoice_world(db):
    world = make_world()
    buyer = agency(world, "Myndighet A")
    subscribe(buyer, world.services["ARBETSPLATS"])
    price(world, "ARBETSPLATS", "400", datetime.date(2024, 1, 1))
    billing.record_usage(actor=world.finance,
                         rows=usage_rows(buyer, "ARBETSPLATS", 2024, 10, range(1, 2)))  # fmt: skip
    billing.run_period(actor=world.finance, period="2024-01", finalise=True)
    finance = UserFactory(username="ekonomi_read")
    MembershipFactory(user=finance, organisation=world.provider, role="finance")
    return Invoice.objects.get(buyer=buyer), finance


def test_opening_and_downloading_an_invoice_are_recorded(invoice_world):
    invoice, finance = invoice_world
    client = _login(finance)
    assert client.get(f"/billing/invoices/{invoice.id}/").status_code == 200
    assert client.get(f"/billing/invoices/{invoice.id}/ubl/").status_code == 200
    reads = AuditEvent.objects.filter(action="read", object_type="billing.invoice")
    assert [(r.object_id, r.after["access"], r.organisation_id) for r in reads.order_by("id")] == [
        (str(invoice.id), "open", invoice.buyer_id),
        (str(invoice.id), "download_ubl", invoice.buyer_id),
    ]
    assert client.get("/billing/invoices/export/", {"year": 2024}).status_code == 200
    assert reads.filter(after__access="export").count() == 1


def test_a_refused_read_records_nothing(invoice_world, other_agency_contact):
    invoice, _finance = invoice_world
    assert _login(other_agency_contact).get(f"/billing/invoices/{invoice.id}/").status_code == 404
    assert not AuditEvent.objects.filter(action="read").exists()


def test_events_about_no_agency_show_only_to_who_did_them(security_officer, service_manager):
    """A token's name may name another provider's customer: agency-less events are not shared
    between provider staff in the search (found by the cross-agency matrix)."""
    from samdrift.accounts.selectors import actor_for_user

    with transaction.atomic():
        audit_record(actor=actor_for_user(service_manager), action="test.mine", object_type="t",
                     object_id=1, after={"name": "token of Hemliga myndigheten C"})  # fmt: skip
    assert _login(security_officer).get("/audit/").context["paginator"].count == 0
    own = _login(service_manager).get("/audit/")
    assert [e.action for e in own.context["events"]] == ["test.mine"]
