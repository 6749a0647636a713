"""The OpenID provider (Swedish OIDC profile v1.0, Sweden Connect OIDC profile; ADR 0304, 0030).

The protocol rules shared with samdrift's other OIDC parts (PKCE, client assertions, request
objects, JWT checks with the clock skew, pairwise `sub`, discovery fields, no-store answers) are
in `samdrift.core.oidc`; what is EFOS's own is here:

- Code flow only, PKCE S256 required (plain refused), `private_key_jwt` the only client auth.
- `acr` asked for as an essential claim is honoured: if the level we may assert (configuration,
  default uncertified-loa3) is not among the values, the answer is
  `unmet_authentication_requirements`. Voluntary `acr_values` never make a request fail.
- The official authenticates with the EFOS authentication certificate presented to the TLS front,
  which passes it on in a header; the header is believed only from a trusted proxy address. The
  certificate must chain to our issuing CA, be valid now, be known to us and not revoked or on
  hold: the same rows the OCSP responder answers from, so a revocation bites at once.
- Codes are single-use, valid 60 s, stored as hashes; a reused code revokes the access token.
- ID tokens are ES256 or RS256 as the client registered (`id_token_signed_response_alg`), `kid`
  set, valid 5 minutes, with pairwise `sub`.
- The issuer is the configured base URL, or in development the address the request came to.
"""

from __future__ import annotations

import base64
import datetime as dt
import hashlib
import hmac
import json
import secrets
from dataclasses import dataclass, field
from typing import Any
from urllib.parse import unquote

from cryptography import x509
from cryptography.hazmat.primitives import serialization
from django.db import IntegrityError, transaction
from django.utils import timezone
from joserfc.jwk import ECKey, KeySet, RSAKey

from samdrift.audit.services import audit_record
from samdrift.core.actor import ANONYMOUS, Actor
from samdrift.core.oidc import (
    ACCEPTED_ALGORITHMS,
    assertions,
    authorization,
    pkce,
    request_objects,
    signing,
    subject,
    tokens,
)
from samdrift.core.oidc import (
    discovery as discovery_document,
)
from samdrift.core.oidc.sweden import (
    CLAIM,
    DISCO_AUTHN_PROVIDER,
    DISCO_USER_MESSAGE,
    DISCO_USER_MESSAGE_TYPES,
    PARAM_SIGN_REQUEST,
    PARAM_USER_MESSAGE,
    SCOPE_ORG_ID,
    SCOPE_PERSON_INFO,
    SCOPE_SIGN_APPROVAL,
)
from samdrift.efos import conf
from samdrift.efos.ca.authority import authority
from samdrift.efos.ca.keys import FileKey
from samdrift.efos.ca.profiles import serial_hex
from samdrift.efos.choices import CertificateUsage, CredentialStatus
from samdrift.efos.models import (
    AuthorizationGrant,
    ClientAssertionUse,
    IssuedCertificate,
    Official,
    OidcClient,
)
from samdrift.efos.selectors import certificate_by_serial, oidc_client
from samdrift.efos.services import refuse
from samdrift.identity.loa import satisfies

# The views refuse and audit through this module; the signing flow uses the Swedish names.
__all__ = [
    "ANONYMOUS",
    "CLAIM",
    "PARAM_SIGN_REQUEST",
    "SCOPE_ORG_ID",
    "SCOPE_SIGN_APPROVAL",
    "refuse",
]

ASSERTION_TYPE = assertions.TYPE
CODE_LIFETIME = dt.timedelta(seconds=60)
TOKEN_LIFETIME = dt.timedelta(minutes=5)
ID_TOKEN_LIFETIME = dt.timedelta(minutes=5)
CLIENT_ALGS = list(ACCEPTED_ALGORITHMS)
ID_TOKEN_ALGS = ["ES256", "RS256"]


class AuthorizationError(Exception):
    """`redirect` is False when the client or redirect URI is unknown: then we must not redirect."""

    def __init__(
        self,
        error: str,
        description: str,
        *,
        redirect: bool = True,
        state: str = "",
        redirect_uri: str = "",
        issuer: str = "",
    ) -> None:
        super().__init__(description)
        self.error, self.description, self.redirect = error, description, redirect
        self.state, self.redirect_uri, self.issuer = state, redirect_uri, issuer

    def location(self) -> str:
        query = {
            "error": self.error,
            "error_description": self.description,
            "iss": self.issuer or conf.issuer(),
        }
        if self.state:
            query["state"] = self.state
        return authorization.with_query(self.redirect_uri, query)


