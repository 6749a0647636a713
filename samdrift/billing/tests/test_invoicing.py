"""Invoice runs end to end: umbrellas, idempotency, determinism, credit notes, UBL validation."""

from __future__ import annotations

import datetime

import pytest
from django.db import IntegrityError, connection, transaction
from django.db.models import Value
from django.db.models.functions import Concat

from samdrift.billing import services
from samdrift.billing.documents import invoice_ubl, invoice_ubl_sha256
from samdrift.billing.models import BillingProfile, Invoice, InvoiceLine, LedgerEntry, NumberSeries
from samdrift.billing.schematron import fatal_errors, validate
from samdrift.billing.services import build_period
from samdrift.core.exceptions import BusinessRuleViolation, NotFound
from samdrift.organisations.models import Organisation

from .builders import agency, make_world, price, subscribe, usage_rows


@pytest.fixture
def world(db):
    world = make_world(("ARBETSPLATS", "LAGRING", "SAMVERKAN"))
    dv = agency(world, "Domstolsverket", org_number="202100-2742")
    courts = [
        agency(world, name, org_number="202100-2742", parent=dv)
        for name in ("Attunda tingsrätt", "Svea hovrätt")
    ]
    group = Organisation.objects.create(name="Länsstyrelserna", is_group=True, org_number="")
    lans = [
        agency(world, name, parent=group)
        for name in ("Länsstyrelsen i Skåne", "Länsstyrelsen i Uppsala")
    ]
    solo = agency(world, "Myndighet A")
    for org in (*courts, *lans, solo):
        subscribe(org, world.services["ARBETSPLATS"])
    subscribe(solo, world.services["SAMVERKAN"], start=datetime.date(2024, 2, 10))
    price(world, "ARBETSPLATS", "450.50", datetime.date(2024, 1, 1))
    price(world, "LAGRING", "12000", datetime.date(2024, 1, 1), basis="year")
    price(world, "SAMVERKAN", "25000", datetime.date(2024, 1, 1), model="one_time")
    rows = []
    for index, org in enumerate((*courts, *lans, solo), start=1):
        rows += usage_rows(org, "ARBETSPLATS", 2024, 100 * index + 7, range(1, 4))
    rows += usage_rows(solo, "LAGRING", 2024, "3.5", range(1, 4))
    services.record_usage(actor=world.finance, rows=rows)
    world.agencies.update({"dv": dv, "solo": solo})
    return world


def test_umbrella_gets_one_invoice_with_a_line_per_court(world):
    services.run_period(actor=world.finance, period="2024-01", finalise=True)
    invoices = Invoice.objects.filter(period=datetime.date(2024, 1, 1))
    buyers = sorted(invoices.values_list("buyer__name", flat=True))
    # Courts through Domstolsverket; a group without legal entity is not a buyer: its members are.
    assert buyers == [
        "Domstolsverket",
        "Länsstyrelsen i Skåne",
        "Länsstyrelsen i Uppsala",
        "Myndighet A",
    ]
    dv_invoice = invoices.get(buyer__name="Domstolsverket")
    assert sorted(dv_invoice.lines.values_list("organisation__name", flat=True)) == [
        "Attunda tingsrätt",
        "Svea hovrätt",
    ]
    assert "Avser: Attunda tingsrätt".encode() in invoice_ubl(dv_invoice)


def test_group_member_can_receive_the_groups_invoices(world):
    skane = world.agencies["Länsstyrelsen i Skåne"]
    group = Organisation.objects.get(name="Länsstyrelserna")
    BillingProfile.objects.create(organisation=group, invoice_to=skane)
    drafts, _warnings = build_period(datetime.date(2024, 1, 1), world.provider.pk)
    lan_invoice = next(d for d in drafts if d.buyer_id == skane.pk)
    assert {line.org_name for line in lan_invoice.lines} == {
        "Länsstyrelsen i Skåne",
        "Länsstyrelsen i Uppsala",
    }


