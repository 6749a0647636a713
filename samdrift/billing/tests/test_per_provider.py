"""Each provider agency has its own fee model (issue 18 item 3, ADR 0664).

A second provider creates its fee area (with the code Försäkringskassan's has), bills its own
service in it, decides its price, records costs, runs the allocation and closes its year; its
outcome report holds only its own, and Försäkringskassan's finance staff see none of it (and the
other way round). A service is billed only in a fee area of its own provider: anything else is
refused in both languages, with nothing stored.
"""

from __future__ import annotations

import datetime
import io

import pytest
from django.core.management import CommandError, call_command

from samdrift.audit.models import AuditEvent
from samdrift.billing import selectors, services
from samdrift.billing.models import (
    AllocationRun,
    BillableService,
    CostEntry,
    FeeArea,
    Invoice,
    YearEndClose,
)
from samdrift.billing.permissions import billing_abilities
from samdrift.core.actor import SYSTEM
from samdrift.core.exceptions import NotFound, PermissionDenied, ValidationFailed
from samdrift.core.i18n import in_both_languages
from samdrift.tests.factories import (
    MembershipFactory,
    SecondProviderFactory,
    ServiceFactory,
    UserFactory,
)

from .builders import (
    agency,
    finance_actor,
    make_world,
    own_fee_area,
    price,
    subscribe,
    usage_rows,
)

pytestmark = pytest.mark.django_db
YEAR = 2024
API = "/api/v1/billing"


@pytest.fixture
def two(db):
    """Försäkringskassan (the default provider) with ARBETSPLATS billed in its it-drift, and a
    second provider with its own service SAMVERKAN, used by its customer C; nothing of the
    second provider's fee model exists yet."""
    world = make_world(("ARBETSPLATS",))
    a = agency(world, "Myndighet A")
    subscribe(a, world.services["ARBETSPLATS"])
    price(world, "ARBETSPLATS", "100", datetime.date(YEAR, 1, 1))
    services.record_usage(actor=world.finance, rows=usage_rows(a, "ARBETSPLATS", YEAR, 10))
    second = SecondProviderFactory()
    samverkan = ServiceFactory(
        code="SAMVERKAN", name_sv="Samverkan", name_en="Cooperation", provider=second
    )
    c = agency(world, "Myndighet C")
    subscribe(c, samverkan)
    world.second = second  # type: ignore[attr-defined]
    world.second_finance = finance_actor(second, "ekonomi_b")  # type: ignore[attr-defined]
    world.samverkan = samverkan  # type: ignore[attr-defined]
    return world


def _second_provider_year(world) -> FeeArea:
    """Provider B's whole year, through the services, as B's own finance function."""
    b = world.second_finance
    area = own_fee_area(b, "SAMVERKAN", YEAR)
    c = world.agencies["Myndighet C"]
    services.record_usage(actor=b, rows=usage_rows(c, "SAMVERKAN", YEAR, 4))
    services.import_costs(
        actor=b,
        rows=[
            {"period": f"{YEAR}-12", "cost_pool": "b-direkt", "service": "SAMVERKAN",
             "amount": "1000", "voucher": "V1"},
            {"period": f"{YEAR}-12", "cost_pool": "b-gemensamt", "amount": "500",
             "voucher": "V2"},
        ],
    )  # fmt: skip
    services.create_allocation_rule(
        actor=b, year=YEAR, cost_pool="b-gemensamt", method="even", decision_ref="B fördelning"
    )
    services.run_allocation(actor=b, year=YEAR)
    # B runs its own months (ADR 0668); Försäkringskassan runs its own.
    for month in range(1, 13):
        for actor in (b, world.finance):
            services.run_period(actor=actor, period=f"{YEAR}-{month:02d}", finalise=True)
    services.close_year(actor=b, year=YEAR)
    return area


