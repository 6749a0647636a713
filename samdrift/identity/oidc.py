"""The OpenID Connect relying party's protocol half: keys, discovery, the authorization request,
the token exchange with `private_key_jwt`, and ID-token validation.

No database and no request objects here, so the rules can be read in one place:

* The request carries the minimum level as the explicit list of acceptable `acr` URIs in
  `claims.id_token.acr` (essential) and never `acr_values` alongside (reference §4.4).
* The browser can change anything in the request, so nothing in it is trusted: `acr`, nonce,
  issuer, audience, expiry and signature are all checked in the **ID token**.
* Keys come from the provider's JWKS over HTTP; a `kid` we do not know triggers one reload (the
  provider may have rotated), then a refusal.

PKCE, the client assertion, the request object and the JWT checks (with the shared clock skew)
are the OIDC core's (`samdrift.core.oidc`); this module maps the core's verdicts to our refusal
reasons and keeps what is the relying party's own: keys, cached metadata, the level policy.
"""

from __future__ import annotations

import hashlib
import json
import os
import secrets
import threading
import time
import urllib.parse
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any

import requests
from django.conf import settings
from django.utils.translation import gettext_lazy as _
from joserfc.errors import JoseError
from joserfc.jwk import ECKey, KeySet

from samdrift.core.exceptions import DomainError
from samdrift.core.oidc import CLOCK_SKEW_SECONDS, assertions, pkce, request_objects, tokens
from samdrift.core.oidc.sweden import AUTHN_PROVIDER, ORG_AFFILIATION, ORG_NAME, ORG_NUMBER

from . import loa

if TYPE_CHECKING:
    from .models import IdentityProvider

SCOPES = (
    "openid https://id.oidc.se/scope/naturalPersonOrgId https://id.oidc.se/scope/naturalPersonInfo"
)
ASSERTION_TYPE = assertions.TYPE
SIGNING_ALGORITHMS = ("ES256", "ES384", "RS256", "PS256")
METADATA_TTL_SECONDS = 600
MAX_TOKEN_LIFETIME_SECONDS = 3600
HTTP_TIMEOUT_SECONDS = 10


class LoginRefused(DomainError):
    """A login that must not proceed. `code` names the reason for the audit trail."""

    http_status = 403


REASONS: dict[str, Any] = {
    "state_unknown": _("The login request is unknown or was started in another browser."),
    "state_used": _("This login response has already been used."),
    "state_expired": _("The login took too long. Please start again."),
    "provider_error": _("The identity provider did not complete the login."),
    "unmet_authentication_requirements": _(
        "Your e-ID cannot give the level of assurance this page needs."
    ),
    "provider_unreachable": _("The identity provider could not be reached."),
    "token_endpoint_refused": _("The identity provider refused to issue a token."),
    "malformed_token": _("The identity token is malformed."),
    "unsigned_token": _("The identity token is not signed."),
    "unsupported_algorithm": _("The identity token uses an algorithm that is not accepted."),
    "unknown_kid": _("The identity token is signed with an unknown key."),
    "bad_signature": _("The identity token's signature is not valid."),
    "wrong_issuer": _("The identity token comes from another issuer."),
    "wrong_audience": _("The identity token was issued for another service."),
    "expired_token": _("The identity token has expired."),
    "nonce_mismatch": _("The identity token does not belong to this login."),
    "replayed_token": _("The identity token has already been used."),
    "stale_authentication": _("The identity provider did not authenticate you anew."),
    "acr_too_low": _("The login's level of assurance is too low for this page."),
    "missing_claims": _("The identity provider did not say who you are and where you work."),
    "wrong_agency": _("This identity provider may not vouch for officials of your agency."),
    "wrong_person": _("You logged in as another person than the one already logged in."),
}


def refuse(code: str, detail: str = "") -> LoginRefused:
    refused = LoginRefused(REASONS[code], code=code)
    refused.detail = detail  # type: ignore[attr-defined]
    return refused


# -- our own key (private_key_jwt) -------------------------------------------------------------
_key_lock = threading.Lock()
_key_cache: dict[str, ECKey] = {}


def rp_key_path() -> Path:
    configured = getattr(settings, "SAMDRIFT_IDENTITY_RP_KEY", None)
    return Path(configured) if configured else Path(settings.DATA_DIR) / "identity" / "rp-key.json"


