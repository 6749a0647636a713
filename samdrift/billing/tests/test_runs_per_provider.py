"""Each provider agency runs its own months (issue 18 item 3, ADR 0668).

Försäkringskassan (A, the default provider) and a second provider (B) each have their own fee
area, service, price and customer. B's finance function starts, reviews and finalises its own
March, which drafts only B's invoices, numbered from B's own series, while A's March stays as it
was and A runs and finalises its own; B's year-end close blocks B's months only. Project time is
its case's provider's and an exit settlement each provider's own. A's staff see nothing of B's
run: another provider's run is missing, exactly like a month nobody has run.
"""

from __future__ import annotations

import datetime
import importlib
import io

import pytest
from django.apps import apps
from django.core.management import CommandError, call_command
from django.db.models import Sum

from samdrift.accounts.selectors import actor_for_user
from samdrift.audit.models import AuditEvent
from samdrift.billing import selectors, services
from samdrift.billing.models import (
    Invoice,
    InvoiceRun,
    LedgerEntry,
    NumberSeries,
    ProjectTime,
    Usage,
)
from samdrift.core.exceptions import BusinessRuleViolation, NotFound, ValidationFailed
from samdrift.core.jobs.models import Job
from samdrift.core.jobs.worker import Worker
from samdrift.tests.factories import (
    ConnectionCaseFactory,
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
    project_case,
    subscribe,
    usage_rows,
)

pytestmark = pytest.mark.django_db
YEAR = 2024
MARCH = datetime.date(YEAR, 3, 1)
API = "/api/v1/billing"


@pytest.fixture
def two(db):
    """A (Försäkringskassan) bills ARBETSPLATS to Myndighet A at 100 kr × 10 a month; B bills its
    own SAMVERKAN, in its own fee area, to Myndighet C at 50 kr × 4 a month; Myndighet D uses
    both. Each provider's finance function decided its own price and recorded its own usage."""
    world = make_world(("ARBETSPLATS",))
    a, d = agency(world, "Myndighet A"), agency(world, "Myndighet D")
    for org in (a, d):
        subscribe(org, world.services["ARBETSPLATS"])
    price(world, "ARBETSPLATS", "100", datetime.date(YEAR, 1, 1))
    services.record_usage(
        actor=world.finance,
        rows=[*usage_rows(a, "ARBETSPLATS", YEAR, 10), *usage_rows(d, "ARBETSPLATS", YEAR, 1)],
    )
    second = SecondProviderFactory()
    ServiceFactory(code="SAMVERKAN", name_sv="Samverkan", name_en="Cooperation", provider=second)
    b = finance_actor(second, "ekonomi_b")
    own_fee_area(b, "SAMVERKAN", YEAR)
    c = agency(world, "Myndighet C")
    services.record_usage(
        actor=b,
        rows=[*usage_rows(c, "SAMVERKAN", YEAR, 4), *usage_rows(d, "SAMVERKAN", YEAR, 2)],
    )
    world.second, world.b = second, b  # type: ignore[attr-defined]
    return world


def _invoices(run: InvoiceRun) -> set[tuple[int, str, int, str | None]]:
    return {
        (i.seller_id, i.buyer.name, i.total_ore, i.number)
        for i in selectors.run_invoices(run=run).select_related("buyer")
    }


def _state(run: InvoiceRun) -> tuple[object, ...]:
    run.refresh_from_db()
    rows = Invoice.objects.filter(run=run).order_by("id")
    return (
        run.status,
        run.input_hash,
        run.finalised_at,
        list(rows.values_list("id", "status", "number", "total_ore")),
    )


