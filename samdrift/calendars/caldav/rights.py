"""Radicale's rights plug-in: samdrift's permissions, asked per path (ADR 0642).

The tree is `/<user>/` (the principal and calendar home, read-only: calendars are made by
samdrift, never by MKCALENDAR) and `/<user>/<calendar>/` (`personal` or `ws<id>`). A path under
another user's name is nothing at all, so one user can never address another's home.
"""

from __future__ import annotations

from radicale.rights import BaseRights

from .. import selectors
from . import context


def reachable() -> list[selectors.CalendarAccess]:
    """The calendars the request's login reaches, read once per request."""
    request = context.state()
    if request.login is None:
        return []
    if request.calendars is None:
        login = request.login
        request.calendars = selectors.calendars_for(actor=login.actor, max_class=login.max_class)
    return request.calendars


class Rights(BaseRights):
    def authorization(self, user: str, user_groups: set[str], path: str) -> str:
        request = context.state()
        login = request.login
        if not user or login is None or user != request.principal:
            return ""
        parts = [p for p in path.strip("/").split("/") if p]
        if not parts:
            return "R"
        if parts[0] != user:
            return ""
        if len(parts) == 1:
            return "R"
        if len(parts) > 2:
            return ""
        access = selectors.by_slug(reachable(), parts[1])
        if access is None:
            return ""
        return "rw" if access.abilities["write"] else "r"
