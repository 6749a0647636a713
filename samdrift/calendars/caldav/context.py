"""What one CalDAV request carries between Radicale's plug-ins (ADR 0640).

Radicale hands its plug-ins only a user name and a path; samdrift's rules need the app password's
login (actor, class reach). A request runs in one thread from start to end (a2wsgi's pool), so a
context variable set by the mount for each request carries it, and what a service refused, so the
answer can say why in Swedish and English.
"""

from __future__ import annotations

import contextvars
from dataclasses import dataclass, field
from typing import Any

from samdrift.accounts.app_passwords import AppPasswordLogin


@dataclass
class RequestState:
    environ: dict[str, Any]
    login: AppPasswordLogin | None = None
    principal: str = ""
    audited: set[int] = field(default_factory=set)
    #: The calendars this login reaches, read once per request (every plug-in call asks).
    calendars: list[Any] | None = None
    #: "<calendar slug>/<href>" -> Schedule-Tag of the objects the plug-in read or wrote, so the
    #: header needs no second read of the row.
    schedule_tags: dict[str, str] = field(default_factory=dict)
    #: (HTTP status, text) of the first refusal by samdrift's services in this request.
    refusal: tuple[int, str] | None = None


_current: contextvars.ContextVar[RequestState | None] = contextvars.ContextVar(
    "samdrift_caldav_request", default=None
)


def begin(environ: dict[str, Any]) -> contextvars.Token[RequestState | None]:
    return _current.set(RequestState(environ=environ))


def end(token: contextvars.Token[RequestState | None]) -> None:
    _current.reset(token)


def state() -> RequestState:
    current = _current.get()
    if current is None:  # a plug-in called outside a request: refuse rather than guess
        raise RuntimeError("CalDAV plug-in used outside a request")
    return current
