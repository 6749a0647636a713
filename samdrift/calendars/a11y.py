"""Calendar pages for the shared axe-core check (demo data loaded, the demo admin logged in with
a password, so the workspaces' calendars stay behind SAFOS's step-up there; `tests/
test_pages_browser.py` checks those with an e-ID login)."""

from __future__ import annotations

from samdrift.accounts.selectors import actor_for_username

from . import selectors, services


def pages() -> list[str]:
    actor = actor_for_username("admin")
    if actor is None:
        return ["/calendars/"]
    services.ensure_calendars(actor=actor)
    found = ["/calendars/"]
    for access in selectors.calendars_for(actor=actor)[:1]:
        found += [f"/calendars/{access.calendar.pk}/", f"/calendars/{access.calendar.pk}/board/"]
    return found
