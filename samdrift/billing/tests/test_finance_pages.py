"""The finance pages: allocation rules and runs, project time, exit settlement.

Each page renders for finance in both languages and is refused to those who may not use it; each
form stores and audits on the happy path, and on bad input shows the error in the user's language
next to the field and stores nothing.
"""

from __future__ import annotations

import datetime

import pytest
from django.db.models import Sum
from django.test import Client

from samdrift.audit.models import AuditEvent
from samdrift.billing import services
from samdrift.billing.models import (
    AllocationResult,
    AllocationRule,
    AllocationRun,
    Invoice,
    LedgerEntry,
    ProjectTime,
)
from samdrift.tests.factories import MembershipFactory, UserFactory

from .builders import agency, make_world, price, project_case, subscribe, usage_rows

PAGES = ["/billing/allocation/?year=2024", "/billing/project-time/", "/billing/exit/"]


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
            *usage_rows(a, "ARBETSPLATS", 2024, 10, range(1, 2)),
            *usage_rows(b, "ARBETSPLATS", 2024, 30, range(1, 2)),
        ],
    )
    services.import_costs(
        actor=world.finance,
        rows=[
            {
                "period": "2024-12",
                "cost_pool": "direkt",
                "service": "ARBETSPLATS",
                "amount": "30000",
                "voucher": "K1",
            },
            {"period": "2024-12", "cost_pool": "gemensamt", "amount": "1000", "voucher": "K2"},
        ],
    )
    for code, org in (("ARBETSPLATS", a), ("LAGRING", b)):
        services.record_project_time(
            actor=world.finance,
            case_id=project_case(org, world.services[code]),
            period="2024-01",
            hours="2",
            hourly_rate="950",
            description=f"Anslutning {org.name}",
            key=f"seed:{org.name}",
        )
    return world


def member(org, role, username):
    user = UserFactory(username=username)
    MembershipFactory(user=user, organisation=org, role=role)
    return user


@pytest.fixture
def users(world):
    return {
        "finance": member(world.provider, "finance", "ekonomi_sida"),
        "account_manager": member(world.provider, "account_manager", "kundansvarig_sida"),
        "contact_a": member(world.agencies["Myndighet A"], "contact", "kontakt_a"),
        "member_a": member(world.agencies["Myndighet A"], "member", "medlem_a"),
    }


def in_language(client: Client, language: str) -> Client:
    client.cookies["django_language"] = language
    return client


def closed_2024(world) -> None:
    """A finalised January and a closed 2024, so that every agency has an open balance."""
    services.create_allocation_rule(
        actor=world.finance, year=2024, cost_pool="gemensamt", method="even", decision_ref="B1"
    )
    services.run_period(actor=world.finance, period="2024-01", finalise=True)
    services.close_year(actor=world.finance, year=2024)


def stored() -> tuple[int, ...]:
    return (
        AllocationRule.objects.count(),
        AllocationRun.objects.count(),
        ProjectTime.objects.count(),
        Invoice.objects.count(),
        LedgerEntry.objects.count(),
        AuditEvent.objects.count(),
    )


# --- Rendering and refusal ------------------------------------------------------------------


def test_every_finance_page_renders_for_finance_in_both_languages(world, users, client_for):
    closed_2024(world)
    leaving = world.agencies["Myndighet A"]
    client = client_for(users["finance"])
    expected = {
        "sv": ["Kostnadsfördelning", "Projekttid", "Slutavräkning"],
        "en": ["Cost allocation", "Project time", "Exit settlement"],
    }
    for language, titles in expected.items():
        in_language(client, language)
        for url, title in zip(PAGES, titles, strict=True):
            response = client.get(url)
            assert response.status_code == 200, (url, language)
            assert f"<h1>{title}" in response.content.decode(), (url, language)
        for url in PAGES[:2]:
            assert '<form method="post" novalidate>' in client.get(url).content.decode(), url
        # The exit page asks for the agency first, then previews before the confirm button.
        preview = client.get(f"/billing/exit/?organisation={leaving.pk}").content.decode()
        assert '<form method="post" novalidate>' in preview and 'name="exit-reason"' in preview
    nav = client.get("/billing/").content.decode()
    for url in ("/billing/allocation/", "/billing/project-time/", "/billing/exit/"):
        assert f'href="{url}"' in nav, url


