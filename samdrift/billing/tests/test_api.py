"""The billing API: tenancy on every endpoint, refused writes change nothing, bad input is 422."""

from __future__ import annotations

import datetime

import pytest

from samdrift.audit.models import AuditEvent
from samdrift.billing import services
from samdrift.billing.models import CostEntry, Invoice, LedgerEntry, PriceVersion, Usage
from samdrift.tests.factories import MembershipFactory, UserFactory

from .builders import agency, make_world, price, subscribe, usage_rows

API = "/api/v1/billing"


@pytest.fixture
def world(db):
    world = make_world()
    a, b = agency(world, "Myndighet A"), agency(world, "Myndighet B")
    for org in (a, b):
        subscribe(org, world.services["ARBETSPLATS"])
    price(world, "ARBETSPLATS", "400", datetime.date(2024, 1, 1))
    services.record_usage(
        actor=world.finance,
        rows=usage_rows(a, "ARBETSPLATS", 2024, 10, range(1, 2))
        + usage_rows(b, "ARBETSPLATS", 2024, 20, range(1, 2)),
    )
    services.run_period(actor=world.finance, period="2024-01", finalise=True)
    return world


def member(org, role, username):
    user = UserFactory(username=username)
    MembershipFactory(user=user, organisation=org, role=role)
    return user


@pytest.fixture
def clients(world, client_for):
    a, b = world.agencies["Myndighet A"], world.agencies["Myndighet B"]
    finance = member(world.provider, "finance", "ekonomi2")
    return {
        "a": client_for(member(a, "contact", "kontakt_a")),
        "b": client_for(member(b, "contact", "kontakt_b")),
        "a_member": client_for(member(a, "member", "medlem_a")),
        "finance": client_for(finance),
        "anon": client_for(None),
    }


def test_customer_sees_only_its_own_invoices_usage_and_ledger(world, clients):
    mine = Invoice.objects.get(buyer__name="Myndighet A")
    theirs = Invoice.objects.get(buyer__name="Myndighet B")
    listed = clients["a"].get(f"{API}/invoices").json()["items"]
    assert [row["buyer"] for row in listed] == ["Myndighet A"]
    assert clients["a"].get(f"{API}/invoices/{mine.pk}").status_code == 200
    assert clients["a"].get(f"{API}/invoices/{mine.pk}/ubl")["Content-Type"] == "application/xml"
    for path in (f"/invoices/{theirs.pk}", f"/invoices/{theirs.pk}/ubl", "/invoices/999999"):
        assert clients["a"].get(API + path).status_code == 404
    usage = clients["a"].get(f"{API}/usage").json()["items"]
    assert {row["organisation"] for row in usage} == {"Myndighet A"}
    ledger = clients["a"].get(f"{API}/ledger?year=2024").json()
    assert {row["organisation"] for row in ledger} == {"Myndighet A"}
    assert {row["buyer"] for row in clients["b"].get(f"{API}/invoices").json()["items"]} == {
        "Myndighet B"
    }
    # A plain member of the agency reads no billing; anonymous callers are refused.
    assert clients["a_member"].get(f"{API}/invoices").status_code == 403
    assert clients["anon"].get(f"{API}/invoices").status_code == 401
    # Provider-wide data is not for customers.
    for path in ("/runs", "/costs?year=2024", "/report", "/fee-proposal?year=2024"):
        assert clients["a"].get(API + path).status_code == 403, path


def test_customer_writes_are_refused_and_change_nothing(world, clients):
    theirs = Invoice.objects.get(buyer__name="Myndighet B")
    mine = Invoice.objects.get(buyer__name="Myndighet A")
    counts = (
        Invoice.objects.count(),
        Usage.objects.count(),
        CostEntry.objects.count(),
        PriceVersion.objects.count(),
        LedgerEntry.objects.count(),
        AuditEvent.objects.count(),
    )
    client = clients["a"]
    assert (
        client.post(
            f"{API}/invoices/{theirs.pk}/credit", {"reason": "x"}, content_type="application/json"
        ).status_code
        == 404
    )
    assert (
        client.post(
            f"{API}/invoices/{mine.pk}/credit", {"reason": "x"}, content_type="application/json"
        ).status_code
        == 403
    )
    assert (
        client.post(
            f"{API}/usage",
            {
                "rows": [
                    {
                        "organisation": "Myndighet A",
                        "service": "ARBETSPLATS",
                        "period": "2024-02",
                        "quantity": "1",
                    }
                ]
            },
            content_type="application/json",
        ).status_code
        == 403
    )
    assert (
        client.post(
            f"{API}/runs", {"period": "2024-02"}, content_type="application/json"
        ).status_code
        == 403
    )
    assert (
        client.post(f"{API}/closes", {"year": 2024}, content_type="application/json").status_code
        == 403
    )
    assert (
        client.post(
            f"{API}/prices",
            {
                "service": "ARBETSPLATS",
                "unit_price": "1",
                "valid_from": "2024-03-01",
                "decision_ref": "x",
                "decision_date": "2024-01-01",
            },
            content_type="application/json",
        ).status_code
        == 403
    )
    assert counts == (
        Invoice.objects.count(),
        Usage.objects.count(),
        CostEntry.objects.count(),
        PriceVersion.objects.count(),
        LedgerEntry.objects.count(),
        AuditEvent.objects.count(),
    )


