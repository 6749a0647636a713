"""API of the accessibility app, mounted under /api/v1/accessibility."""

from ninja import Router

router = Router(tags=["accessibility"])