def test_provider_b_runs_its_own_fee_model_and_sees_only_its_own(two):
    fk, b = two.finance, two.second_finance
    # FK's own cost with B's voucher number: vouchers are each provider's own.
    services.import_costs(
        actor=fk,
        rows=[{"period": f"{YEAR}-12", "cost_pool": "fk-direkt", "service": "ARBETSPLATS",
               "amount": "3000", "voucher": "V1"}],
    )  # fmt: skip
    area = _second_provider_year(two)

    assert area.provider_id == two.second.pk and area.code == two.area.code == "it-drift"
    assert BillableService.objects.get(service=two.samverkan).fee_area == area
    assert CostEntry.objects.filter(source_ref="V1").count() == 2
    (run,) = AllocationRun.objects.filter(provider=two.second)
    assert {(r.cost_pool, r.service.code, r.amount_ore) for r in run.results.all()} == {
        ("b-gemensamt", "SAMVERKAN", 500_00)
    }
    (close,) = YearEndClose.objects.filter(fee_area__provider=two.second)
    assert close.fee_area == area
    # B's invoices carry B as seller, numbered from B's own series.
    b_invoices = Invoice.objects.filter(seller=two.second)
    assert b_invoices.count() == 12 and {i.buyer.name for i in b_invoices} == {"Myndighet C"}

    (row,) = selectors.outcome_report(actor=b, year=YEAR)
    assert (row.fee_area, row.fee_area_sv) == ("it-drift", "B:s it-drift")
    assert row.revenue_ore == 12 * 4 * 50_00 and row.cost_ore == 1500_00
    assert {p["cost_pool"] for p in selectors.cost_pools(actor=b, year=YEAR)} == {
        "b-direkt",
        "b-gemensamt",
    }
    assert [r.run.pk for r in selectors.allocation_runs(actor=b, year=YEAR)] == [run.pk]
    assert [a.pk for a in selectors.fee_area_list(actor=b)] == [area.pk]
    assert {r.account.fee_area_id for r in selectors.ledger(actor=b, year=YEAR)} == {area.pk}

    # Försäkringskassan's finance staff see nothing of it, and B nothing of theirs.
    assert selectors.outcome_report(actor=fk, year=YEAR) == []  # FK has not closed
    assert {p["cost_pool"] for p in selectors.cost_pools(actor=fk, year=YEAR)} == {"fk-direkt"}
    assert selectors.allocation_runs(actor=fk, year=YEAR) == []
    assert [a.pk for a in selectors.fee_area_list(actor=fk)] == [two.area.pk]
    assert area.pk not in {r.account.fee_area_id for r in selectors.ledger(actor=fk, year=YEAR)}
    for read in (
        lambda: selectors.fee_area_get(actor=fk, fee_area_id=area.pk),
        lambda: selectors.outcome_report(actor=fk, provider_id=two.second.pk),
        lambda: selectors.cost_pools(actor=fk, year=YEAR, provider_id=two.second.pk),
        lambda: selectors.fee_area_get(actor=b, fee_area_id=two.area.pk),
        lambda: selectors.allocation_runs(actor=b, year=YEAR, provider_id=two.provider.pk),
    ):
        with pytest.raises(NotFound):
            read()

    # FK's close closes FK's it-drift only; B's close stays B's.
    (fk_close,) = services.close_year(actor=fk, year=YEAR, fee_area_code="it-drift")
    assert fk_close.fee_area == two.area
    (fk_row,) = selectors.outcome_report(actor=fk, year=YEAR)
    assert fk_row.cost_ore == 3000_00 and fk_row.revenue_ore == 12 * 10 * 100_00
    assert [r.fee_area_sv for r in selectors.outcome_report(actor=b, year=YEAR)] == ["B:s it-drift"]