class TokenError(Exception):
    def __init__(self, error: str, description: str, status: int = 400) -> None:
        super().__init__(description)
        self.error, self.description, self.status = error, description, status


# --- keys and metadata ----------------------------------------------------------------------------

_op_keys: dict[tuple[int, str], ECKey | RSAKey] = {}


def _jwk(file_key: FileKey, kind: type[ECKey] | type[RSAKey]) -> ECKey | RSAKey:
    pem = file_key.private_key.private_bytes(
        serialization.Encoding.PEM,
        serialization.PrivateFormat.PKCS8,
        serialization.NoEncryption(),
    )
    key = kind.import_key(pem)
    key.ensure_kid()
    return key


def op_key(alg: str = "ES256") -> ECKey | RSAKey:
    """The OP's signing key for `alg` (ES256: EC P-256, RS256: RSA 2048), cached per CA."""
    ca = authority()
    if (id(ca), alg) not in _op_keys:
        if not any(cached == id(ca) for cached, _alg in _op_keys):
            _op_keys.clear()
        source = (ca.op_key, ECKey) if alg == "ES256" else (ca.op_rsa_key, RSAKey)
        _op_keys[(id(ca), alg)] = _jwk(*source)
    return _op_keys[(id(ca), alg)]


def jwks() -> dict[str, Any]:
    return {"keys": [signing.public_jwk(op_key(alg)) for alg in ID_TOKEN_ALGS]}


PATHS = {
    "authorization_endpoint": "/authorize",
    "token_endpoint": "/token",
    "userinfo_endpoint": "/userinfo",
    "jwks_uri": "/jwks",
}


def endpoints(issuer: str | None = None) -> dict[str, str]:
    base = issuer or conf.issuer()
    return {name: base + path for name, path in PATHS.items()}


def discovery(issuer: str | None = None) -> dict[str, Any]:
    return discovery_document.document(
        issuer or conf.issuer(),
        paths=PATHS,
        id_token_algorithms=ID_TOKEN_ALGS,
        subject_types=["pairwise", "public"],
        acr_values=[conf.asserted_acr()],
        scopes=["openid", SCOPE_ORG_ID, SCOPE_PERSON_INFO, SCOPE_SIGN_APPROVAL],
        claims=[
            "sub",
            "acr",
            "auth_time",
            "name",
            "given_name",
            "family_name",
            "txn",
            f"{CLAIM}orgAffiliation",
            f"{CLAIM}orgNumber",
            f"{CLAIM}orgName",
            f"{CLAIM}authnProvider",
            f"{CLAIM}credentialValidFrom",
            f"{CLAIM}credentialValidTo",
        ],
        extra={
            "userinfo_signing_alg_values_supported": ID_TOKEN_ALGS,
            "prompt_values_supported": ["none", "login", "consent"],
            DISCO_USER_MESSAGE: True,
            DISCO_USER_MESSAGE_TYPES: ["text/plain"],
            DISCO_AUTHN_PROVIDER: False,
        },
    )


class DatabaseReplayStore:
    """`jti`s of client assertions and request objects, kept in `ClientAssertionUse` (unique per
    client and jti), so a replay is refused in every server process."""

    def __init__(self, client: OidcClient) -> None:
        self.client = client

    def first_use(self, client_id: str, jti: str, expires_at: float) -> bool:
        try:
            with transaction.atomic():
                ClientAssertionUse.objects.create(
                    client=self.client,
                    jti=jti[:200],
                    expires_at=dt.datetime.fromtimestamp(expires_at, dt.UTC),
                )
        except IntegrityError:
            return False
        return True


# --- the official, from the client certificate -------------------------------------------------


@dataclass
class Authenticated:
    official: Official
    certificate: IssuedCertificate
    x509_cert: x509.Certificate


def proxy_is_trusted(meta: dict[str, Any]) -> bool:
    """Whether this request came from the configured TLS proxy (ADR 0307): never by default; in
    mode "secret" from a listed address with the shared secret (compared in constant time); in mode
    "unix" over the Unix socket the server alone listens on (and with the secret, if one is set)."""
    mode = conf.client_cert_proxy()
    if mode == "off":
        return False
    if mode == "secret" and meta.get("REMOTE_ADDR") not in conf.trusted_proxies():
        return False
    if mode == "unix" and meta.get("REMOTE_ADDR") != "":
        return False
    secret = conf.proxy_secret()
    if mode == "unix" and not secret:
        return True
    presented = str(meta.get(conf.PROXY_SECRET_HEADER, "")).encode()
    return hmac.compare_digest(presented, secret)