def rp_key() -> ECKey:
    """The relying party's EC P-256 signing key, created on first use in a 0600 file."""
    path = rp_key_path()
    with _key_lock:
        cached = _key_cache.get(str(path))
        if cached is not None:
            return cached
        if not path.exists():
            _create_key_file(path)
        key = ECKey.import_key(json.loads(path.read_text(encoding="utf-8")))
        _key_cache[str(path)] = key
        return key


def _create_key_file(path: Path) -> None:
    """Write a new key unless another process got there first: several server workers may start
    at once, and all of them must end up signing with the key the JWKS publishes."""
    key = ECKey.generate_key("P-256", parameters={"kid": secrets.token_hex(8)})
    path.parent.mkdir(parents=True, exist_ok=True)
    temporary = path.with_name(f".{path.name}.{secrets.token_hex(4)}.tmp")
    temporary.write_text(json.dumps(key.as_dict(private=True)), encoding="utf-8")
    temporary.chmod(0o600)
    try:
        os.link(temporary, path)  # fails if the file exists: first writer wins
    except FileExistsError:
        pass
    finally:
        temporary.unlink()


def rp_jwks() -> dict[str, Any]:
    return dict(KeySet([rp_key()]).as_dict(private=False))


def client_assertion(client_id: str, audience: str) -> str:
    """A short-lived, single-use JWT proving we hold the registered key (RFC 7523)."""
    return assertions.create(client_id=client_id, audience=audience, key=rp_key())


# -- provider metadata --------------------------------------------------------------------------
@dataclass
class _Cached:
    value: Any
    fetched_at: float


_metadata_lock = threading.Lock()
_discovery_cache: dict[str, _Cached] = {}
_jwks_cache: dict[str, _Cached] = {}


def clear_caches() -> None:
    with _metadata_lock:
        _discovery_cache.clear()
        _jwks_cache.clear()


_local = threading.local()


def _http() -> requests.Session:
    """One keep-alive HTTP session per thread (a Session is not safe to share across threads)."""
    session = getattr(_local, "session", None)
    if session is None:
        session = _local.session = requests.Session()
    return session


def _get_json(url: str) -> dict[str, Any]:
    try:
        response = _http().get(url, timeout=HTTP_TIMEOUT_SECONDS)
        response.raise_for_status()
        data = response.json()
    except (requests.RequestException, ValueError) as exc:
        raise refuse("provider_unreachable", f"{url}: {exc}") from exc
    if not isinstance(data, dict):
        raise refuse("provider_unreachable", f"{url}: not a JSON object")
    return data


def discovery(issuer: str) -> dict[str, Any]:
    """The provider's metadata; its `issuer` must be exactly the configured one (mix-up guard)."""
    with _metadata_lock:
        cached = _discovery_cache.get(issuer)
        if cached and time.monotonic() - cached.fetched_at < METADATA_TTL_SECONDS:
            return dict(cached.value)
    data = _get_json(issuer.rstrip("/") + "/.well-known/openid-configuration")
    if data.get("issuer") != issuer:
        raise refuse("wrong_issuer", f"discovery names {data.get('issuer')!r}")
    with _metadata_lock:
        _discovery_cache[issuer] = _Cached(data, time.monotonic())
    return data


def provider_keys(issuer: str, *, refresh: bool = False) -> KeySet:
    with _metadata_lock:
        cached = _jwks_cache.get(issuer)
        if cached and not refresh and time.monotonic() - cached.fetched_at < METADATA_TTL_SECONDS:
            return KeySet(list(cached.value.keys))
    data = _get_json(discovery(issuer)["jwks_uri"])
    try:
        keys = KeySet.import_key_set(data)  # type: ignore[arg-type]
    except (JoseError, ValueError, KeyError, TypeError) as exc:
        raise refuse("provider_unreachable", f"JWKS unreadable: {exc}") from exc
    with _metadata_lock:
        _jwks_cache[issuer] = _Cached(keys, time.monotonic())
    return keys


# -- the authorization request -----------------------------------------------------------------
def new_secret() -> str:
    """256 bits of randomness, URL-safe (state, nonce)."""
    return secrets.token_urlsafe(32)


new_code_verifier = pkce.new_verifier
code_challenge = pkce.challenge