def test_finance_runs_credits_and_reports_through_the_api(world, clients):
    client = clients["finance"]
    response = client.post(
        f"{API}/usage",
        {"rows": usage_rows(world.agencies["Myndighet A"], "ARBETSPLATS", 2024, 3, range(2, 3))},
        content_type="application/json",
    )
    assert response.status_code == 201 and response.json()["created"] == 1
    run = client.post(
        f"{API}/runs", {"period": "2024-02", "finalise": True}, content_type="application/json"
    ).json()
    assert run["status"] == "finalised" and run["invoices"] == 1
    again = client.post(
        f"{API}/runs", {"period": "2024-02", "finalise": True}, content_type="application/json"
    ).json()
    assert again["unchanged"] is True
    invoice = Invoice.objects.get(period=datetime.date(2024, 2, 1))
    detail = client.get(f"{API}/invoices/{invoice.pk}").json()
    assert detail["total"] == "1200.00" and detail["lines"][0]["quantity"] == "3"
    credit = client.post(
        f"{API}/invoices/{invoice.pk}/credit", {"reason": "fel"}, content_type="application/json"
    )
    assert credit.status_code == 201 and credit.json()["total"] == "-1200.00"
    assert client.get(f"{API}/runs").status_code == 200


@pytest.mark.parametrize(
    ("path", "payload", "field"),
    [
        (
            "/usage",
            {
                "rows": [
                    {
                        "organisation": "Myndighet A",
                        "service": "ARBETSPLATS",
                        "period": "2024-02",
                        "quantity": "-1",
                    }
                ]
            },
            "row 1",
        ),
        (
            "/usage",
            {
                "rows": [
                    {
                        "organisation": "Myndighet A",
                        "service": "ARBETSPLATS",
                        "period": "2024-02",
                        "quantity": "tio",
                    }
                ]
            },
            "row 1",
        ),
        (
            "/usage",
            {
                "rows": [
                    {
                        "organisation": "Okänd",
                        "service": "ARBETSPLATS",
                        "period": "2024-02",
                        "quantity": "1",
                    }
                ]
            },
            "row 1",
        ),
        (
            "/usage",
            {
                "rows": [
                    {
                        "organisation": "Myndighet A",
                        "service": "NOPE",
                        "period": "2024-02",
                        "quantity": "1",
                    }
                ]
            },
            "row 1",
        ),
        (
            "/usage",
            {
                "rows": [
                    {
                        "organisation": "Myndighet A",
                        "service": "ARBETSPLATS",
                        "period": "2024-01",
                        "quantity": "1",
                    }
                ]
            },
            "row 1",
        ),
        (
            "/prices",
            {
                "service": "ARBETSPLATS",
                "unit_price": "10",
                "valid_from": "2024-03-01",
                "decision_ref": "",
                "decision_date": "2024-01-01",
            },
            "decision_ref",
        ),
        (
            "/prices",
            {
                "service": "ARBETSPLATS",
                "unit_price": "-5",
                "valid_from": "2024-03-01",
                "decision_ref": "B",
                "decision_date": "2024-01-01",
            },
            "unit_price",
        ),
        (
            "/prices",
            {
                "service": "ARBETSPLATS",
                "unit_price": "5",
                "valid_from": "2024-01-01",
                "decision_ref": "B",
                "decision_date": "2024-01-01",
            },
            "valid_from",
        ),
        (
            "/costs",
            [{"period": "2024-13", "cost_pool": "x", "amount": "1", "voucher": "V1"}],
            "row 1",
        ),
        (
            "/costs",
            [{"period": "2024-01", "cost_pool": "x", "amount": "abc", "voucher": "V1"}],
            "row 1",
        ),
    ],
)
def test_bad_input_is_refused_in_both_languages_and_writes_nothing(
    world, clients, path, payload, field
):
    counts = (
        Usage.objects.count(),
        PriceVersion.objects.count(),
        CostEntry.objects.count(),
        AuditEvent.objects.count(),
    )
    response = clients["finance"].post(API + path, payload, content_type="application/json")
    assert response.status_code == 422, response.content
    body = response.json()
    assert body["message_sv"] and body["message_en"] and body["message_sv"] != body["message_en"]
    assert field in body["errors"]
    assert counts == (
        Usage.objects.count(),
        PriceVersion.objects.count(),
        CostEntry.objects.count(),
        AuditEvent.objects.count(),
    )