def certificate_from_proxy(meta: dict[str, Any]) -> x509.Certificate | None:
    """The client certificate the TLS front passed on, if the request came through the trusted
    proxy; from anywhere else the header is ignored."""
    if not proxy_is_trusted(meta):
        return None
    raw = meta.get(conf.client_cert_header(), "")
    if not raw:
        return None
    pem = unquote(raw).replace("\t", "\n").strip()
    try:
        return x509.load_pem_x509_certificate(pem.encode())
    except ValueError:
        return None


def authenticate_certificate(cert: x509.Certificate | None) -> Authenticated:
    if cert is None:
        raise AuthorizationError("login_required", "No EFOS client certificate was presented.")
    ca = authority()
    try:
        cert.verify_directly_issued_by(ca.issuing_cert)
    except (ValueError, TypeError, Exception):  # InvalidSignature and friends
        raise AuthorizationError(
            "access_denied", "The certificate was not issued by the EFOS CA."
        ) from None
    moment = timezone.now()
    if not (cert.not_valid_before_utc <= moment <= cert.not_valid_after_utc):
        raise AuthorizationError("access_denied", "The certificate is not valid now.")
    row = certificate_by_serial(serial_hex(cert.serial_number))
    if row is None or row.usage != CertificateUsage.AUTHENTICATION or row.credential is None:
        raise AuthorizationError(
            "access_denied", "The certificate is not an EFOS authentication certificate."
        )
    if row.revoked_at is not None:
        raise AuthorizationError("access_denied", "The certificate is revoked or suspended.")
    if row.credential.status not in (CredentialStatus.ISSUED, CredentialStatus.ACTIVE):
        raise AuthorizationError("access_denied", "The e-ID is not active.")
    return Authenticated(official=row.credential.official, certificate=row, x509_cert=cert)


# --- the authorization request -------------------------------------------------------------------


@dataclass
class AuthorizationRequest:
    client: OidcClient
    redirect_uri: str
    state: str
    scope: list[str]
    nonce: str
    code_challenge: str
    claims: dict[str, Any]
    prompt: list[str]
    sign_message: str = ""
    user_message: str = ""
    raw: dict[str, str] = field(default_factory=dict)


def _client_keys(client: OidcClient) -> KeySet:
    return KeySet.import_key_set(client.jwks or {"keys": []})  # type: ignore[arg-type]


def _decode_message(value: Any) -> str:
    """`{"message#sv": b64, "message": b64, …}` → the text in Swedish, else the default."""
    if isinstance(value, str):
        try:
            value = json.loads(value)
        except ValueError:
            return ""
    if not isinstance(value, dict):
        return ""
    for key in ("message#sv", "message", "message#en"):
        if isinstance(value.get(key), str):
            try:
                return base64.b64decode(value[key]).decode("utf-8")[:4000]
            except (ValueError, UnicodeDecodeError):
                return ""
    return ""


def _request_object(client: OidcClient, params: dict[str, str], issuer: str) -> dict[str, str]:
    """The parameters with a request object's members taking precedence (OIDC Core §6.3.3).

    The object is checked by the core (signature, iss, aud, exp/iat/nbf with the clock skew,
    jti replay). The merged parameters no longer carry `request`, so the consent step, which
    parses the stored parameters again, does not count its `jti` twice."""
    try:
        claims = request_objects.verify(
            params["request"],
            client_id=client.client_id,
            issuer=issuer,
            keys=_client_keys(client),
            replay=DatabaseReplayStore(client),
        )
    except tokens.TokenInvalid as exc:
        raise AuthorizationError(
            "invalid_request_object",
            f"Request object refused: {exc.reason}.",
            redirect=False,
            issuer=issuer,
        ) from None
    merged = {k: v for k, v in params.items() if k != "request"}
    return {**merged, **request_objects.as_parameters(claims)}


