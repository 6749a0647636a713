"""Calendar pages for the axe-core check (demo data loaded, demo admin logged in)."""

from __future__ import annotations

import dataclasses

from samdrift.accounts.selectors import actor_for_username

from . import selectors, services


def pages() -> list[str]:
    actor = actor_for_username("admin")
    if actor is None:
        return ["/calendars/"]
    actor = dataclasses.replace(actor, loa_rank=3)  # the axe run logs in with an e-ID
    services.ensure_calendars(actor=actor)
    found = ["/calendars/"]
    for access in selectors.calendars_for(actor=actor)[:2]:
        found += [f"/calendars/{access.calendar.pk}/", f"/calendars/{access.calendar.pk}/board/"]
        if access.workspace is not None:
            found.append(f"/calendars/{access.calendar.pk}/free-busy/")
    return found
