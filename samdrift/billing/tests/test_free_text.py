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