def parse_authorization_request(
    params: dict[str, str], *, issuer: str | None = None
) -> AuthorizationRequest:
    issuer = issuer or conf.issuer()
    client = oidc_client(params.get("client_id", ""))
    if client is None:
        raise AuthorizationError("invalid_client", "Unknown client.", redirect=False, issuer=issuer)
    if params.get("request"):
        params = _request_object(client, params, issuer)
    redirect_uri = params.get("redirect_uri", "")
    if redirect_uri not in client.redirect_uris:  # exact string match (profile §2.1.3)
        raise AuthorizationError(
            "invalid_request", "Unregistered redirect_uri.", redirect=False, issuer=issuer
        )
    state = params.get("state", "")

    def fail(error: str, description: str) -> AuthorizationError:
        return AuthorizationError(
            error, description, state=state, redirect_uri=redirect_uri, issuer=issuer
        )

    if params.get("response_type") != "code":
        raise fail("unsupported_response_type", "Only response_type=code is supported.")
    scope = params.get("scope", "").split()
    if "openid" not in scope:
        raise fail("invalid_scope", "The openid scope is required.")
    challenge, method = params.get("code_challenge", ""), params.get("code_challenge_method", "")
    if not pkce.acceptable_challenge(challenge, method):
        raise fail("invalid_request", "PKCE with code_challenge_method=S256 is required.")
    prompt = params.get("prompt", "").split()
    if "none" in prompt and len(prompt) > 1:
        raise fail("invalid_request", "prompt=none cannot be combined with other values.")
    try:
        claims = json.loads(params["claims"]) if params.get("claims") else {}
        if not isinstance(claims, dict):
            raise ValueError
    except ValueError:
        raise fail("invalid_request", "The claims parameter is not a JSON object.") from None
    wanted, essential = authorization.requested_acr(claims)
    if essential and wanted and conf.asserted_acr() not in wanted:
        raise fail(
            "unmet_authentication_requirements",
            "The requested level of assurance cannot be met.",
        )
    request = AuthorizationRequest(
        client=client,
        redirect_uri=redirect_uri,
        state=state,
        scope=scope,
        nonce=params.get("nonce", ""),
        code_challenge=challenge,
        claims=claims,
        prompt=prompt,
        user_message=_decode_message(params.get(PARAM_USER_MESSAGE, "")),
        raw=dict(params),
    )
    if SCOPE_SIGN_APPROVAL in scope:
        request.sign_message = _sign_message(client, params.get(PARAM_SIGN_REQUEST, ""), fail)
        if not request.sign_message:
            raise fail("invalid_request", "signApproval needs a signRequest with a sign message.")
        if not {"login", "consent"} <= set(prompt):
            raise fail("invalid_request", "signApproval needs prompt=login consent.")
    return request


def _sign_message(client: OidcClient, value: str, fail: Any) -> str:
    """The sign request comes as JSON inside a signed request object, or as a JWT signed by the client."""
    if not value:
        return ""
    if value.count(".") == 2 and not value.lstrip().startswith("{"):
        try:
            body: Any = tokens.verify_signature(value, _client_keys(client))
        except tokens.TokenInvalid:
            raise fail("invalid_request", "The signRequest is not signed by the client.") from None
    else:
        try:
            body = json.loads(value)
        except ValueError:
            return ""
    return _decode_message(body.get("sign_message")) if isinstance(body, dict) else ""


def _hash(value: str) -> str:
    return hashlib.sha256(value.encode()).hexdigest()


def issue_code(
    request: AuthorizationRequest, who: Authenticated, *, actor: Actor = ANONYMOUS
) -> str:
    code = secrets.token_urlsafe(32)
    moment = timezone.now()
    with transaction.atomic():
        grant = AuthorizationGrant.objects.create(
            code_hash=_hash(code),
            client=request.client,
            official=who.official,
            certificate_serial=who.certificate.serial,
            redirect_uri=request.redirect_uri,
            scope=" ".join(request.scope),
            nonce=request.nonce[:500],
            code_challenge=request.code_challenge,
            claims=request.claims,
            acr=conf.asserted_acr(),
            auth_time=moment.replace(microsecond=0),
            sign_message=request.sign_message,
            expires_at=moment + CODE_LIFETIME,
        )
        audit_record(
            actor=actor,
            action="efos.op.authenticate",
            obj=grant,
            organisation_id=who.official.organisation_id,
            after={
                "client": request.client.client_id,
                "official": who.official.pk,
                "serial": who.certificate.serial,
                "acr": grant.acr,
                "sign_message": bool(request.sign_message),
            },
        )
    return code


def success_location(request: AuthorizationRequest, code: str, *, issuer: str | None = None) -> str:
    query = {"code": code, "iss": issuer or conf.issuer()}
    if request.state:
        query["state"] = request.state
    return authorization.with_query(request.redirect_uri, query)


# --- the token endpoint --------------------------------------------------------------------------


