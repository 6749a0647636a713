"""API of the identity app (to be mounted under /api/v1/identity by the API root).

GET levels: the level-of-assurance registry, so clients and other services rank `acr` values
exactly as samdrift does. GET session: the level the caller's own browser session holds.
"""

from __future__ import annotations

from django.http import HttpRequest
from ninja import Router, Schema

from samdrift.core.api import errors

from . import loa
from .stepup import session_login, session_rank

router = Router(tags=["identity"])


class LevelOut(Schema):
    uri: str
    rank: int
    label: str
    certified: bool
    eidas: bool
    notified: bool
    nonresident: bool
    uncertified: bool


class SessionLevelOut(Schema):
    rank: int
    acr: str | None
    provider: str | None


@router.get("/levels", response=list[LevelOut], auth=None)
def levels(request: HttpRequest) -> list[loa.Level]:
    """Every registered authentication-context URI with its rank and flags (public)."""
    return list(loa.LEVELS)


@router.get("/session", response={200: SessionLevelOut, **errors()})
def session_level(request: HttpRequest) -> dict[str, object]:
    """The caller's e-ID level in this browser session (0 for token or password logins)."""
    rank = session_rank(request) if hasattr(request, "session") else 0
    data = session_login(request) if rank else {}
    return {"rank": rank, "acr": data.get("acr"), "provider": data.get("provider")}