def test_customer_is_refused_the_provider_pages_and_sees_only_its_own_time(
    world, users, client_for
):
    client = client_for(users["contact_a"])
    before = stored()
    for url in ("/billing/allocation/?year=2024", "/billing/exit/"):
        assert client.get(url).status_code == 403, url
    body = client.get("/billing/project-time/").content.decode()
    assert "Anslutning Myndighet A" in body
    assert "Myndighet B" not in body
    assert '<form method="post" novalidate>' not in body
    for url in ("/billing/allocation/", "/billing/exit/"):
        assert f'href="{url}"' not in client.get("/billing/").content.decode(), url
    case_id = ProjectTime.objects.get(organisation__name="Myndighet A").case_id
    writes = [
        ("/billing/allocation/", {"action": "allocate", "run-year": "2024"}),
        (
            "/billing/allocation/",
            {
                "action": "rule",
                "rule-year": "2024",
                "rule-cost_pool": "gemensamt",
                "rule-method": "even",
                "rule-decision_ref": "X",
            },
        ),
        (
            "/billing/project-time/",
            {
                "case": case_id,
                "period": "2024-02",
                "hours": "1",
                "hourly_rate": "1",
                "description": "x",
                "key": "k",
            },
        ),
        (
            "/billing/exit/",
            {
                "exit-organisation": world.agencies["Myndighet A"].pk,
                "exit-period": "2025-01",
                "exit-reason": "x",
            },
        ),
    ]
    for url, data in writes:
        assert client.post(url, data).status_code == 403, url
    assert stored() == before


def test_other_roles_see_what_their_role_allows(world, users, client_for):
    manager = client_for(users["account_manager"])
    allocation = manager.get("/billing/allocation/?year=2024")
    assert (
        allocation.status_code == 200
        and '<form method="post" novalidate>' not in allocation.content.decode()
    )
    time = manager.get("/billing/project-time/").content.decode()
    assert (
        "Myndighet A" in time
        and "Myndighet B" in time
        and '<form method="post" novalidate>' not in time
    )
    assert manager.get("/billing/exit/").status_code == 403
    assert (
        manager.post("/billing/allocation/", {"action": "allocate", "run-year": "2024"}).status_code
        == 403
    )
    plain_member = client_for(users["member_a"])
    for url in PAGES:
        assert plain_member.get(url).status_code == 403, url
    for url in PAGES:
        response = client_for(None).get(url)
        assert response.status_code == 302 and "/accounts/login/" in response["Location"]


def test_forms_need_the_csrf_token(world, users):
    client = Client(enforce_csrf_checks=True)
    client.force_login(users["finance"])
    before = stored()
    response = client.post("/billing/allocation/", {"action": "allocate", "run-year": "2024"})
    assert response.status_code == 403
    assert stored() == before


# --- Allocation -----------------------------------------------------------------------------


def test_a_new_rule_version_is_stored_and_audited(world, users, client_for):
    client = client_for(users["finance"])
    data = {
        "action": "rule",
        "rule-year": "2024",
        "rule-cost_pool": "gemensamt",
        "rule-method": "fixed_pct",
        "rule-weights": "ARBETSPLATS=60; LAGRING=40",
        "rule-decision_ref": "FK beslut 2024-7",
    }
    response = client.post("/billing/allocation/", data)
    assert response.status_code == 302 and response["Location"].endswith("?year=2024")
    response = client.post("/billing/allocation/", {**data, "rule-method": "even"})
    assert response.status_code == 302
    first, second = AllocationRule.objects.filter(cost_pool="gemensamt").order_by("version")
    assert (first.version, first.method, first.weights) == (
        1,
        "fixed_pct",
        {"ARBETSPLATS": "60", "LAGRING": "40"},
    )
    assert (second.version, second.method) == (2, "even")
    assert AuditEvent.objects.filter(action="billing.allocation_rule_created").count() == 2
    page = client.get("/billing/allocation/?year=2024").content.decode()
    assert "FK beslut 2024-7" in page and "ARBETSPLATS 60 %" in page


@pytest.mark.parametrize(
    ("language", "field_error", "service_error"),
    [
        (
            "sv",
            "En direkt regel behöver tjänsten den går till.",
            "procentsatserna får inte vara negativa och ska summera till 100",
        ),
        (
            "en",
            "A direct rule needs the service it goes to.",
            "percentages must be non-negative and add up to 100",
        ),
    ],
)
def test_a_bad_rule_shows_the_error_next_to_the_field_and_stores_nothing(
    world, users, client_for, language, field_error, service_error
):
    client = in_language(client_for(users["finance"]), language)
    before = stored()
    base = {"action": "rule", "rule-year": "2024", "rule-cost_pool": "gemensamt"}
    direct = client.post(
        "/billing/allocation/", {**base, "rule-method": "direct", "rule-decision_ref": "B"}
    )
    assert direct.status_code == 200
    body = direct.content.decode()
    assert f'<p class="field-error" id="id_rule-target_service-error">{field_error}</p>' in body
    assert 'aria-invalid="true"' in body
    # The service refuses percentages that do not add up to 100: shown at the field too.
    weights = client.post(
        "/billing/allocation/",
        {
            **base,
            "rule-method": "fixed_pct",
            "rule-weights": "ARBETSPLATS=60; LAGRING=30",
            "rule-decision_ref": "B",
        },
    )
    assert weights.status_code == 200
    assert (
        f'<p class="field-error" id="id_rule-weights-error">{service_error}</p>'
        in weights.content.decode()
    )
    assert stored() == before


