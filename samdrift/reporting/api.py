"""API of the reporting app, mounted under /api/v1/reporting."""

from ninja import Router

router = Router(tags=["reporting"])
