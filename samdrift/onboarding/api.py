"""API of the onboarding app."""

from ninja import Router

router = Router(tags=["onboarding"])