def test_b_runs_and_finalises_its_march_from_its_own_series_while_as_march_is_untouched(two):
    fk, b = two.finance, two.b
    drafted = services.run_period(actor=fk, period="2024-03")
    a_run = drafted.run
    assert a_run.provider_id == two.provider.pk
    assert _invoices(a_run) == {
        (two.provider.pk, "Myndighet A", 1000_00, None),
        (two.provider.pk, "Myndighet D", 100_00, None),
    }
    before = _state(a_run)

    outcome = services.run_period(actor=b, period="2024-03", finalise=True)
    b_run = outcome.run
    assert (b_run.provider_id, b_run.period, b_run.status) == (two.second.pk, MARCH, "finalised")
    assert b_run.pk != a_run.pk
    # Only B's invoices, numbered from B's own series from its first number.
    assert _invoices(b_run) == {
        (two.second.pk, "Myndighet C", 200_00, "F0000001"),
        (two.second.pk, "Myndighet D", 100_00, "F0000002"),
    }
    assert NumberSeries.objects.get(seller=two.second, kind="invoice").next_number == 3
    # A's March is exactly as it was: still a draft, same drafts, nothing numbered from A's series.
    assert _state(a_run) == before
    assert not NumberSeries.objects.filter(seller=two.provider).exists()

    # A runs its own March again (unchanged) and finalises it: its own series, its own invoices.
    again = services.run_period(actor=fk, period="2024-03", finalise=True)
    assert again.run.pk == a_run.pk and again.unchanged
    assert _invoices(a_run) == {
        (two.provider.pk, "Myndighet A", 1000_00, "F0000001"),
        (two.provider.pk, "Myndighet D", 100_00, "F0000002"),
    }
    assert _invoices(b_run) == {
        (two.second.pk, "Myndighet C", 200_00, "F0000001"),
        (two.second.pk, "Myndighet D", 100_00, "F0000002"),
    }
    # Myndighet D got one invoice from each provider for March, each posted to its own account.
    assert sorted(
        Invoice.objects.filter(buyer__name="Myndighet D", period=MARCH).values_list(
            "seller_id", flat=True
        )
    ) == sorted([two.provider.pk, two.second.pk])
    assert InvoiceRun.objects.filter(period=MARCH).count() == 2


def test_each_providers_finalised_month_is_its_own(two):
    """B's finalised March makes B's March invoiced, not A's: late usage of A's service for March
    is still A's March; B's is billed in B's next open month."""
    fk, b = two.finance, two.b
    services.run_period(actor=b, period="2024-03", finalise=True)
    services.run_period(actor=b, period="2024-04", finalise=True)
    late = two.agencies["Myndighet A"]
    services.record_usage(
        actor=fk,
        rows=[{"organisation": late.name, "service": "ARBETSPLATS", "period": "2024-03",
               "quantity": "1", "key": "a-late"}],
    )  # fmt: skip
    assert Usage.objects.get(source_key="a-late").billed_period == MARCH
    c = two.agencies["Myndighet C"]
    row = {"organisation": c.name, "service": "SAMVERKAN", "period": "2024-03", "quantity": "1",
           "key": "b-late"}  # fmt: skip
    with pytest.raises(ValidationFailed):
        services.record_usage(actor=b, rows=[row])
    services.record_usage(actor=b, rows=[row], late="adjust")
    assert Usage.objects.get(source_key="b-late").billed_period == datetime.date(YEAR, 5, 1)
    # A price of A's service may still start in March; B's may not.
    price(two, "ARBETSPLATS", "110", MARCH)
    with pytest.raises(ValidationFailed) as caught:
        services.create_price_version(
            actor=b, service_code="SAMVERKAN", unit_price="60", valid_from=MARCH,
            decision_ref="B igen", decision_date=datetime.date(YEAR, 2, 1),
        )  # fmt: skip
    assert "valid_from" in caught.value.errors


def test_bs_close_blocks_bs_months_only(two):
    fk, b = two.finance, two.b
    services.run_period(actor=fk, period="2024-03")  # A's draft March does not hold up B's close
    for month in range(1, 12):
        services.run_period(actor=b, period=f"{YEAR}-{month:02d}", finalise=True)
    closes = services.close_year(actor=b, year=YEAR)
    assert [close.fee_area.provider_id for close in closes] == [two.second.pk]

    with pytest.raises(BusinessRuleViolation):  # B's December is in B's closed year
        services.run_period(actor=b, period=f"{YEAR}-12")
    assert not InvoiceRun.objects.filter(provider=two.second, period__month=12).exists()
    with pytest.raises(ValidationFailed):  # and so is B's usage of the year
        services.record_usage(
            actor=b,
            rows=usage_rows(two.agencies["Myndighet C"], "SAMVERKAN", YEAR, 1, range(12, 13)),
        )
    # A's months are A's: it runs its December and finalises its March as before.
    december = services.run_period(actor=fk, period=f"{YEAR}-12", finalise=True)
    assert december.run.provider_id == two.provider.pk and december.invoices == 2
    assert services.finalise_run(actor=fk, period="2024-03").status == "finalised"
    # A's own draft month holds up A's close, not B's.
    services.run_period(actor=fk, period=f"{YEAR}-05")
    with pytest.raises(BusinessRuleViolation):
        services.close_year(actor=fk, year=YEAR)