def test_running_the_allocation_stores_parts_that_sum_to_the_pool_and_audits(
    world, users, client_for
):
    services.create_allocation_rule(
        actor=world.finance, year=2024, cost_pool="gemensamt", method="even", decision_ref="B1"
    )
    client = client_for(users["finance"])
    response = client.post("/billing/allocation/", {"action": "allocate", "run-year": "2024"})
    assert response.status_code == 302 and response["Location"].endswith("?year=2024")
    run = AllocationRun.objects.get(year=2024)
    parts = AllocationResult.objects.filter(run=run, cost_pool="gemensamt")
    assert parts.count() == 2
    assert parts.aggregate(t=Sum("amount_ore"))["t"] == 100_000
    event = AuditEvent.objects.get(action="billing.allocation_run")
    assert event.actor_id == users["finance"].pk and event.after["input_hash"] == run.input_hash
    page = client.get("/billing/allocation/?year=2024").content.decode()
    assert "500,00" in page and "1 000,00" in page  # each half, and the pool, in kronor
    # Same inputs, same run: running again adds no second run.
    client.post("/billing/allocation/", {"action": "allocate", "run-year": "2024"})
    assert AllocationRun.objects.filter(year=2024).count() == 1


@pytest.mark.parametrize(
    ("language", "rule_missing", "bad_year"),
    [
        (
            "sv",
            "Ingen fördelningsregel för kostnadspoolen gemensamt år 2024.",
            "Ange ett år mellan 2000 och 2100.",
        ),
        (
            "en",
            "No allocation rule for the cost pool gemensamt in 2024.",
            "Give a year between 2000 and 2100.",
        ),
    ],
)
def test_a_refused_allocation_shows_the_error_and_stores_nothing(
    world, users, client_for, language, rule_missing, bad_year
):
    client = in_language(client_for(users["finance"]), language)
    before = stored()
    response = client.post("/billing/allocation/", {"action": "allocate", "run-year": "2024"})
    assert response.status_code == 200
    assert rule_missing in response.content.decode()
    response = client.post("/billing/allocation/", {"action": "allocate", "run-year": "1999"})
    assert f'id="id_run-year-error">{bad_year}</p>' in response.content.decode()
    assert stored() == before


# --- Project time ---------------------------------------------------------------------------


def test_booking_time_stores_audits_and_is_listed(world, users, client_for):
    client = client_for(users["finance"])
    case_id = project_case(world.agencies["Myndighet B"], world.services["ARBETSPLATS"])
    form = client.get("/billing/project-time/").content.decode()
    key = form.split('name="key" value="', 1)[1].split('"', 1)[0]
    assert key.startswith("web:")
    data = {
        "case": case_id,
        "period": "2024-03",
        "hours": "7,5",
        "hourly_rate": "1000",
        "external_cost": "250,50",
        "description": "Konfiguration av e-post",
        "key": key,
    }
    response = client.post("/billing/project-time/", data)
    assert response.status_code == 302 and response["Location"] == "/billing/project-time/"
    entry = ProjectTime.objects.get(source_key=key)
    assert (entry.case_id, entry.period, entry.billed_period) == (
        case_id,
        datetime.date(2024, 3, 1),
        datetime.date(2024, 3, 1),
    )
    assert entry.hours == 7.5 and entry.external_cost_ore == 25_050
    assert AuditEvent.objects.filter(
        action="billing.project_time_recorded", object_id=str(entry.pk)
    ).exists()
    page = client.get("/billing/project-time/").content.decode()
    assert "Konfiguration av e-post" in page and "7 750,50" in page
    # The same form sent twice books the time once.
    assert client.post("/billing/project-time/", data).status_code == 302
    assert ProjectTime.objects.filter(description="Konfiguration av e-post").count() == 1


def test_time_for_an_invoiced_month_goes_into_the_next_open_month(world, users, client_for):
    services.run_period(actor=world.finance, period="2024-01", finalise=True)
    client = client_for(users["finance"])
    case_id = project_case(world.agencies["Myndighet A"], world.services["ARBETSPLATS"])
    response = client.post(
        "/billing/project-time/",
        {
            "case": case_id,
            "period": "2024-01",
            "hours": "1",
            "hourly_rate": "900",
            "description": "Sen rapport",
            "key": "web:late",
        },
        follow=True,
    )
    assert "2024-02" in response.content.decode()
    assert ProjectTime.objects.get(source_key="web:late").billed_period == datetime.date(2024, 2, 1)


