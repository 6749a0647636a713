"""API of the identity app (to be mounted under /api/v1/identity by the API root).

GET levels: the level-of-assurance registry, so clients and other services rank `acr` values
exactly as samdrift does. GET session: the level the caller's own browser session holds.
"""

from __future__ import annotations

from django.http import HttpRequest
from ninja import Field, Router, Schema

from samdrift.core.api import ApiRequest, errors

from . import loa, services
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


class AssuranceIn(Schema):
    min_rank: int | None = Field(
        None, ge=loa.MIN_RANK, le=loa.MAX_RANK, description="1–4, or null for none."
    )


class AssuranceOut(Schema):
    code: str
    min_rank: int | None


@router.put(
    "/services/{code}/assurance",
    response={200: AssuranceOut, **errors(404, 422)},
    summary="Set the level of assurance a catalogue service demands",
    description="By the service's own provider's administrator or service manager (ADR 0220); "
    "another provider's service is a 404. Pages, downloads and API operations of the service's "
    "area then demand that e-ID level (ADR 0043). null removes the demand.",
)
def set_assurance(request: ApiRequest, code: str, body: AssuranceIn) -> dict[str, object]:
    rank = services.assurance_requirement_set(actor=request.auth, code=code, min_rank=body.min_rank)
    return {"code": code.strip().upper(), "min_rank": rank}