def requested_claims(provider: IdentityProvider, min_rank: int) -> dict[str, Any]:
    """`claims`: essential `acr` with every acceptable URI, and the claims we map officials by."""
    return {
        "id_token": {
            "acr": {
                "essential": True,
                "values": loa.acceptable_uris(min_rank, **provider.policy()),
            },
            "auth_time": {"essential": True},
            ORG_AFFILIATION: {"essential": True},
            ORG_NUMBER: None,
            ORG_NAME: None,
            "name": None,
            "given_name": None,
            "family_name": None,
        }
    }


def authorization_url(
    provider: IdentityProvider,
    *,
    state: str,
    nonce: str,
    code_verifier: str,
    min_rank: int,
    redirect_uri: str,
    ui_locales: str = "sv en",
) -> str:
    metadata = discovery(provider.issuer)
    endpoint = metadata["authorization_endpoint"]
    params: dict[str, str] = {
        "response_type": "code",
        "client_id": provider.client_id,
        "redirect_uri": redirect_uri,
        "scope": SCOPES,
        "state": state,
        "nonce": nonce,
        "code_challenge": code_challenge(code_verifier),
        "code_challenge_method": pkce.METHOD,
        "claims": json.dumps(requested_claims(provider, min_rank), separators=(",", ":")),
        # Every login authenticates anew: step-up must not be satisfied by an old session.
        "prompt": "login",
        "ui_locales": ui_locales,
    }
    if metadata.get("request_parameter_supported") is True:
        # Sweden Connect recommends signed request objects: the level list and the rest can
        # then not be changed on the way through the browser (the ID token is checked anyway).
        params["request"] = request_object(provider.client_id, provider.issuer, params)
    separator = "&" if urllib.parse.urlsplit(endpoint).query else "?"
    return endpoint + separator + urllib.parse.urlencode(params)


def request_object(client_id: str, audience: str, params: dict[str, str]) -> str:
    """The authorization parameters as a JWT signed with our key (OIDC Core §6.1)."""
    return request_objects.create(params, client_id=client_id, audience=audience, key=rp_key())


def exchange_code(
    provider: IdentityProvider, *, code: str, redirect_uri: str, code_verifier: str
) -> str:
    """Trade the code for tokens at the token endpoint; returns the raw ID token."""
    endpoint = discovery(provider.issuer)["token_endpoint"]
    form = {
        "grant_type": "authorization_code",
        "code": code,
        "redirect_uri": redirect_uri,
        "code_verifier": code_verifier,
        "client_id": provider.client_id,
        "client_assertion_type": ASSERTION_TYPE,
        "client_assertion": client_assertion(provider.client_id, endpoint),
    }
    try:
        response = _http().post(endpoint, data=form, timeout=HTTP_TIMEOUT_SECONDS)
    except requests.RequestException as exc:
        raise refuse("provider_unreachable", str(exc)) from exc
    try:
        body = response.json()
    except ValueError:
        body = {}
    if response.status_code != 200 or not isinstance(body, dict):
        detail = f"{response.status_code} {body.get('error', '') if isinstance(body, dict) else ''}"
        raise refuse("token_endpoint_refused", detail.strip())
    id_token = body.get("id_token")
    if not isinstance(id_token, str):
        raise refuse("malformed_token", "no id_token in the token response")
    return id_token


# -- ID-token validation ------------------------------------------------------------------------
#: The core's reasons → our refusal codes (the audit trail and the message the official sees).
_HEADER_REASONS = {
    "malformed": "malformed_token",
    "unsigned": "unsigned_token",
    "unsupported_algorithm": "unsupported_algorithm",
    "unknown_kid": "unknown_kid",
}
_TIME_REASONS = {
    "expired": "expired_token",
    "missing_claim": "expired_token",
    "too_long_lived": "malformed_token",  # ID tokens live minutes; a far-future exp is not credible
    "issued_in_future": "malformed_token",
    "not_yet_valid": "malformed_token",
    "malformed": "malformed_token",
}


def _header(token: str) -> dict[str, Any]:
    try:
        return tokens.header(token, algorithms=SIGNING_ALGORITHMS, require_kid=True)
    except tokens.TokenInvalid as exc:
        raise refuse(_HEADER_REASONS[exc.reason], exc.detail) from exc


def token_fingerprint(token: str) -> str:
    return hashlib.sha256(token.encode()).hexdigest()


