"""Writes for logins: starting one, finishing one (mapping the official to their agency),
recording refusals in the audit trail, and access requests from unknown agencies."""

from __future__ import annotations

import datetime
import hashlib
import time
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from samdrift.accounts.services import passwordless_user_create
from samdrift.audit.services import audit_record, record_security_event, snapshot
from samdrift.catalogue import selectors as catalogue_selectors
from samdrift.core.actor import ANONYMOUS, SYSTEM, Actor
from samdrift.core.exceptions import PermissionDenied, ValidationFailed
from samdrift.organisations.choices import Role
from samdrift.organisations.services import membership_ensure

from . import loa, oidc
from .models import (
    AccessRequest,
    AssuranceRequirement,
    ExternalIdentity,
    IdentityProvider,
    LoginTransaction,
    UsedIdToken,
)
from .oidc import LoginRefused, OfficialClaims, refuse
from .permissions import identity_abilities
from .selectors import agency_for_org_number

if TYPE_CHECKING:
    from samdrift.accounts.models import User
    from samdrift.organisations.models import Organisation

#: How long an official may take at the identity provider.
TRANSACTION_LIFETIME = datetime.timedelta(minutes=10)


class AgencyUnknown(LoginRefused):
    """A valid login by an official whose agency samdrift does not serve (yet)."""

    http_status = 403

    def __init__(self, provider: IdentityProvider, claims: OfficialClaims) -> None:
        super().__init__(
            _("Your agency does not use samdrift yet. You can ask for access."),
            code="agency_unknown",
        )
        self.provider = provider
        self.claims = claims


@dataclass(frozen=True)
class LoginResult:
    user: User
    provider: IdentityProvider
    claims: OfficialClaims
    rank: int
    next_url: str
    organisation: Organisation


def login_begin(
    *, provider: IdentityProvider, min_rank: int, next_url: str, step_up_user: User | None
) -> LoginTransaction:
    """Open a login transaction: fresh state, nonce and PKCE verifier (technical state, not
    audited; its outcome is)."""
    if not loa.MIN_RANK <= min_rank <= loa.MAX_RANK:
        raise ValidationFailed(
            _("The level of assurance must be 1–4."), errors={"level": [str(min_rank)]}
        )
    return LoginTransaction.objects.create(
        provider=provider,
        state=oidc.new_secret(),
        nonce=oidc.new_secret(),
        code_verifier=oidc.new_code_verifier(),
        min_rank=min_rank,
        next_url=next_url or "/",
        step_up_user=step_up_user,
    )


def login_transaction_consume(*, state: str, session_states: list[str]) -> LoginTransaction:
    """Take the transaction a callback answers, exactly once, and only in the browser that
    started it."""
    if not state or state not in session_states:
        raise refuse("state_unknown")
    with transaction.atomic():
        found = (
            LoginTransaction.objects.select_for_update(of=("self",))
            .select_related("provider", "step_up_user")
            .filter(state=state)
            .first()
        )
        if found is None:
            raise refuse("state_unknown")
        if found.used_at is not None:
            raise refuse("state_used")
        found.used_at = timezone.now()
        found.save(update_fields=["used_at"])
    if found.created_at < timezone.now() - TRANSACTION_LIFETIME:
        raise refuse("state_expired")
    return found


def login_callback(
    *,
    params: dict[str, str],
    session_states: list[str],
    redirect_uri: str,
    actor: Actor,
) -> LoginResult:
    """Finish a login from the provider's redirect. Every refusal is audited, then raised."""
    pending: LoginTransaction | None = None
    try:
        pending = login_transaction_consume(
            state=params.get("state", ""), session_states=session_states
        )
        error = params.get("error")
        if error:
            code = error if error in oidc.REASONS else "provider_error"
            raise refuse(code, error)
        if not params.get("code"):
            raise refuse("provider_error", "no code")
        id_token = oidc.exchange_code(
            pending.provider,
            code=params["code"],
            redirect_uri=redirect_uri,
            code_verifier=pending.code_verifier,
        )
        claims = oidc.validate_id_token(
            pending.provider,
            id_token,
            nonce=pending.nonce,
            min_rank=pending.min_rank,
            requested_at=pending.created_at.timestamp(),
        )
        return login_finish(pending=pending, id_token=id_token, claims=claims)
    except LoginRefused as refused:
        login_refusal_record(
            actor=actor,
            provider=pending.provider if pending is not None else None,
            code=refused.code,
            detail=str(getattr(refused, "detail", "")),
            claims=getattr(refused, "claims", None),
        )
        raise