@pytest.mark.parametrize(
    "payload",
    [
        {"year": 2024, "recovery_years": False},  # pydantic would read false as 0
        {"year": 2024, "recovery_years": "3"},
        {"year": 2024, "recovery_years": 0},
        {"year": "2024"},
        {"year": 2101},
    ],
)
def test_a_close_with_a_wrongly_typed_or_out_of_range_field_is_refused(world, clients, payload):
    from samdrift.billing.models import YearEndClose

    events = AuditEvent.objects.count()
    response = clients["finance"].post(f"{API}/closes", payload, content_type="application/json")
    assert response.status_code == 422, response.content
    body = response.json()
    assert body["message_sv"] and body["message_en"]
    assert any(name in str(body["errors"]) for name in payload)
    assert not YearEndClose.objects.exists() and AuditEvent.objects.count() == events


@pytest.mark.parametrize("query", ["period=2950-08", "period=0000-01", "status=paid"])
def test_invoice_filters_outside_the_schema_are_refused(world, clients, query):
    # The schema's period pattern covers exactly the months parse_period takes (2000–2100).
    response = clients["finance"].get(f"{API}/invoices?{query}")
    assert response.status_code == 422, response.content
    assert query.split("=")[0] in str(response.json()["errors"])


def test_rules_project_time_and_exit_through_the_api(world, clients):
    from samdrift.billing.models import AllocationRule, ProjectTime
    from samdrift.tests.factories import ConnectionCaseFactory

    case = ConnectionCaseFactory(organisation=world.agencies["Myndighet A"])
    client = clients["finance"]
    rule = client.post(
        f"{API}/allocation-rules",
        {
            "year": 2024,
            "cost_pool": "gemensamt",
            "method": "fixed_pct",
            "decision_ref": "FK beslut",
            "weights": {"ARBETSPLATS": "60", "LAGRING": "40"},
        },
        content_type="application/json",
    )
    assert rule.status_code == 201 and rule.json()["version"] == 1
    bad = client.post(
        f"{API}/allocation-rules",
        {
            "year": 2024,
            "cost_pool": "gemensamt",
            "method": "fixed_pct",
            "decision_ref": "FK beslut",
            "weights": {"ARBETSPLATS": "60"},
        },
        content_type="application/json",
    )
    assert bad.status_code == 422 and AllocationRule.objects.count() == 1
    for shape in ({"method": "by_magic"}, {"decision_ref": " \t"}):  # refused by the schema
        body = {"year": 2024, "cost_pool": "gemensamt", "method": "even", "decision_ref": "B"}
        refused = client.post(
            f"{API}/allocation-rules", {**body, **shape}, content_type="application/json"
        )
        assert refused.status_code == 422 and next(iter(shape)) in str(refused.json()["errors"])
    assert AllocationRule.objects.count() == 1
    time_entry = {
        "case_id": case.pk,
        "period": "2024-01",
        "hours": "12.5",
        "hourly_rate": "950",
        "external_cost": "1000",
        "description": "Införande",
        "key": "T1",
    }
    booked = client.post(f"{API}/project-time", time_entry, content_type="application/json")
    # January is already invoiced, so the time is billed with the next open month.
    assert booked.status_code == 201 and booked.json()["billed_period"] == "2024-02"
    assert booked.json()["amount"] == "12875.00"
    assert (
        clients["a"]
        .post(f"{API}/project-time", {**time_entry, "key": "T2"}, content_type="application/json")
        .status_code
        == 403
    )
    assert ProjectTime.objects.count() == 1
    assert (
        clients["a"]
        .post(
            f"{API}/exit-settlements",
            {
                "organisation_id": world.agencies["Myndighet A"].pk,
                "period": "2024-02",
                "reason": "x",
            },
            content_type="application/json",
        )
        .status_code
        == 403
    )