def test_every_document_passes_en16931_and_peppol_rules(world):
    services.run_period(actor=world.finance, period="2024-01", finalise=True)
    services.run_period(actor=world.finance, period="2024-02", finalise=True)
    invoice = Invoice.objects.get(buyer=world.agencies["solo"], period=datetime.date(2024, 2, 1))
    note = services.credit_invoice(
        actor=world.finance, invoice_id=invoice.pk, reason="Fel antal användare"
    )
    documents = list(Invoice.objects.filter(status="finalised"))
    assert len(documents) >= 9 and note in documents
    for document in documents:
        findings = validate(invoice_ubl(document))
        assert findings == [], (document.number, findings)
    # The validator is real: a broken total is caught (BR-CO-16) and a missing buyer reference too.
    broken = (
        invoice_ubl(invoice)
        .decode()
        .replace('<cbc:PayableAmount currencyID="SEK">', '<cbc:PayableAmount currencyID="SEK">9')
    )
    broken = broken.replace(
        f"<cbc:BuyerReference>{invoice.buyer_reference}</cbc:BuyerReference>", ""
    )
    assert {f.rule_id for f in fatal_errors(broken.encode())} >= {"BR-CO-16", "PEPPOL-EN16931-R003"}


def test_year_price_uses_base_quantity_twelve_and_one_time_fee_once(world):
    services.run_period(actor=world.finance, period="2024-02", finalise=True)
    invoice = Invoice.objects.get(buyer=world.agencies["solo"], period=datetime.date(2024, 2, 1))
    kinds = {(line.service.code, line.kind): line for line in invoice.lines.all()}
    storage = kinds[("LAGRING", "usage")]
    assert storage.base_quantity == 12 and storage.amount_ore == 350000  # 3.5 TB × 12 000 kr / 12
    assert kinds[("SAMVERKAN", "one_time")].amount_ore == 2_500_000
    assert '<cbc:BaseQuantity unitCode="E35">12</cbc:BaseQuantity>' in invoice_ubl(invoice).decode()
    services.run_period(actor=world.finance, period="2024-03", finalise=True)
    march = Invoice.objects.get(buyer=world.agencies["solo"], period=datetime.date(2024, 3, 1))
    assert not march.lines.filter(kind="one_time").exists()


def test_no_vat_between_state_agencies(world):
    services.run_period(actor=world.finance, period="2024-01", finalise=True)
    invoice = Invoice.objects.filter(status="finalised").first()
    assert invoice.vat_ore == 0
    document = invoice_ubl(invoice).decode()
    assert "<cbc:ID>O</cbc:ID>" in document and "PartyTaxScheme" not in document
    assert "<cbc:TaxExemptionReason>" in document


def test_rerun_is_idempotent_and_deterministic(world):
    first = services.run_period(actor=world.finance, period="2024-01")
    assert first.created and not first.unchanged
    ids = sorted(Invoice.objects.values_list("id", flat=True))
    again = services.run_period(actor=world.finance, period="2024-01")
    assert again.unchanged and sorted(Invoice.objects.values_list("id", flat=True)) == ids
    # New input: only the drafts are rebuilt, still one invoice per buyer.
    services.record_usage(
        actor=world.finance,
        rows=[
            *usage_rows(world.agencies["solo"], "LAGRING", 2024, 1, range(4, 5)),
            {
                "organisation": "Myndighet A",
                "service": "ARBETSPLATS",
                "period": "2024-01",
                "quantity": "5",
                "source": "other",
                "key": "extra",
            },
        ],
    )
    rebuilt = services.run_period(actor=world.finance, period="2024-01")
    assert not rebuilt.unchanged and rebuilt.run.input_hash != first.run.input_hash
    assert Invoice.objects.filter(run=rebuilt.run).count() == len(ids)
    services.finalise_run(actor=world.finance, period="2024-01")
    # The UBL is a pure function of the sealed invoice: rendering it again, even after the
    # agencies were renamed, gives the same bytes (I-07, ADR 0209).
    stored = {i.number: invoice_ubl_sha256(i) for i in Invoice.objects.all()}
    renamed = [world.provider.pk, *Invoice.objects.values_list("buyer_id", flat=True)]
    Organisation.objects.filter(pk__in=renamed).update(name=Concat("name", Value(" (omdöpt)")))
    BillingProfile.objects.update(city="Kiruna")
    for invoice in Invoice.objects.all():
        assert invoice_ubl_sha256(invoice) == stored[invoice.number]
        assert "omdöpt".encode() not in invoice_ubl(invoice)
    final = services.run_period(actor=world.finance, period="2024-01", finalise=True)
    assert final.unchanged and Invoice.objects.count() == len(ids)