def _remember_token(provider: IdentityProvider, id_token: str, claims: dict[str, Any]) -> None:
    token_id = str(claims.get("jti") or "") or oidc.token_fingerprint(id_token)
    expires = datetime.datetime.fromtimestamp(float(claims["exp"]), tz=datetime.UTC)
    try:
        with transaction.atomic():
            UsedIdToken.objects.create(
                provider=provider, token_id=token_id[:128], expires_at=expires
            )
    except IntegrityError:
        raise refuse("replayed_token", token_id) from None


def _username(provider: IdentityProvider, subject: str) -> str:
    digest = hashlib.sha256(f"{provider.issuer}|{subject}".encode()).hexdigest()
    return f"eid-{digest[:24]}"


def _agency(provider: IdentityProvider, official: OfficialClaims) -> Organisation:
    if provider.organisation is not None:
        own = "".join(ch for ch in provider.organisation.org_number if ch.isdigit())
        if own != official.org_number:
            raise refuse("wrong_agency", official.org_number)
        return provider.organisation
    found = agency_for_org_number(official.org_number, official.org_name)
    if found is None:
        raise AgencyUnknown(provider, official)
    return found


def login_finish(
    *, pending: LoginTransaction, id_token: str, claims: dict[str, Any]
) -> LoginResult:
    """Map a verified ID token to a samdrift user in their agency (role member), once."""
    provider = pending.provider
    official = oidc.official_claims(claims)
    _remember_token(provider, id_token, claims)
    with transaction.atomic():
        link = (
            ExternalIdentity.objects.select_for_update()
            .select_related("user")
            .filter(provider=provider, subject=official.subject)
            .first()
        )
        if pending.step_up_user is not None and (
            link is None or link.user_id != pending.step_up_user.pk
        ):
            raise refuse("wrong_person", official.subject)
        organisation = _agency(provider, official)
        created_user = link is None
        if link is None:
            user = passwordless_user_create(
                username=_username(provider, official.subject),
                first_name=official.given_name[:150],
                last_name=official.family_name[:150],
            )
            link = ExternalIdentity.objects.create(
                provider=provider,
                subject=official.subject,
                user=user,
                org_affiliation=official.org_affiliation,
            )
        user = link.user
        if not user.is_active:
            raise refuse("wrong_person", "account deactivated")
        joined = membership_ensure(user=user, organisation=organisation, role=Role.MEMBER)
        link.org_affiliation = official.org_affiliation
        link.last_acr = official.acr
        link.last_login_at = timezone.now()
        link.save(update_fields=["org_affiliation", "last_acr", "last_login_at", "updated_at"])
        audit_record(
            actor=SYSTEM,
            action="identity.login",
            obj=link,
            organisation_id=organisation.pk,
            after={
                "user": user.pk,
                "provider": provider.slug,
                "acr": official.acr,
                "step_up": pending.step_up_user is not None,
                "user_created": created_user,
                "membership_created": joined,
                "authn_provider": official.authn_provider,
            },
        )
    rank = loa.effective_rank(official.acr, **provider.policy())
    return LoginResult(
        user=user,
        provider=provider,
        claims=official,
        rank=rank,
        next_url=pending.next_url,
        organisation=organisation,
    )


def login_refusal_record(
    *,
    actor: Actor,
    provider: IdentityProvider | None,
    code: str,
    detail: str,
    claims: OfficialClaims | None = None,
) -> None:
    """Write a refused login to the audit trail (nothing else is written)."""
    after: dict[str, Any] = {
        "reason": code,
        "detail": detail[:500],
        "provider": provider.slug if provider else None,
    }
    if claims is not None:
        after["org_number"] = claims.org_number
    if not actor.is_authenticated:  # anonymous: the aggregated security log (ADR 0061)
        record_security_event("identity.login_refused", after)
        return
    with transaction.atomic():
        audit_record(
            actor=actor,
            action="identity.login_refused",
            object_type="identity.identityprovider",
            object_id=provider.pk if provider else "",
            after=after,
        )


