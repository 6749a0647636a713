"""API of the efos app, mounted under /api/v1/efos.

Reads go through `selectors` with the caller's actor (an agency's EFOS administrator sees only
their own officials; another agency's official is a 404 like a missing one); writes go through
`services`. The PKI and OpenID endpoints are not here: they speak their own protocols under /efos/.
"""

# No `from __future__ import annotations`: ninja reads the real annotations.
import datetime
from typing import Any

from django.http import HttpRequest
from ninja import Router, Schema
from ninja.pagination import paginate

from samdrift.core.actor import Actor
from samdrift.core.api import Page, errors
from samdrift.core.paging import Mapped

from . import selectors, services
from .permissions import credential_abilities

router = Router(tags=["efos"])


def _actor(request: HttpRequest) -> Actor:
    actor: Actor = request.auth  # type: ignore[attr-defined]
    return actor


class CertificateOut(Schema):
    serial: str
    usage: str
    not_after: datetime.datetime
    revoked_at: datetime.datetime | None
    revocation_reason: str


class CredentialOut(Schema):
    id: int
    status: str
    not_after: datetime.datetime | None
    revocation_reason: str
    abilities: dict[str, bool]
    certificates: list[CertificateOut]


class OfficialOut(Schema):
    id: int
    organisation_id: int
    given_name: str
    surname: str
    org_affiliation: str
    credentials: list[CredentialOut]


class RevokeIn(Schema):
    reason: str


def _credential_out(actor: Actor, credential) -> CredentialOut:  # type: ignore[no-untyped-def]
    return CredentialOut(
        id=credential.pk,
        status=credential.status,
        not_after=credential.not_after,
        revocation_reason=credential.revocation_reason,
        abilities=credential_abilities(actor, credential),
        certificates=[
            CertificateOut(
                serial=c.serial,
                usage=c.usage,
                not_after=c.not_after,
                revoked_at=c.revoked_at,
                revocation_reason=c.revocation_reason,
            )
            for c in selectors.certificates_of(credential)
        ],
    )


def _official_out(actor: Actor, official) -> OfficialOut:  # type: ignore[no-untyped-def]
    return OfficialOut(
        id=official.pk,
        organisation_id=official.organisation_id,
        given_name=official.given_name,
        surname=official.surname,
        org_affiliation=official.org_affiliation,
        credentials=[
            _credential_out(actor, c) for c in official.credentials.select_related("official")
        ],
    )


@router.get("/officials", response={200: list[OfficialOut], **errors(403, 422)})
@paginate(Page)
def list_officials(request: HttpRequest, q: str = "") -> Any:
    actor = _actor(request)
    return Mapped(selectors.official_list(actor=actor, search=q), lambda o: _official_out(actor, o))


@router.get("/officials/{official_id}", response={200: OfficialOut, **errors(403, 404)})
def get_official(request: HttpRequest, official_id: int) -> OfficialOut:
    actor = _actor(request)
    return _official_out(actor, selectors.official_get(actor=actor, official_id=official_id))


@router.post(
    "/credentials/{credential_id}/suspend", response={200: CredentialOut, **errors(403, 404, 409)}
)
def suspend(request: HttpRequest, credential_id: int) -> CredentialOut:
    actor = _actor(request)
    credential = selectors.credential_get(actor=actor, credential_id=credential_id)
    return _credential_out(actor, services.suspend_credential(actor=actor, credential=credential))


@router.post(
    "/credentials/{credential_id}/resume", response={200: CredentialOut, **errors(403, 404, 409)}
)
def resume(request: HttpRequest, credential_id: int) -> CredentialOut:
    actor = _actor(request)
    credential = selectors.credential_get(actor=actor, credential_id=credential_id)
    return _credential_out(actor, services.resume_credential(actor=actor, credential=credential))


@router.post(
    "/credentials/{credential_id}/revoke", response={200: CredentialOut, **errors(403, 404, 409)}
)
def revoke(request: HttpRequest, credential_id: int, body: RevokeIn) -> CredentialOut:
    actor = _actor(request)
    credential = selectors.credential_get(actor=actor, credential_id=credential_id)
    return _credential_out(
        actor, services.revoke_credential(actor=actor, credential=credential, reason=body.reason)
    )
