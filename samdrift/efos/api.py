"""API of the efos app, mounted under /api/v1/efos."""

from ninja import Router

router = Router(tags=["efos"])
