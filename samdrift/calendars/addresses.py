"""A calendar user's address as iCalendar writes it (`mailto:Someone@Example.se`), compared in
one form: without the scheme, trimmed, lower case. The calendar file reader (`ical`) and the
scheduling rules (`scheduling`) both compare organizers and attendees this way."""

from __future__ import annotations

from typing import Any


def address(value: Any) -> str:
    text = str(value or "").strip()
    if text.lower().startswith("mailto:"):
        text = text[7:]
    return text.strip().lower()