def _refuse_token(error: TokenError, **details: Any) -> TokenError:
    refuse(ANONYMOUS, "token", error, error=error.error, **details)
    return error


def authenticate_client(form: dict[str, str], *, issuer: str | None = None) -> OidcClient:
    issuer = issuer or conf.issuer()
    if form.get("client_assertion_type") != ASSERTION_TYPE or not form.get("client_assertion"):
        raise _refuse_token(
            TokenError("invalid_client", "private_key_jwt client authentication is required.", 401)
        )
    assertion = form["client_assertion"]
    try:
        client_id = assertions.claimed_client(assertion)
    except assertions.ClientAuthError as exc:
        raise _refuse_token(TokenError("invalid_client", str(exc), 401)) from None
    client = oidc_client(client_id)
    if client is None or (form.get("client_id") and form["client_id"] != client_id):
        raise _refuse_token(
            TokenError("invalid_client", "Unknown client.", 401), client=client_id[:100]
        )
    try:
        assertions.verify(
            assertion,
            client_id=client_id,
            keys=_client_keys(client),
            audiences={endpoints(issuer)["token_endpoint"], issuer},
            replay=DatabaseReplayStore(client),
        )
    except assertions.ClientAuthError as exc:
        raise _refuse_token(TokenError("invalid_client", str(exc), 401), client=client_id) from None
    return client


def pairwise_sub(client: OidcClient, official: Official) -> str:
    """The official's `sub` for this client: pairwise (per client) unless the client registered
    `public`, which is the same for every client. Neither reveals personal data."""
    sector = "public" if client.subject_type == "public" else client.client_id
    return subject.pairwise(conf.pairwise_secret(), sector, str(official.pk))


def exchange_code(form: dict[str, str], *, issuer: str | None = None) -> dict[str, Any]:
    issuer = issuer or conf.issuer()
    if form.get("grant_type") != "authorization_code":
        raise _refuse_token(
            TokenError("unsupported_grant_type", "Only authorization_code is supported.")
        )
    client = authenticate_client(form, issuer=issuer)
    moment = timezone.now()
    with transaction.atomic():
        grant = (
            AuthorizationGrant.objects.select_for_update()
            .filter(code_hash=_hash(form.get("code", "")), client=client)
            .first()
        )
        if grant is None or grant.revoked or grant.expires_at < moment:
            error = TokenError("invalid_grant", "The code is unknown, expired or revoked.")
        elif grant.redeemed_at is not None:
            grant.revoked = True  # a replayed code revokes what it already gave (profile §4.5)
            grant.save(update_fields=["revoked"])
            error = TokenError("invalid_grant", "The code was already used.")
        elif grant.redirect_uri != form.get("redirect_uri"):
            error = TokenError(
                "invalid_grant", "redirect_uri does not match the authorization request."
            )
        elif not pkce.verify(form.get("code_verifier", ""), grant.code_challenge):
            error = TokenError("invalid_grant", "PKCE verification failed.")
        else:
            error = None
        if error is None and grant is not None:
            access_token = secrets.token_urlsafe(32)
            grant.redeemed_at, grant.access_token_hash = moment, _hash(access_token)
            grant.token_expires_at = moment + TOKEN_LIFETIME
            grant.save(update_fields=["redeemed_at", "access_token_hash", "token_expires_at"])
    if error is not None or grant is None:
        raise _refuse_token(
            error or TokenError("invalid_grant", "Unknown code."), client=client.client_id
        )
    official = Official.objects.select_related("organisation").get(pk=grant.official_id)
    id_token = build_id_token(grant, client, official, issuer=issuer)
    return {
        "access_token": access_token,
        "token_type": "Bearer",
        "expires_in": int(TOKEN_LIFETIME.total_seconds()),
        "id_token": id_token,
        "scope": grant.scope,
    }


def _person_claims(official: Official, cert: IssuedCertificate | None) -> dict[str, Any]:
    claims: dict[str, Any] = {
        "name": official.full_name,
        "given_name": official.given_name,
        "family_name": official.surname,
        f"{CLAIM}orgAffiliation": official.org_affiliation,
        f"{CLAIM}orgNumber": official.org_number_digits,
        f"{CLAIM}orgName": official.organisation.name,
    }
    if cert is not None:
        claims[f"{CLAIM}credentialValidFrom"] = int(cert.not_before.timestamp())
        claims[f"{CLAIM}credentialValidTo"] = int(cert.not_after.timestamp())
    return claims


