# ruff: noqa: F811 - the fixtures imported from test_api are parameters here
"""The audited repair of a finalised invoice with unreadable text (issue 19 item 3, ADR 0217):
a full credit note and a clean replacement, the original row unchanged. BEL (\\x07) stands for
the legacy control characters, as PostgreSQL cannot store NUL."""

from __future__ import annotations

import pytest
from django.core.management import call_command
from django.forms.models import model_to_dict

from samdrift.audit.models import AuditEvent
from samdrift.billing import documents, schematron, services
from samdrift.billing.models import Invoice, InvoiceLine, LedgerEntry
from samdrift.core.exceptions import BusinessRuleViolation, PermissionDenied
from samdrift.core.i18n import in_both_languages

from .builders import actor_for_user, usage_rows
from .test_api import API, MembershipFactory, UserFactory, clients, world  # noqa: F401 - the fixtures

pytestmark = pytest.mark.django_db


def _legacy_invoice(world):
    """February's invoice for Myndighet A, finalised with BEL in a line and the buyer's name."""
    services.record_usage(
        actor=world.finance,
        rows=usage_rows(world.agencies["Myndighet A"], "ARBETSPLATS", 2024, 10, range(2, 3)),
    )
    services.run_period(actor=world.finance, period="2024-02")
    draft = Invoice.objects.get(period__month=2, buyer__name="Myndighet A")
    InvoiceLine.objects.filter(invoice=draft, position=1).update(text_sv="Arbetsplats\x07[31m")
    Invoice.objects.filter(pk=draft.pk).update(buyer_name="Myndighet\x07 A")
    services.finalise_run(actor=world.finance, period="2024-02")
    return Invoice.objects.get(pk=draft.pk)


def _snapshot(invoice: Invoice):
    return (
        model_to_dict(Invoice.objects.get(pk=invoice.pk)),
        sorted(
            tuple(sorted(model_to_dict(line).items()))
            for line in InvoiceLine.objects.filter(invoice=invoice)
        ),
    )


def test_correction_credits_in_full_and_replaces_with_clean_text(world, tmp_path):
    original = _legacy_invoice(world)
    before = _snapshot(original)
    ledger_before = sum(LedgerEntry.objects.values_list("amount_ore", flat=True))
    note, replacement = services.correct_unreadable_invoice(
        actor=world.finance, invoice_id=original.pk
    )
    assert _snapshot(original) == before  # the finalised row, byte for byte
    assert note.credited_invoice_id == original.pk and note.number.startswith("K")
    assert replacement.number.startswith("F") and original.number in replacement.reason
    assert note.total_ore == -original.total_ore and replacement.total_ore == original.total_ore
    assert note.total_ore + replacement.total_ore == 0
    assert replacement.buyer_name == "Myndighet A"
    assert replacement.lines.get(position=1).text_sv == "Arbetsplats [31m"
    assert documents.unreadable_text(note) == [] and documents.unreadable_text(replacement) == []
    # Numbers continue the normal series without a gap.
    numbers = sorted(
        int(n[1:]) for n in Invoice.objects.filter(kind="invoice").values_list("number", flat=True)
    )
    assert numbers == list(range(numbers[0], numbers[0] + len(numbers)))
    # Ledger: the note reverses what the replacement posts again; the net change is the original.
    ledger_after = sum(LedgerEntry.objects.values_list("amount_ore", flat=True))
    assert ledger_after == ledger_before
    for document in (original, note, replacement):
        assert schematron.fatal_errors(documents.invoice_ubl(document)) == []
    event = AuditEvent.objects.filter(action="billing.invoice_corrected").get()
    assert event.before["number"] == original.number
    assert event.before["unreadable"] == ["buyer_name", "line 1"]
    assert event.after["replacement"] == replacement.number
    call_command("billing", "export-ubl", "--period", "2024-02", "--out", str(tmp_path))
    assert len(list(tmp_path.iterdir())) >= 3


def test_the_officer_may_give_the_replacement_texts(world):
    original = _legacy_invoice(world)
    _note, replacement = services.correct_unreadable_invoice(
        actor=world.finance,
        invoice_id=original.pk,
        texts={"line 1": "Arbetsplats, standard", "buyer_name": "Myndighet A"},
    )
    assert replacement.lines.get(position=1).text_sv == "Arbetsplats, standard"


def test_replacement_text_with_control_characters_is_refused_and_nothing_written(world):
    original = _legacy_invoice(world)
    count = (Invoice.objects.count(), AuditEvent.objects.count())
    with pytest.raises(Exception) as refused:
        services.correct_unreadable_invoice(
            actor=world.finance, invoice_id=original.pk, texts={"line 1": "fel\x07"}
        )
    assert "line 1" in refused.value.errors
    assert (Invoice.objects.count(), AuditEvent.objects.count()) == count