def access_request_submit(
    *, provider: IdentityProvider, claims: OfficialClaims, email: str, message: str
) -> AccessRequest:
    """Record an unknown agency's official asking for access; creates no agency and no user."""
    if agency_for_org_number(claims.org_number, claims.org_name) is not None:
        raise ValidationFailed(_("Your agency is already known. Log in again."))
    with transaction.atomic():
        request = AccessRequest.objects.create(
            provider=provider,
            subject=claims.subject,
            name=claims.name[:200],
            org_number=f"{claims.org_number[:6]}-{claims.org_number[6:]}",
            org_name=claims.org_name[:200],
            email=email,
            message=message,
        )
        audit_record(
            actor=ANONYMOUS,
            action="identity.access_requested",
            obj=request,
            after=snapshot(request, ["provider_id", "org_number", "org_name", "name"]),
        )
    return request


def provider_create(
    *,
    actor: Actor,
    slug: str,
    name: str,
    issuer: str,
    client_id: str,
    organisation: Organisation | None = None,
    allow_uncertified: bool = False,
    is_development: bool = False,
) -> IdentityProvider:
    """Trust a new identity provider (provider administrators, or the system via the CLI)."""
    if not identity_abilities(actor=actor)["manage_providers"]:
        raise PermissionDenied(_("Only a provider administrator may add identity providers."))
    provider = IdentityProvider(
        slug=slug,
        name=name,
        issuer=issuer,
        client_id=client_id,
        organisation=organisation,
        allow_uncertified=allow_uncertified,
        is_development=is_development,
    )
    try:
        provider.full_clean()
    except Exception as exc:
        errors = getattr(exc, "message_dict", {"__all__": [str(exc)]})
        raise ValidationFailed(_("The identity provider is not valid."), errors=errors) from exc
    with transaction.atomic():
        provider.save()
        audit_record(
            actor=actor, action="identity.provider_created", obj=provider, after=snapshot(provider)
        )
    return provider


def purge_expired(*, now: float | None = None) -> int:
    """Forget used tokens past their expiry and transactions older than a day."""
    moment = datetime.datetime.fromtimestamp(now or time.time(), tz=datetime.UTC)
    tokens, _ = UsedIdToken.objects.filter(expires_at__lt=moment).delete()
    transactions, _ = LoginTransaction.objects.filter(
        created_at__lt=moment - datetime.timedelta(days=1)
    ).delete()
    return tokens + transactions


# --- a catalogue service's level of assurance (ADR 0043, kept by the service's managers) -------


def assurance_requirement_set(*, actor: Actor, code: str, min_rank: int | None) -> int | None:
    """The level of assurance a service demands (1–4), or none. Kept by whoever keeps the
    service (`catalogue.selectors.service_for_change`: another provider's service is missing)."""
    if min_rank is not None and not loa.MIN_RANK <= min_rank <= loa.MAX_RANK:
        raise ValidationFailed(
            _("The level of assurance is 1, 2, 3 or 4, or none."),
            errors={"min_rank": [str(_("Choose 1, 2, 3, 4 or none."))]},
        )
    with transaction.atomic():
        service = catalogue_selectors.service_for_change(actor=actor, code=code)
        current = AssuranceRequirement.objects.select_for_update().filter(service=service).first()
        before = None if current is None else current.min_rank
        if before == min_rank:
            return min_rank
        if min_rank is None:
            assert current is not None  # noqa: S101 - before != None
            current.delete()
        elif current is None:
            AssuranceRequirement.objects.create(service=service, min_rank=min_rank)
        else:
            current.min_rank = min_rank
            current.save(update_fields=["min_rank", "updated_at"])
        audit_record(
            actor=actor,
            action="identity.assurance_requirement_set",
            obj=service,
            organisation_id=service.provider_id,
            before={"min_rank": before},
            after={"min_rank": min_rank},
        )
    return min_rank
