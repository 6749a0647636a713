"""Billing pages for the shared accessibility check (demo data loaded, provider admin logged in)."""

from __future__ import annotations


def pages() -> list[str]:
    from .models import Invoice

    urls = [
        "/billing/",
        "/billing/usage/",
        "/billing/ledger/",
        "/billing/prices/",
        "/billing/runs/",
        "/billing/costs/",
        "/billing/report/",
    ]
    invoice = Invoice.objects.filter(status="finalised").order_by("-period", "number").first()
    if invoice is not None:
        urls.append(f"/billing/invoices/{invoice.pk}/")
        urls.append(f"/billing/runs/{invoice.period:%Y-%m}/")
    return urls