def test_numbers_are_gapless_per_seller(world):
    for month in ("2024-01", "2024-02", "2024-03"):
        services.run_period(actor=world.finance, period=month, finalise=True)
    numbers = sorted(Invoice.objects.filter(kind="invoice").values_list("number", flat=True))
    assert numbers == [f"F{n:07d}" for n in range(1, len(numbers) + 1)]
    series = NumberSeries.objects.get(seller=world.provider, kind="invoice")
    assert series.next_number == len(numbers) + 1


def test_a_line_without_an_account_stops_finalising_with_nothing_changed(world):
    """A billed service that lost its fee area has no account to post to: the ledger INSERT
    itself refuses (NOT NULL account) and the month stays a draft, unnumbered (ADR 0222)."""
    from samdrift.billing.models import BillableService

    services.run_period(actor=world.finance, period="2024-01")
    BillableService.objects.filter(service=world.services["ARBETSPLATS"]).delete()
    with pytest.raises(BusinessRuleViolation, match="no fee area"):
        services.finalise_run(actor=world.finance, period="2024-01")
    assert not Invoice.objects.exclude(status="draft").exists()
    assert not Invoice.objects.exclude(number=None).exists()
    assert not LedgerEntry.objects.exists()
    assert not NumberSeries.objects.filter(next_number__gt=1).exists()


def test_credit_note_reverses_the_ledger_and_refuses_twice(world):
    services.run_period(actor=world.finance, period="2024-01", finalise=True)
    invoice = Invoice.objects.get(buyer=world.agencies["solo"])
    note = services.credit_invoice(actor=world.finance, invoice_id=invoice.pk, reason="Fel")
    assert note.number == "K0000001" and note.total_ore == -invoice.total_ore
    document = invoice_ubl(note).decode()
    assert "<cbc:CreditNoteTypeCode>381</cbc:CreditNoteTypeCode>" in document
    assert f"<cbc:ID>{invoice.number}</cbc:ID>" in document
    keys = LedgerEntry.objects.filter(invoice_line__invoice__in=[invoice, note])
    assert sum(keys.values_list("amount_ore", flat=True)) == 0
    with pytest.raises(BusinessRuleViolation):
        services.credit_invoice(actor=world.finance, invoice_id=invoice.pk, reason="Igen")
    with pytest.raises(NotFound):
        services.credit_invoice(
            actor=world.finance, invoice_id=note.pk, reason="En kreditnota krediteras inte"
        )


def test_finalised_invoice_is_immutable_in_the_database(world):
    services.run_period(actor=world.finance, period="2024-01", finalise=True)
    invoice = Invoice.objects.filter(status="finalised").first()
    line = invoice.lines.first()
    before = (invoice.total_ore, line.amount_ore, InvoiceLine.objects.count())
    attempts = [
        lambda: Invoice.objects.filter(pk=invoice.pk).update(total_ore=1),
        lambda: Invoice.objects.filter(pk=invoice.pk).update(status="draft"),
        lambda: InvoiceLine.objects.filter(pk=line.pk).update(amount_ore=1),
        lambda: InvoiceLine.objects.filter(pk=line.pk).delete(),
        lambda: InvoiceLine.objects.create(
            invoice=invoice,
            position=999,
            organisation=invoice.buyer,
            kind="usage",
            text_sv="x",
            text_en="x",
            quantity=1,
            unit_code="C62",
            unit_price=1,
            amount_ore=100,
        ),
        lambda: LedgerEntry.objects.all().update(amount_ore=0),
        lambda: LedgerEntry.objects.all().delete(),
    ]
    for attempt in attempts:
        with pytest.raises(IntegrityError), transaction.atomic():
            attempt()
    with pytest.raises(IntegrityError), transaction.atomic(), connection.cursor() as cursor:
        cursor.execute("DELETE FROM billing_invoice WHERE id = %s", [invoice.pk])
    invoice.refresh_from_db()
    line.refresh_from_db()
    assert (invoice.total_ore, line.amount_ore, InvoiceLine.objects.count()) == before