def validate_id_token(
    provider: IdentityProvider,
    token: str,
    *,
    nonce: str,
    min_rank: int,
    requested_at: float,
) -> dict[str, Any]:
    """The verified claims, or `LoginRefused` naming the first rule the token breaks."""
    header = _header(token)
    kid, alg = header["kid"], header["alg"]
    keys = provider_keys(provider.issuer)
    if not tokens.has_kid(keys, kid):
        keys = provider_keys(provider.issuer, refresh=True)
        if not tokens.has_kid(keys, kid):
            raise refuse("unknown_kid", f"kid={kid!r}")
    try:
        claims = tokens.verify_signature(token, keys, algorithms=[alg], require_kid=True)
    except tokens.TokenInvalid as exc:
        code = "bad_signature" if exc.reason == "bad_signature" else "malformed_token"
        raise refuse(code, exc.detail) from exc
    try:
        tokens.check_issuer(claims, provider.issuer)
    except tokens.TokenInvalid as exc:
        raise refuse("wrong_issuer", exc.detail) from exc
    try:
        tokens.check_audience(claims, provider.client_id)
    except tokens.TokenInvalid as exc:
        raise refuse("wrong_audience", exc.detail) from exc
    if len(tokens.audiences(claims)) > 1 and claims.get("azp") != provider.client_id:
        raise refuse("wrong_audience", f"azp={claims.get('azp')!r}")
    try:
        tokens.check_times(claims, require=("exp",), max_lifetime=MAX_TOKEN_LIFETIME_SECONDS)
    except tokens.TokenInvalid as exc:
        code = _TIME_REASONS[exc.reason]
        if exc.reason == "malformed" and exc.detail.startswith("exp="):
            code = "expired_token"  # an exp that is no number cannot vouch for anything
        raise refuse(code, exc.detail) from exc
    if not _is_number(claims.get("iat")):
        raise refuse("malformed_token", f"iat={claims.get('iat')!r}")
    if not isinstance(claims.get("nonce"), str) or not secrets.compare_digest(
        claims["nonce"], nonce
    ):
        raise refuse("nonce_mismatch")
    if not isinstance(claims.get("sub"), str) or not claims["sub"]:
        raise refuse("missing_claims", "no sub")
    if not _is_number(claims.get("auth_time")):
        raise refuse("stale_authentication", "no auth_time")
    if claims["auth_time"] < requested_at - CLOCK_SKEW_SECONDS:
        raise refuse("stale_authentication", f"auth_time={claims['auth_time']}")
    if not loa.satisfies(claims.get("acr"), min_rank, **provider.policy()):
        raise refuse("acr_too_low", f"acr={claims.get('acr')!r} needed level {min_rank}")
    return claims


def _is_number(value: Any) -> bool:
    return isinstance(value, int | float) and not isinstance(value, bool)


@dataclass(frozen=True)
class OfficialClaims:
    """Who the ID token says the official is, and for which agency they work."""

    subject: str
    org_affiliation: str
    org_number: str  # ten digits
    org_name: str
    name: str
    given_name: str
    family_name: str
    acr: str
    auth_time: int
    authn_provider: str


def official_claims(claims: dict[str, Any]) -> OfficialClaims:
    """orgAffiliation is `<personal-id>@<orgnr>`; orgNumber, when given, must agree with it."""
    affiliation = claims.get(ORG_AFFILIATION)
    if isinstance(affiliation, list):
        affiliation = affiliation[0] if len(affiliation) == 1 else None
    if not isinstance(affiliation, str) or "@" not in affiliation:
        raise refuse("missing_claims", "no orgAffiliation")
    personal, _at, org_from_affiliation = affiliation.rpartition("@")
    org_number = "".join(ch for ch in str(claims.get(ORG_NUMBER) or "") if ch.isdigit())
    org_from_affiliation = "".join(ch for ch in org_from_affiliation if ch.isdigit())
    if not personal or len(org_from_affiliation) != 10:
        raise refuse("missing_claims", f"orgAffiliation={affiliation!r}")
    if org_number and org_number != org_from_affiliation:
        raise refuse("missing_claims", "orgNumber disagrees with orgAffiliation")
    given = str(claims.get("given_name") or "")
    family = str(claims.get("family_name") or "")
    return OfficialClaims(
        subject=str(claims["sub"]),
        org_affiliation=affiliation,
        org_number=org_from_affiliation,
        org_name=str(claims.get(ORG_NAME) or ""),
        name=str(claims.get("name") or f"{given} {family}".strip()),
        given_name=given,
        family_name=family,
        acr=str(claims["acr"]),
        auth_time=int(claims["auth_time"]),
        authn_provider=str(claims.get(AUTHN_PROVIDER) or ""),
    )
