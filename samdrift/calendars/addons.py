"""What other apps may add to the calendar's event form (ADR 0649): "hold it as a video meeting"
comes from meetings, which stands above calendars and registers itself here in its
`AppConfig.ready()`; calendars knows no app above it.

An add-on offers itself per person and calendar (`offered`) and, when ticked, makes the event
itself (`create`, with the form's fields), so the event and what the add-on adds to it are made
in one of its services, in one transaction."""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from samdrift.core.actor import Actor

from .models import Calendar


@dataclass(frozen=True)
class EventFields:
    summary: str
    start: dt.datetime
    end: dt.datetime
    location: str


@dataclass(frozen=True)
class EventAddon:
    key: str
    label: Any  # lazily translated, like the next two
    help_text: Any
    added: Any  # what the page says once the event is made
    offered: Callable[[Actor, Calendar], bool]
    create: Callable[[Actor, Calendar, EventFields], Any]


_addons: dict[str, EventAddon] = {}


def register_event_addon(addon: EventAddon) -> None:
    _addons[addon.key] = addon


def offered(actor: Actor, calendar: Calendar) -> list[EventAddon]:
    return [addon for key, addon in sorted(_addons.items()) if addon.offered(actor, calendar)]
