"""Billing pages for the shared accessibility check (demo data loaded, provider admin logged in)."""

from __future__ import annotations


def pages() -> list[str]:
    from .models import FeeArea, Invoice, LedgerEntry

    urls = [
        "/billing/",
        "/billing/usage/",
        "/billing/ledger/",
        "/billing/prices/",
        "/billing/runs/",
        "/billing/costs/",
        "/billing/report/",
        "/billing/allocation/",
        "/billing/project-time/",
        "/billing/exit/",
        "/billing/fee-areas/",
    ]
    area = FeeArea.objects.order_by("pk").first()
    if area is not None:  # a fee area's page with its services and the form to bill one
        urls.append(f"/billing/fee-areas/{area.pk}/")
    invoice = Invoice.objects.filter(status="finalised").order_by("-period", "number").first()
    if invoice is not None:
        urls.append(f"/billing/invoices/{invoice.pk}/")
        urls.append(f"/billing/runs/{invoice.period:%Y-%m}/")
    entry = LedgerEntry.objects.filter(account__organisation__isnull=False).order_by("id").first()
    if entry is not None:
        # The exit page with its preview table and confirm form.
        urls.append(f"/billing/exit/?organisation={entry.account.organisation_id}")
    return urls