@pytest.mark.parametrize(
    ("language", "not_number", "bad_month", "required"),
    [
        (
            "sv",
            "Ange ett tal, t.ex. 7,5.",
            "Skriv månaden som ÅÅÅÅ-MM, t.ex. 2024-03.",
            "Fältet är obligatoriskt.",
        ),
        (
            "en",
            "Enter a number, e.g. 7,5.",
            "Write the month as YYYY-MM, e.g. 2024-03.",
            "This field is required.",
        ),
    ],
)
def test_bad_time_shows_the_errors_next_to_the_fields_and_stores_nothing(
    world, users, client_for, language, not_number, bad_month, required
):
    client = in_language(client_for(users["finance"]), language)
    case_id = ProjectTime.objects.first().case_id
    before = stored()
    response = client.post(
        "/billing/project-time/",
        {
            "case": case_id,
            "period": "2024-13",
            "hours": "sju",
            "hourly_rate": "-5",
            "description": "",
            "key": "web:bad",
        },
    )
    assert response.status_code == 200
    body = response.content.decode()
    assert f'id="id_hours-error">{not_number}</p>' in body
    assert f'id="id_period-error">{bad_month}</p>' in body
    assert f'id="id_description-error">{required}</p>' in body
    assert 'id="id_hourly_rate-error">' in body
    assert stored() == before


# --- Exit settlement ------------------------------------------------------------------------


def test_exit_preview_then_settlement_brings_the_agency_to_zero(world, users, client_for):
    closed_2024(world)
    leaving = world.agencies["Myndighet A"]
    balance = LedgerEntry.objects.filter(account__organisation=leaving).aggregate(
        t=Sum("amount_ore")
    )["t"]
    assert balance
    client = client_for(users["finance"])
    preview = client.get(f"/billing/exit/?organisation={leaving.pk}").content.decode()
    assert "Myndighet A" in preview
    assert f'name="exit-organisation" value="{leaving.pk}"' in preview
    response = client.post(
        "/billing/exit/",
        {"exit-organisation": leaving.pk, "exit-period": "2025-01", "exit-reason": "Avvecklad"},
    )
    assert response.status_code == 302 and response["Location"] == "/billing/exit/"
    (invoice,) = Invoice.objects.filter(buyer=leaving, period=datetime.date(2025, 1, 1))
    assert invoice.status == "finalised" and invoice.total_ore == -balance
    assert invoice.lines.filter(kind="exit").exists()
    assert (
        LedgerEntry.objects.filter(account__organisation=leaving).aggregate(t=Sum("amount_ore"))[
            "t"
        ]
        == 0
    )
    assert AuditEvent.objects.filter(action="billing.exit_settled", organisation_id=leaving.pk)
    after = client.get("/billing/exit/").content.decode()
    assert invoice.number in after  # the success message names the final invoice
    assert f'<option value="{leaving.pk}"' not in after  # nothing left to settle


@pytest.mark.parametrize(
    ("language", "required", "bad_month"),
    [
        ("sv", "Fältet är obligatoriskt.", "Skriv månaden som ÅÅÅÅ-MM, t.ex. 2024-03."),
        ("en", "This field is required.", "Write the month as YYYY-MM, e.g. 2024-03."),
    ],
)
def test_a_bad_exit_shows_the_errors_and_settles_nothing(
    world, users, client_for, language, required, bad_month
):
    closed_2024(world)
    leaving = world.agencies["Myndighet A"]
    client = in_language(client_for(users["finance"]), language)
    before = stored()
    response = client.post(
        "/billing/exit/",
        {"exit-organisation": leaving.pk, "exit-period": "januari", "exit-reason": " "},
    )
    assert response.status_code == 200
    body = response.content.decode()
    assert f'id="id_exit-reason-error">{required}</p>' in body
    assert f'id="id_exit-period-error">{bad_month}</p>' in body
    assert "Myndighet A" in body  # the preview stays on the page
    assert stored() == before


@pytest.mark.parametrize(
    ("language", "message"),
    [
        ("sv", "Välj ett giltigt alternativ."),
        ("en", "Select a valid choice."),
    ],
)
def test_an_agency_already_settled_cannot_be_settled_again(
    world, users, client_for, language, message
):
    closed_2024(world)
    leaving = world.agencies["Myndighet A"]
    services.settle_exit(
        actor=world.finance, organisation_id=leaving.pk, period="2025-01", reason="Avvecklad"
    )
    client = in_language(client_for(users["finance"]), language)
    before = stored()
    response = client.post(
        "/billing/exit/",
        {"exit-organisation": leaving.pk, "exit-period": "2025-02", "exit-reason": "Igen"},
    )
    assert response.status_code == 200
    assert message in response.content.decode()
    assert stored() == before