def test_as_staff_see_nothing_of_bs_run(two, client_for):
    fk, b = two.finance, two.b
    b_run = services.run_period(actor=b, period="2024-03").run
    fk_user = UserFactory(username="ekonomi_fk2")
    MembershipFactory(user=fk_user, organisation=two.provider, role="finance")
    reader = UserFactory(username="kundansvarig_fk")
    MembershipFactory(user=reader, organisation=two.provider, role="account_manager")

    for actor in (fk, actor_for_user(reader)):
        assert list(selectors.run_list(actor=actor)) == []
        for read in (
            lambda actor=actor: selectors.run_list(actor=actor, provider_id=two.second.pk),
            lambda actor=actor: selectors.run_get(actor=actor, period=MARCH),
            lambda actor=actor: selectors.run_get(
                actor=actor, period=MARCH, provider_id=two.second.pk
            ),
        ):
            with pytest.raises(NotFound):
                read()
    before = (_state(b_run), AuditEvent.objects.count(), Invoice.objects.count())
    for write in (
        lambda: services.finalise_run(actor=fk, period=MARCH, provider_id=two.second.pk),
        lambda: services.run_period(actor=fk, period=MARCH, provider_id=two.second.pk),
        lambda: services.check_run(actor=fk, period=MARCH, provider_id=two.second.pk),
    ):
        with pytest.raises(NotFound):
            write()
    with pytest.raises(NotFound):  # A's own March has not been run: missing, like B's
        services.finalise_run(actor=fk, period=MARCH)
    assert (_state(b_run), AuditEvent.objects.count(), Invoice.objects.count()) == before

    # Pages and API: B's run answers A's staff exactly like a provider that does not exist.
    client = client_for(fk_user)
    html = client.get("/billing/runs/").content.decode()
    assert b_run.input_hash[:12] not in html and "Myndighet C" not in html
    for path in (
        f"/billing/runs/2024-03/?provider={two.second.pk}",
        f"/billing/runs/?provider={two.second.pk}",
        f"{API}/runs?provider={two.second.pk}",
    ):
        foreign, missing = client.get(path), client.get(path.replace(str(two.second.pk), "987654"))
        assert foreign.status_code == missing.status_code == 404, path
    assert client.get("/billing/runs/2024-03/").status_code == 404  # A has no March run yet
    posted = client.post("/billing/runs/2024-03/finalise/", {"provider": two.second.pk})
    assert posted.status_code == 404
    api = client.post(
        f"{API}/runs/2024-03/finalise",
        {"provider": two.second.pk},
        content_type="application/json",
    )
    assert api.status_code == 404
    rerun = client.post(
        f"{API}/runs",
        {"period": "2024-03", "provider": two.second.pk},
        content_type="application/json",
    )
    assert rerun.status_code == 404
    assert client.get(f"{API}/runs").json()["items"] == []
    assert (_state(b_run), Invoice.objects.count()) == (before[0], before[2])


def test_bs_staff_run_review_and_finalise_their_month_through_pages_api_and_cli(two, client_for):
    b_user = UserFactory(username="ekonomi_b2")
    MembershipFactory(user=b_user, organisation=two.second, role="finance")
    client = client_for(b_user)
    # The page queues the job with B's provider; a worker runs it and it links B's run.
    assert client.post("/billing/runs/", {"period": "2024-03"}).status_code == 302
    job = Job.objects.get()
    assert job.agency_id == two.second.pk
    assert Worker(burst=True).run() == 1
    job.refresh_from_db()
    link = f"/billing/runs/2024-03/?provider={two.second.pk}"
    assert job.status == "SUCCESSFUL" and job.result["link"] == link, job.error
    run = InvoiceRun.objects.get(provider=two.second, period=MARCH)
    listed = client.get("/billing/runs/").content.decode()
    assert link in listed
    review = client.get(link).content.decode()
    assert "Myndighet C" in review and "Myndighet A" not in review
    assert f'name="provider" value="{two.second.pk}"' in review  # the finalise form names it
    finalised = client.post("/billing/runs/2024-03/finalise/", {"provider": two.second.pk})
    assert finalised.status_code == 302
    run.refresh_from_db()
    assert run.status == "finalised"
    assert not InvoiceRun.objects.filter(provider=two.provider).exists()

    # The API: B's own runs, a body without a provider is B's first (its only) provider.
    body = client.get(f"{API}/runs").json()["items"]
    assert [(r["period"], r["provider_id"], r["invoices"]) for r in body] == [
        ("2024-03", two.second.pk, 2)
    ]
    april = client.post(f"{API}/runs", {"period": "2024-04"}, content_type="application/json")
    assert april.status_code == 200 and april.json()["provider_id"] == two.second.pk
    # No body at all: the caller's own provider.
    done = client.post(f"{API}/runs/2024-04/finalise", content_type="application/json")
    assert done.status_code == 200 and done.json()["status"] == "finalised"
    assert done.json()["invoices"] == 2

    # The CLI, as B's finance officer, names B's run; A's finance officer cannot name it.
    out = io.StringIO()
    call_command(
        "billing", "run", "--period", "2024-05", "--finalise", "--as", b_user.username, stdout=out
    )
    assert out.getvalue().startswith("2024-05 finalised invoices=2")
    fk_user = UserFactory(username="ekonomi_fk3")
    MembershipFactory(user=fk_user, organisation=two.provider, role="finance")
    with pytest.raises(CommandError):
        call_command(
            "billing", "run", "--period", "2024-06", "--provider", str(two.second.pk),
            "--as", fk_user.username, stdout=io.StringIO(),
        )  # fmt: skip
    assert not InvoiceRun.objects.filter(period__month=6).exists()
    assert set(
        Invoice.objects.filter(run__provider=two.second).values_list("seller_id", flat=True)
    ) == {two.second.pk}


