"""Who may do what in EFOS: one abilities dict per object, used by pages, API and CLI alike.

The provider's EFOS operators are the administrators and the security role (ADR 0300) of the
provider agency that runs the EFOS service (another provider's staff are not); an
agency's EFOS administrator is its contact or orderer. An administrator acts only for officials
of agencies where they hold that role, never for another agency's; an operator only for the
agencies its provider serves.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from samdrift.catalogue.selectors import service_provider_id
from samdrift.core.actor import Actor

from .choices import CredentialStatus as S

if TYPE_CHECKING:
    from .models import Credential, Official, SignableDocument

OPERATOR_ROLES = ("provider_admin", "security")
AGENCY_ADMIN_ROLES = ("contact", "orderer")
FINAL = frozenset({S.REVOKED, S.EXPIRED})


def is_operator(actor: Actor) -> bool:
    """An administrator or security officer *of the provider that runs EFOS*: another provider's
    staff (SITSSAM's) are not EFOS operators (ADR 0041)."""
    if actor.is_superuser:
        return True
    if not actor.has_provider_role(*OPERATOR_ROLES):
        return False  # no query for customers
    return actor.remember(
        "efos.operator",
        lambda: actor.has_provider_role_in(service_provider_id("EFOS"), *OPERATOR_ROLES),
    )


def operates_for(actor: Actor, organisation_id: int) -> bool:
    """An operator acts for the agencies its provider serves (ADR 0041), not every agency."""
    return is_operator(actor) and actor.serves(organisation_id)


def administers(actor: Actor, organisation_id: int) -> bool:
    return operates_for(actor, organisation_id) or actor.acts_for(
        organisation_id, *AGENCY_ADMIN_ROLES
    )


def administered_org_ids(actor: Actor) -> frozenset[int]:
    return frozenset(
        org_id
        for org_id, roles in actor.roles_by_org.items()
        if roles.intersection(AGENCY_ADMIN_ROLES)
    )


def can_use_efos_pages(actor: Actor) -> bool:
    return is_operator(actor) or bool(administered_org_ids(actor))


def official_abilities(actor: Actor, official: Official) -> dict[str, bool]:
    admin = administers(actor, official.organisation_id)
    return {"view": admin, "order": admin}


def credential_abilities(actor: Actor, credential: Credential) -> dict[str, bool]:
    operator = operates_for(actor, credential.official.organisation_id)
    admin = administers(actor, credential.official.organisation_id)
    status = credential.status
    return {
        "view": admin,
        "verify": operator and status == S.ORDERED,
        "issue": operator and status == S.VERIFIED,
        "activate": admin and status == S.ISSUED,
        "suspend": admin and status in (S.ISSUED, S.ACTIVE),
        "resume": admin and status == S.SUSPENDED,
        "revoke": admin and status not in FINAL,
        "renew": admin and status in (S.ISSUED, S.ACTIVE, S.SUSPENDED, S.EXPIRED),
    }


def document_abilities(
    actor: Actor, document: SignableDocument, *, signer: Official | None
) -> dict[str, bool]:
    admin = administers(actor, document.organisation_id)
    own = signer is not None and signer.organisation_id == document.organisation_id
    return {"view": admin or own, "sign": own}