def test_a_readable_invoice_is_refused_in_both_languages(world):
    clean = Invoice.objects.get(period__month=1, buyer__name="Myndighet A")
    count = Invoice.objects.count()
    with pytest.raises(BusinessRuleViolation) as refused:
        services.correct_unreadable_invoice(actor=world.finance, invoice_id=clean.pk)
    both = in_both_languages(refused.value.message)
    assert both["en"].startswith("This invoice's text is readable")
    assert both["sv"] != both["en"]
    assert Invoice.objects.count() == count


def test_a_draft_is_refused(world):
    services.record_usage(
        actor=world.finance,
        rows=usage_rows(world.agencies["Myndighet A"], "ARBETSPLATS", 2024, 10, range(2, 3)),
    )
    services.run_period(actor=world.finance, period="2024-02")
    draft = Invoice.objects.get(period__month=2, buyer__name="Myndighet A")
    with pytest.raises(BusinessRuleViolation):
        services.correct_unreadable_invoice(actor=world.finance, invoice_id=draft.pk)


def _account_manager(world):
    user = UserFactory(username="kundansvarig")
    MembershipFactory(user=user, organisation=world.provider, role="account_manager")
    return actor_for_user(user)


def test_a_user_without_the_finance_ability_is_refused(world):
    original = _legacy_invoice(world)
    count = Invoice.objects.count()
    with pytest.raises(PermissionDenied):
        services.correct_unreadable_invoice(actor=_account_manager(world), invoice_id=original.pk)
    assert Invoice.objects.count() == count


def test_the_api_corrects_and_refuses(world, clients):
    original = _legacy_invoice(world)
    refused = clients["a"].post(
        f"{API}/invoices/{original.pk}/correct", {}, content_type="application/json"
    )
    assert refused.status_code in (403, 404)
    response = clients["finance"].post(
        f"{API}/invoices/{original.pk}/correct", {}, content_type="application/json"
    )
    assert response.status_code == 201, response.content
    body = response.json()
    assert body["credit_note"]["credited_invoice_id"] == original.pk
    assert body["credit_note"]["total"] == "-" + body["replacement"]["total"]
    again = clients["finance"].post(
        f"{API}/invoices/{original.pk}/correct", {}, content_type="application/json"
    )
    assert again.status_code == 409 and again.json()["message_sv"]


def test_the_cli_suggests_then_corrects(world, tmp_path):
    from io import StringIO

    from django.core.management.base import CommandError

    original = _legacy_invoice(world)
    out = StringIO()
    call_command("billing", "correct", "--invoice", original.number, "--dry-run", stdout=out)
    assert "buyer_name=Myndighet A" in out.getvalue()
    assert Invoice.objects.filter(credited_invoice=original).count() == 0  # dry run wrote nothing
    out = StringIO()
    call_command(
        "billing",
        "correct",
        "--invoice",
        original.number,
        "--text",
        "line 1=Arbetsplats",
        stdout=out,
    )
    assert f"{original.number} credited by K" in out.getvalue()
    assert (
        Invoice.objects.filter(reason__contains=original.number, kind="invoice")
        .get()
        .lines.get(position=1)
        .text_sv
        == "Arbetsplats"
    )
    with pytest.raises(CommandError) as refused:
        call_command("billing", "correct", "--invoice", original.number)
    assert "/" in str(refused.value)  # Swedish / English


def test_a_credit_note_is_refused_with_the_reason(world, monkeypatch):
    monkeypatch.setattr("samdrift.billing.services.sealing.is_single_line", lambda text: True)
    invoice = Invoice.objects.get(period__month=1, buyer__name="Myndighet A")
    note = services.credit_invoice(actor=world.finance, invoice_id=invoice.pk, reason="fel\x07")
    with pytest.raises(BusinessRuleViolation) as refused:
        services.correct_unreadable_invoice(actor=world.finance, invoice_id=note.pk)
    assert "ADR 0218" in in_both_languages(refused.value.message)["sv"]
    assert in_both_languages(refused.value.message)["sv"].startswith("En kreditnota")


def test_the_invoice_page_offers_the_correction_to_finance_and_performs_it(world, clients):
    original = _legacy_invoice(world)
    page = clients["finance"].get(f"/billing/invoices/{original.pk}/")
    assert page.status_code == 200 and f"/billing/invoices/{original.pk}/correct/" in page.text
    clean = Invoice.objects.get(period__month=1, buyer__name="Myndighet A")
    assert "/correct/" not in clients["finance"].get(f"/billing/invoices/{clean.pk}/").text
    assert "/correct/" not in clients["a"].get(f"/billing/invoices/{original.pk}/").text
    assert clients["a"].post(f"/billing/invoices/{original.pk}/correct/").status_code in (403, 404)
    assert not Invoice.objects.filter(credited_invoice=original).exists()
    done = clients["finance"].post(f"/billing/invoices/{original.pk}/correct/")
    assert done.status_code == 302
    replacement = Invoice.objects.get(reason__contains=original.number, kind="invoice")
    assert done["Location"].endswith(f"/billing/invoices/{replacement.pk}/")
    assert Invoice.objects.filter(credited_invoice=original).count() == 1