def test_another_providers_service_is_refused_in_both_languages_with_nothing_stored(two):
    area = services.create_fee_area(
        actor=two.second_finance, code="samverkan", name_sv="Samverkan", name_en="Cooperation"
    )
    before = (BillableService.objects.count(), AuditEvent.objects.count())
    for actor in (two.second_finance, SYSTEM):  # a rule of the data, not only of the role
        with pytest.raises(ValidationFailed) as caught:
            services.bill_service(actor=actor, fee_area_id=area.pk, service_code="ARBETSPLATS")
        both = in_both_languages(caught.value.message, caught.value.params)
        assert both["sv"].startswith("ARBETSPLATS är inte en tjänst hos SITSSAM-myndigheten")
        assert "avgiftsområde hos sin egen leverantör" in both["sv"]
        assert both["en"].startswith("ARBETSPLATS is not a service of SITSSAM-myndigheten")
        assert "fee area of its own provider" in both["en"]
    # An unknown code gets the very same answer: the refusal tells nothing of others' services.
    with pytest.raises(ValidationFailed) as unknown:
        services.bill_service(actor=two.second_finance, fee_area_id=area.pk, service_code="NOPE")
    assert str(unknown.value) == str(caught.value).replace("ARBETSPLATS", "NOPE")
    # Försäkringskassan's staff cannot bill into B's fee area at all: it is missing to them.
    with pytest.raises(NotFound):
        services.bill_service(actor=two.finance, fee_area_id=area.pk, service_code="ARBETSPLATS")
    assert (BillableService.objects.count(), AuditEvent.objects.count()) == before
    assert not BillableService.objects.filter(fee_area=area).exists()


def test_b_cannot_reach_the_default_providers_fee_model_through_its_writes(two):
    b = two.second_finance
    before = (CostEntry.objects.count(), AllocationRun.objects.count(), FeeArea.objects.count())
    with pytest.raises(ValidationFailed):  # FK's service is unknown in B's cost file
        services.import_costs(
            actor=b,
            rows=[{"period": f"{YEAR}-12", "cost_pool": "x", "service": "ARBETSPLATS",
                   "amount": "1", "voucher": "X1"}],
        )  # fmt: skip
    with pytest.raises(ValidationFailed):  # and in its prices
        services.create_price_version(
            actor=b, service_code="ARBETSPLATS", unit_price="1",
            valid_from=datetime.date(YEAR, 1, 1), decision_ref="x",
            decision_date=datetime.date(YEAR, 1, 1),
        )  # fmt: skip
    for write in (
        lambda: services.run_allocation(actor=b, year=YEAR, provider_id=two.provider.pk),
        lambda: services.close_year(actor=b, year=YEAR, provider_id=two.provider.pk),
        lambda: services.create_fee_area(
            actor=b, code="x", name_sv="x", name_en="x", provider_id=two.provider.pk
        ),
    ):
        with pytest.raises(NotFound):
            write()
    # FK's account manager reads FK's fee model but changes none of it.
    reader = UserFactory(username="kundansvarig")
    MembershipFactory(user=reader, organisation=two.provider, role="account_manager")
    from samdrift.accounts.selectors import actor_for_user

    with pytest.raises(PermissionDenied):
        services.create_fee_area(actor=actor_for_user(reader), code="y", name_sv="y", name_en="y")
    assert (
        CostEntry.objects.count(),
        AllocationRun.objects.count(),
        FeeArea.objects.count(),
    ) == before
    assert billing_abilities(b)["close_year"] and billing_abilities(b)["run"]  # its own (ADR 0668)
    assert billing_abilities(b, two.provider.pk) == {**dict.fromkeys(billing_abilities(b), False)}


def test_a_fee_area_code_is_unique_within_its_provider(two):
    with pytest.raises(ValidationFailed) as caught:
        services.create_fee_area(
            actor=two.finance, code="it-drift", name_sv="Igen", name_en="Again"
        )
    assert "code" in caught.value.errors
    area = services.create_fee_area(
        actor=two.second_finance, code="it-drift", name_sv="B", name_en="B"
    )
    assert FeeArea.objects.filter(code="it-drift").count() == 2 and area.provider == two.second


@pytest.fixture
def both(two):
    """Someone in the finance function of both providers."""
    user = UserFactory(username="ekonomi_bada")
    for org in (two.provider, two.second):
        MembershipFactory(user=user, organisation=org, role="finance")
    return user