def _requested(grant: AuthorizationGrant, where: str) -> set[str]:
    section = grant.claims.get(where) if isinstance(grant.claims, dict) else None
    return set(section) if isinstance(section, dict) else set()


def _client_alg(client: OidcClient) -> str:
    alg = client.id_token_signed_response_alg
    return alg if alg in ID_TOKEN_ALGS else "ES256"


def build_id_token(
    grant: AuthorizationGrant,
    client: OidcClient,
    official: Official,
    *,
    issuer: str | None = None,
) -> str:
    issuer = issuer or conf.issuer()
    now = timezone.now()
    cert = IssuedCertificate.objects.filter(serial=grant.certificate_serial).first()
    available = _person_claims(official, cert)
    claims: dict[str, Any] = {
        "iss": issuer,
        "sub": pairwise_sub(client, official),
        "aud": client.client_id,
        "iat": int(now.timestamp()),
        "exp": int((now + ID_TOKEN_LIFETIME).timestamp()),
        "auth_time": int(grant.auth_time.timestamp()),
        "acr": grant.acr,
        "jti": secrets.token_urlsafe(16),
        f"{CLAIM}authnProvider": issuer,
    }
    if grant.nonce:
        claims["nonce"] = grant.nonce
    scopes = grant.scope.split()
    if SCOPE_ORG_ID in scopes:  # orgAffiliation is essential in the ID token (claims spec §3)
        claims[f"{CLAIM}orgAffiliation"] = official.org_affiliation
    for name in _requested(grant, "id_token"):
        if name in available:
            claims[name] = available[name]
    return signing.sign(claims, op_key(_client_alg(client)))


def userinfo(access_token: str, *, issuer: str | None = None) -> str:
    """The signed UserInfo response (profile §4.3: UserInfo MUST be signed), with the client's
    registered algorithm."""
    issuer = issuer or conf.issuer()
    moment = timezone.now()
    with transaction.atomic():
        grant = (
            AuthorizationGrant.objects.select_for_update()
            .select_related("client", "official__organisation")
            .filter(access_token_hash=_hash(access_token))
            .first()
        )
        if (
            grant is None
            or grant.revoked
            or grant.token_used_at
            or (grant.token_expires_at or moment) < moment
        ):
            raise TokenError("invalid_token", "The access token is unknown, expired or used.", 401)
        grant.token_used_at = moment  # single use (reference OP behaviour, §4.5)
        grant.save(update_fields=["token_used_at"])
    official, client = grant.official, grant.client
    available = _person_claims(
        official, IssuedCertificate.objects.filter(serial=grant.certificate_serial).first()
    )
    claims: dict[str, Any] = {
        "sub": pairwise_sub(client, official),
        "iss": issuer,
        "aud": client.client_id,
        "iat": int(moment.timestamp()),
    }
    scopes = grant.scope.split()
    names: set[str] = set(_requested(grant, "userinfo"))
    if SCOPE_ORG_ID in scopes:
        names |= {"name", f"{CLAIM}orgAffiliation", f"{CLAIM}orgName", f"{CLAIM}orgNumber"}
    if SCOPE_PERSON_INFO in scopes:
        names |= {"name", "given_name", "family_name"}
    claims.update({name: available[name] for name in names if name in available})
    return signing.sign(claims, op_key(_client_alg(client)), typ="userinfo+jwt")


def verify_id_token(
    token: str, *, client_id: str, nonce: str = "", issuer: str | None = None
) -> dict[str, Any]:
    """Check one of our own ID tokens (used by samdrift's signing flow, which is our own client)."""
    issuer = issuer or conf.issuer()
    keys = KeySet.import_key_set(jwks())  # type: ignore[arg-type]
    claims = tokens.verify_signature(token, keys, algorithms=ID_TOKEN_ALGS, require_kid=True)
    tokens.check_issuer(claims, issuer)
    tokens.check_audience(claims, client_id)
    tokens.check_times(claims, require=("exp", "iat"))
    for name in ("acr", "auth_time"):
        if name not in claims:
            raise tokens.TokenInvalid("missing_claim", name)
    if nonce and claims.get("nonce") != nonce:
        raise tokens.TokenInvalid("missing_claim", "nonce does not match")
    # The level the signing request demanded, judged by the policy module, never by string.
    if not satisfies(claims.get("acr"), conf.SIGNING_MIN_RANK, allow_uncertified=True):
        raise tokens.TokenInvalid("missing_claim", "acr below the signing level")
    return claims