def test_someone_in_both_providers_picks_the_run(two, client_for):
    both = UserFactory(username="ekonomi_bada")
    for org in (two.provider, two.second):
        MembershipFactory(user=both, organisation=org, role="finance")
    actor = actor_for_user(both)
    assert services.run_period(actor=actor, period="2024-03").run.provider_id == two.provider.pk
    b_run = services.run_period(actor=actor, period="2024-03", provider_id=two.second.pk).run
    assert b_run.provider_id == two.second.pk
    client = client_for(both)
    page = client.get(f"/billing/runs/?provider={two.second.pk}").content.decode()
    assert 'name="provider"' in page and b_run.input_hash[:12] in page
    assert client.get(f"/billing/runs/2024-03/?provider={two.second.pk}").status_code == 200


def test_project_time_is_its_cases_providers(two):
    fk, b = two.finance, two.b
    c, a = two.agencies["Myndighet C"], two.agencies["Myndighet A"]
    from samdrift.catalogue.models import Service

    b_case = project_case(c, Service.objects.get(code="SAMVERKAN"))
    a_case = project_case(a, two.services["ARBETSPLATS"])
    serviceless = ConnectionCaseFactory(organisation=a).pk  # the catalogue owner's (ADR 0042)

    def book(actor, case_id, key):
        return services.record_project_time(
            actor=actor, case_id=case_id, period="2024-03", hours="2", hourly_rate="500",
            description="Anslutning", key=key,
        )  # fmt: skip

    for actor, case_id in ((fk, b_case), (b, a_case), (b, serviceless)):
        with pytest.raises(NotFound):
            book(actor, case_id, "nope")
    assert not ProjectTime.objects.exists()
    b_time = book(b, b_case, "T1")
    a_time = book(fk, a_case, "T1")  # a key is the provider's own
    book(fk, serviceless, "T2")
    assert (b_time.provider_id, a_time.provider_id) == (two.second.pk, two.provider.pk)
    assert [e.pk for e in selectors.project_time_list(actor=b)] == [b_time.pk]
    assert b_time.pk not in {e.pk for e in selectors.project_time_list(actor=fk)}
    assert [case.pk for case in selectors.project_time_cases(actor=b)] == [b_case]
    assert {case.pk for case in selectors.project_time_cases(actor=fk)} == {a_case, serviceless}

    # Each provider's March invoices its own time, at cost.
    b_run = services.run_period(actor=b, period="2024-03").run
    a_run = services.run_period(actor=fk, period="2024-03").run
    b_lines = Invoice.objects.filter(run=b_run, buyer=c).get().lines.filter(kind="project")
    assert [line.amount_ore for line in b_lines] == [1000_00]
    a_project = Invoice.objects.filter(run=a_run, lines__kind="project").distinct()
    assert {i.buyer_id for i in a_project} == {a.pk} and a_project.get().seller == two.provider
    assert not Invoice.objects.filter(run=a_run, buyer=c).exists()
    # B's March is invoiced: B's late time goes to B's April, A's still to A's March.
    services.finalise_run(actor=b, period="2024-03")
    assert book(b, b_case, "T3").billed_period == datetime.date(YEAR, 4, 1)
    assert book(fk, a_case, "T3").billed_period == MARCH


