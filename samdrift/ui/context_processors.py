"""Template context every page needs."""

from __future__ import annotations

from typing import Any

from django.http import HttpRequest
from django.utils.functional import SimpleLazyObject

from .access import navigation as navigation_abilities


def navigation(request: HttpRequest) -> dict[str, Any]:
    """The actor, and `can`: the main-menu entries this person may open (ADR 0701), computed
    from the apps' abilities only when a template reads it."""
    actor = getattr(request, "actor", None)
    return {
        "actor": actor,
        "can": SimpleLazyObject(lambda: navigation_abilities(actor) if actor is not None else {}),
    }
