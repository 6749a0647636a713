"""API of the organisations app."""

from ninja import Router

router = Router(tags=["organisations"])
