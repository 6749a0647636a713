"""API of the billing app, mounted under /api/v1/billing."""

from ninja import Router

router = Router(tags=["billing"])
