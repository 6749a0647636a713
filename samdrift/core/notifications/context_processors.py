"""The unread counter in the site header."""

from __future__ import annotations

import functools
from typing import Any

from django.http import HttpRequest

from .selectors import unread_count


def inbox(request: HttpRequest) -> dict[str, Any]:
    actor = getattr(request, "actor", None)
    if actor is None or actor.user_id is None:
        return {}
    # A callable: the template calls it, so the count is read only on pages that show it, and
    # once per page however often the header asks (it tests it, then shows it).
    return {"inbox_unread": functools.cache(functools.partial(unread_count, actor=actor))}