def test_an_exit_is_settled_by_each_provider_for_its_own_accounts(two):
    fk, b = two.finance, two.b
    for actor in (fk, b):
        services.run_period(actor=actor, period="2024-01", finalise=True)
    d, c = two.agencies["Myndighet D"], two.agencies["Myndighet C"]

    def balance(provider):
        return (
            LedgerEntry.objects.filter(
                account__organisation=d, account__service__provider=provider
            ).aggregate(t=Sum("amount_ore"))["t"]
            or 0
        )

    assert (balance(two.provider), balance(two.second)) == (100_00, 100_00)
    assert {o.pk for o in selectors.exit_candidates(actor=b)} == {c.pk, d.pk}
    assert two.agencies["Myndighet A"].pk not in {o.pk for o in selectors.exit_candidates(actor=b)}
    before = Invoice.objects.count()
    with pytest.raises(NotFound):  # C has no account with A: missing, like no agency at all
        services.settle_exit(actor=fk, organisation_id=c.pk, period="2024-02", reason="Avvecklad")
    with pytest.raises(NotFound):  # nor may A settle D's accounts with B
        services.settle_exit(
            actor=fk, organisation_id=d.pk, period="2024-02", reason="x", provider_id=two.second.pk
        )
    assert Invoice.objects.count() == before

    (a_final,) = services.settle_exit(
        actor=fk, organisation_id=d.pk, period="2024-02", reason="Avvecklad"
    )
    assert (a_final.seller_id, a_final.total_ore, a_final.number) == (
        two.provider.pk,
        -100_00,
        "F0000003",  # after A's two January invoices, from A's own series
    )
    assert (balance(two.provider), balance(two.second)) == (0, 100_00)  # B's is B's to settle
    with pytest.raises(BusinessRuleViolation):
        services.settle_exit(actor=fk, organisation_id=d.pk, period="2024-02", reason="Igen")
    (b_final,) = services.settle_exit(
        actor=b, organisation_id=d.pk, period="2024-02", reason="Avvecklad"
    )
    assert (b_final.seller_id, b_final.number) == (two.second.pk, "F0000003")
    assert (balance(two.provider), balance(two.second)) == (0, 0)


def test_the_migration_gives_another_sellers_invoices_their_own_run(two):
    """A run made before each provider had its own (migration 0013) drafted every provider's
    invoices: its other seller gets its own run of the month in the same state, its drafts move
    there, and a finalised invoice (which never changes) is shown with its seller's run."""
    migration = importlib.import_module(
        "samdrift.billing.migrations.0013_invoice_runs_per_provider"
    )
    c = two.agencies["Myndighet C"]
    legacy = []
    for status, month in (("finalised", 1), ("draft", 2)):
        period = datetime.date(YEAR, month, 1)
        run = InvoiceRun.objects.create(
            provider=two.provider, period=period, status=status, input_hash="h", issue_date=period
        )
        for seller, buyer in ((two.provider, two.agencies["Myndighet A"]), (two.second, c)):
            Invoice.objects.create(
                run=run, seller=seller, buyer=buyer, period=period, issue_date=period,
                due_date=period, buyer_reference="r", status=status,
                number=f"L{month}-{seller.pk}" if status == "finalised" else None,
            )  # fmt: skip
        legacy.append(run)

    migration.split_runs(apps, two.provider.pk)

    old_final, old_draft = legacy
    b_final = InvoiceRun.objects.get(provider=two.second, period=old_final.period)
    b_draft = InvoiceRun.objects.get(provider=two.second, period=old_draft.period)
    assert (b_final.status, b_draft.status) == ("finalised", "draft")
    assert [i.buyer for i in selectors.run_invoices(run=b_final)] == [c]
    assert [i.buyer for i in selectors.run_invoices(run=b_draft)] == [c]
    assert Invoice.objects.filter(run=b_draft).get().buyer == c  # the draft moved
    for run in legacy:
        assert {i.seller_id for i in selectors.run_invoices(run=run)} == {two.provider.pk}
    # B's January is invoiced already: B's own run of it changes nothing.
    again = services.run_period(actor=two.b, period=old_final.period)
    assert again.unchanged and again.run == b_final
    migration.split_runs(apps, two.provider.pk)  # again: nothing more
    assert InvoiceRun.objects.filter(provider=two.second).count() == 2


def test_each_seller_credits_its_own_invoices(two):
    """A provider's finance function credits the invoices its own run finalised; another
    seller's invoice is missing to it (ADR 0668)."""
    fk, b = two.finance, two.b
    services.run_period(actor=b, period="2024-03", finalise=True)
    b_invoice = Invoice.objects.get(seller=two.second, buyer__name="Myndighet C")
    before = Invoice.objects.count()
    with pytest.raises(NotFound):
        services.credit_invoice(actor=fk, invoice_id=b_invoice.pk, reason="Fel")
    assert Invoice.objects.count() == before
    note = services.credit_invoice(actor=b, invoice_id=b_invoice.pk, reason="Fel")
    assert (note.seller_id, note.number, note.total_ore) == (two.second.pk, "K0000001", -200_00)