def test_api_pages_and_cli_take_the_actors_provider(two, both, client_for):
    area = _second_provider_year(two)
    b_user = UserFactory(username="ekonomi_b2")
    MembershipFactory(user=b_user, organisation=two.second, role="finance")
    fk_user = UserFactory(username="ekonomi_fk2")
    MembershipFactory(user=fk_user, organisation=two.provider, role="finance")
    b, fk, two_hats = client_for(b_user), client_for(fk_user), client_for(both)

    assert [row["id"] for row in b.get(f"{API}/fee-areas").json()["items"]] == [area.pk]
    assert b.get(f"{API}/fee-areas/{area.pk}").json()["services"] == ["SAMVERKAN"]
    for path in (f"/fee-areas/{area.pk}", "/fee-areas/987654"):
        missing = fk.get(API + path)
        assert missing.status_code == 404
    assert fk.get(f"{API}/fee-areas/{area.pk}").json() == fk.get(f"{API}/fee-areas/987654").json()
    assert fk.get(f"{API}/report?provider={two.second.pk}").status_code == 404
    assert [r["fee_area"] for r in b.get(f"{API}/report").json()["rows"]] == ["it-drift"]
    assert fk.get(f"{API}/report").json()["rows"] == []
    assert fk.get(f"{API}/allocation-runs?year={YEAR}").json()["items"] == []
    assert b.get(f"{API}/allocation-runs?year={YEAR}").json()["count"] == 1

    # Billing another provider's service: 422 in both languages, nothing stored.
    count = BillableService.objects.count()
    refused = b.post(
        f"{API}/fee-areas/{area.pk}/services",
        data={"service": "ARBETSPLATS"},
        content_type="application/json",
    )
    assert refused.status_code == 422
    body = refused.json()
    assert "ARBETSPLATS är inte en tjänst hos" in body["message_sv"]
    assert "ARBETSPLATS is not a service of" in body["message_en"]
    assert BillableService.objects.count() == count

    # Someone in both providers: the default provider first, the other by choice.
    own = two_hats.get(f"{API}/costs?year={YEAR}").json()
    assert {r["cost_pool"] for r in own} == set()  # FK has no cost in this test
    theirs = two_hats.get(f"{API}/costs?year={YEAR}&provider={two.second.pk}").json()
    assert {r["cost_pool"] for r in theirs} == {"b-direkt", "b-gemensamt"}
    page = two_hats.get(f"/billing/fee-areas/?provider={two.second.pk}")
    assert page.status_code == 200
    html = page.content.decode()
    assert 'name="provider"' in html and "B:s it-drift" in html and "SITSSAM-myndigheten" in html
    assert fk.get(f"/billing/fee-areas/?provider={two.second.pk}").status_code == 404
    assert fk.get(f"/billing/fee-areas/{area.pk}/").status_code == 404
    assert "B:s it-drift" not in fk.get("/billing/fee-areas/").content.decode()
    assert "B:s it-drift" not in fk.get("/billing/report/").content.decode()

    # The page bills B's own service; the form offers no other provider's service.
    other = ServiceFactory(code="SAMVERKAN2", name_sv="S2", name_en="S2", provider=two.second)
    form_page = b.get(f"/billing/fee-areas/{area.pk}/").content.decode()
    assert "SAMVERKAN2" in form_page and "ARBETSPLATS" not in form_page
    posted = b.post(
        f"/billing/fee-areas/{area.pk}/",
        {"service": "SAMVERKAN2", "unit_code": "C62", "unit_sv": "st", "unit_en": "pcs"},
    )
    assert posted.status_code == 302
    assert BillableService.objects.get(service=other).fee_area == area

    # The CLI: B's fee areas as B; a refusal in both languages, nothing stored.
    out = io.StringIO()
    call_command("billing", "fee-areas", "--as", b_user.username, stdout=out)
    assert out.getvalue().startswith("it-drift (core) B:s it-drift")
    with pytest.raises(CommandError) as caught:
        call_command(
            "billing", "bill-service", "--fee-area", "it-drift", "--service", "ARBETSPLATS",
            "--as", b_user.username, stdout=io.StringIO(),
        )  # fmt: skip
    assert "är inte en tjänst hos" in str(caught.value)
    assert "is not a service of" in str(caught.value)
    assert BillableService.objects.count() == count + 1