def test_bulk_lines_into_a_finalised_invoice_are_refused_as_a_whole(world):
    """The guard holds for the bulk path the runs use (COPY on PostgreSQL, multi-row VALUES on
    SQLite), where PostgreSQL checks once per statement (ADR 0221): a batch of lines of which
    one belongs to a finalised invoice is refused whole, and a batch for drafts goes in."""
    from samdrift.billing.services.common import insert_rows
    from samdrift.billing.services.runs import LINE_COLUMNS

    services.run_period(actor=world.finance, period="2024-01", finalise=True)
    services.run_period(actor=world.finance, period="2024-02")
    final = Invoice.objects.filter(status="finalised").first()
    draft = Invoice.objects.filter(status="draft").first()

    def row(invoice: Invoice, position: int) -> tuple[object, ...]:
        return (
            invoice.pk, position, invoice.buyer_id, None, "usage", "x", "x",
            1, "C62", 1, 1, 100, None, None, "",
        )  # fmt: skip

    count = InvoiceLine.objects.count()
    with pytest.raises(IntegrityError), transaction.atomic():
        insert_rows(InvoiceLine, LINE_COLUMNS, [row(draft, 900), row(final, 901), row(draft, 902)])
    assert InvoiceLine.objects.count() == count
    with transaction.atomic():
        insert_rows(InvoiceLine, LINE_COLUMNS, [row(draft, 900), row(draft, 901)])
    assert InvoiceLine.objects.count() == count + 2


def test_bulk_changes_touching_a_finalised_invoice_are_refused_as_a_whole(world):
    """An UPDATE or DELETE of many lines of which one belongs to a finalised invoice is refused
    whole: once per statement on PostgreSQL (migration 0010, ADR 0222), per row on SQLite."""
    services.run_period(actor=world.finance, period="2024-01", finalise=True)
    services.run_period(actor=world.finance, period="2024-02")
    final = InvoiceLine.objects.filter(invoice__status="finalised").values_list("pk", flat=True)[0]
    drafts = list(
        InvoiceLine.objects.filter(invoice__status="draft").values_list("pk", flat=True)[:3]
    )
    before = sorted(InvoiceLine.objects.values_list("pk", "invoice_id", "text_sv"))
    ids = [drafts[0], final, *drafts[1:]]
    marks = ", ".join(["%s"] * len(ids))
    for sql in (
        f"UPDATE billing_invoiceline SET text_sv = 'x' WHERE id IN ({marks})",  # noqa: S608
        f"DELETE FROM billing_invoiceline WHERE id IN ({marks})",  # noqa: S608
    ):
        with pytest.raises(IntegrityError), transaction.atomic(), connection.cursor() as cursor:
            cursor.execute(sql, ids)
    assert sorted(InvoiceLine.objects.values_list("pk", "invoice_id", "text_sv")) == before


@pytest.mark.skipif(
    connection.vendor == "sqlite", reason="SQLite's row guard looks at the old row only (ADR 0222)"
)
def test_a_line_cannot_be_moved_into_a_finalised_invoice(world):
    services.run_period(actor=world.finance, period="2024-01", finalise=True)
    services.run_period(actor=world.finance, period="2024-02")
    final = Invoice.objects.filter(status="finalised").first()
    line = InvoiceLine.objects.filter(invoice__status="draft").first()
    with pytest.raises(IntegrityError), transaction.atomic():
        InvoiceLine.objects.filter(pk=line.pk).update(invoice=final, position=999)
    assert InvoiceLine.objects.get(pk=line.pk).invoice_id == line.invoice_id


def test_late_usage_becomes_an_adjustment_in_the_next_open_month(world):
    services.run_period(actor=world.finance, period="2024-01", finalise=True)
    late = [
        {
            "organisation": "Myndighet A",
            "service": "ARBETSPLATS",
            "period": "2024-01",
            "quantity": "10",
            "source": "late",
            "key": "late-1",
        }
    ]
    with pytest.raises(Exception) as refused:
        services.record_usage(actor=world.finance, rows=late)
    assert "2024-01" in str(refused.value.errors)  # type: ignore[attr-defined]
    result = services.record_usage(actor=world.finance, rows=late, late="adjust")
    assert result.adjustments == 1
    services.run_period(actor=world.finance, period="2024-02", finalise=True)
    adjustment = InvoiceLine.objects.get(kind="adjustment")
    assert (
        adjustment.invoice.period == datetime.date(2024, 2, 1) and adjustment.amount_ore == 450_500
    )
    assert "2024-01" in adjustment.text_en
    # January is untouched.
    assert not InvoiceLine.objects.filter(
        invoice__period=datetime.date(2024, 1, 1), kind="adjustment"
    ).exists()
