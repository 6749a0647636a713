# ruff: noqa: F811 - the fixtures imported from test_api are parameters here
"""A credit reason with a control character is refused in both languages, nothing stored
(issue 19 item 3): it would make the finalised credit note unreadable as UBL (XML)."""

from __future__ import annotations

import pytest

from samdrift.audit.models import AuditEvent
from samdrift.billing import services
from samdrift.billing.models import Invoice
from samdrift.core.exceptions import ValidationFailed
from samdrift.core.i18n import in_both_languages

from .builders import usage_rows
from .test_api import API, clients, world  # noqa: F401 - the fixtures

pytestmark = pytest.mark.django_db


@pytest.mark.parametrize("reason", ["wrong amount\u001b", "fel\x00", "två\nrader", "\u0085"])
def test_credit_reason_with_control_characters_is_refused_over_the_api(world, clients, reason):
    invoice = Invoice.objects.get(buyer__name="Myndighet A")
    before = (Invoice.objects.count(), AuditEvent.objects.count())
    response = clients["finance"].post(
        f"{API}/invoices/{invoice.pk}/credit", {"reason": reason}, content_type="application/json"
    )
    assert response.status_code == 422, response.content
    body = response.json()
    assert body["message_sv"] and body["message_en"] and body["message_sv"] != body["message_en"]
    assert (Invoice.objects.count(), AuditEvent.objects.count()) == before


def test_the_service_refuses_it_too_for_callers_without_a_schema(world):
    invoice = Invoice.objects.get(buyer__name="Myndighet A")
    before = Invoice.objects.count()
    with pytest.raises(ValidationFailed) as refused:
        services.credit_invoice(actor=world.finance, invoice_id=invoice.pk, reason="fel\u001b")
    assert "reason" in refused.value.errors
    both = in_both_languages(refused.value.message)
    assert both["sv"].startswith("Skriv detta på en rad") and both["en"].startswith("Write this")
    assert Invoice.objects.count() == before


def test_an_ordinary_reason_still_credits(world, clients):
    invoice = Invoice.objects.get(buyer__name="Myndighet A")
    response = clients["finance"].post(
        f"{API}/invoices/{invoice.pk}/credit",
        {"reason": "Fel belopp – se avtal §4"},
        content_type="application/json",
    )
    assert response.status_code == 201, response.content


def test_a_legacy_credit_note_with_esc_still_reads_everywhere(
    world, clients, monkeypatch, tmp_path
):
    """A credit note stored before the boundary check (the check bypassed, as the old code had
    none) answers on its API, UBL and page, and the period's export exits 0."""
    from django.core.management import call_command

    monkeypatch.setattr("samdrift.billing.services.sealing.is_single_line", lambda text: True)
    invoice = Invoice.objects.get(buyer__name="Myndighet A")
    credit = services.credit_invoice(
        actor=world.finance, invoice_id=invoice.pk, reason="wrong amount\u001b"
    )
    assert Invoice.objects.get(pk=credit.pk).reason == "wrong amount\u001b"  # stored as it was
    finance = clients["finance"]
    assert finance.get(f"{API}/invoices/{credit.pk}").status_code == 200
    ubl = finance.get(f"{API}/invoices/{credit.pk}/ubl")
    assert ubl.status_code == 200 and b"wrong amount\xef\xbf\xbd" in ubl.content  # U+FFFD
    assert finance.get(f"/billing/invoices/{credit.pk}/").status_code == 200
    call_command("billing", "export-ubl", "--period", "2024-01", "--out", str(tmp_path))
    assert any(tmp_path.iterdir())


def test_legacy_text_in_lines_and_parties_reads_everywhere_and_is_flagged(world, clients, tmp_path):
    """A month whose drafts got control characters in a line text and the buyer's name (written
    straight into the rows, as legacy data would be) is finalised: its invoices answer on the
    API (flagged in `unreadable_text`), UBL (U+FFFD) and page, and the export exits 0."""
    from django.core.management import call_command

    from samdrift.billing.models import InvoiceLine

    services.record_usage(
        actor=world.finance,
        rows=usage_rows(world.agencies["Myndighet A"], "ARBETSPLATS", 2024, 10, range(2, 3)),
    )
    services.run_period(actor=world.finance, period="2024-02")
    draft = Invoice.objects.get(period__month=2, buyer__name="Myndighet A")
    InvoiceLine.objects.filter(invoice=draft, position=1).update(text_sv="Arbetsplats\u001b[31m")
    Invoice.objects.filter(pk=draft.pk).update(buyer_name="Myndighet\x07 A")
    services.finalise_run(actor=world.finance, period="2024-02")
    invoice = Invoice.objects.get(pk=draft.pk)
    assert invoice.number and invoice.buyer_name == "Myndighet\x07 A"  # stored as it was

    finance = clients["finance"]
    detail = finance.get(f"{API}/invoices/{invoice.pk}")
    assert detail.status_code == 200, detail.content[:300]
    assert detail.json()["unreadable_text"] == ["buyer_name", "line 1"]
    ubl = finance.get(f"{API}/invoices/{invoice.pk}/ubl")
    assert ubl.status_code == 200
    assert "Arbetsplats\ufffd[31m".encode() in ubl.content
    assert "Myndighet\ufffd A".encode() in ubl.content
    assert ubl.content == finance.get(f"{API}/invoices/{invoice.pk}/ubl").content  # the same
    assert finance.get(f"/billing/invoices/{invoice.pk}/").status_code == 200
    call_command("billing", "export-ubl", "--period", "2024-02", "--out", str(tmp_path))
    assert any(tmp_path.iterdir())
    clean = Invoice.objects.get(period__month=1, buyer__name="Myndighet A")
    assert finance.get(f"{API}/invoices/{clean.pk}").json()["unreadable_text"] == []
