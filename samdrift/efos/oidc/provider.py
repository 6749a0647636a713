"""The OpenID provider (Swedish OIDC profile v1.0, Sweden Connect OIDC profile; ADR 0304).

- Code flow only, PKCE S256 required (plain refused), `private_key_jwt` the only client auth.
- `acr` asked for as an essential claim is honoured: if the level we may assert (configuration,
  default uncertified-loa3) is not among the values, the answer is
  `unmet_authentication_requirements`. Voluntary `acr_values` never make a request fail.
- The official authenticates with the EFOS authentication certificate presented to the TLS front,
  which passes it on in a header; the header is believed only from a trusted proxy address. The
  certificate must chain to our issuing CA, be valid now, be known to us and not revoked or on
  hold: the same rows the OCSP responder answers from, so a revocation bites at once.
- Codes are single-use, valid 60 s, stored as hashes; a reused code revokes the access token.
- ID tokens are ES256, `kid` set, valid 5 minutes, with pairwise `sub`.
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
from urllib.parse import unquote, urlencode

from cryptography import x509
from cryptography.hazmat.primitives import serialization
from django.db import IntegrityError, transaction
from django.utils import timezone
from joserfc import errors as jose_errors
from joserfc import jwt
from joserfc.jwk import ECKey, KeySet

from samdrift.audit.services import audit_record
from samdrift.core.actor import ANONYMOUS, Actor
from samdrift.efos import conf
from samdrift.efos.ca.authority import authority
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

CLAIM = "https://id.oidc.se/claim/"
SCOPE_ORG_ID = "https://id.oidc.se/scope/naturalPersonOrgId"
SCOPE_PERSON_INFO = "https://id.oidc.se/scope/naturalPersonInfo"
SCOPE_SIGN_APPROVAL = "https://id.oidc.se/scope/signApproval"
PARAM_SIGN_REQUEST = "https://id.oidc.se/param/signRequest"
PARAM_USER_MESSAGE = "https://id.oidc.se/param/userMessage"
ASSERTION_TYPE = "urn:ietf:params:oauth:client-assertion-type:jwt-bearer"
CODE_LIFETIME = dt.timedelta(seconds=60)
TOKEN_LIFETIME = dt.timedelta(minutes=5)
ID_TOKEN_LIFETIME = dt.timedelta(minutes=5)
CLOCK_SKEW = dt.timedelta(seconds=60)
CLIENT_ALGS = ["RS256", "ES256", "PS256", "ES384"]


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
    ) -> None:
        super().__init__(description)
        self.error, self.description, self.redirect = error, description, redirect
        self.state, self.redirect_uri = state, redirect_uri

    def location(self) -> str:
        query = {"error": self.error, "error_description": self.description, "iss": conf.issuer()}
        if self.state:
            query["state"] = self.state
        return f"{self.redirect_uri}{'&' if '?' in self.redirect_uri else '?'}{urlencode(query)}"


class TokenError(Exception):
    def __init__(self, error: str, description: str, status: int = 400) -> None:
        super().__init__(description)
        self.error, self.description, self.status = error, description, status


# --- keys and metadata ----------------------------------------------------------------------------

_op_keys: dict[int, ECKey] = {}


def op_key() -> ECKey:
    ca = authority()
    if id(ca) not in _op_keys:
        pem = ca.op_key.private_key.private_bytes(
            serialization.Encoding.PEM,
            serialization.PrivateFormat.PKCS8,
            serialization.NoEncryption(),
        )
        key = ECKey.import_key(pem)
        key.ensure_kid()
        _op_keys.clear()
        _op_keys[id(ca)] = key
    return _op_keys[id(ca)]


def jwks() -> dict[str, Any]:
    public = op_key().as_dict(private=False)
    return {"keys": [{**public, "use": "sig", "alg": "ES256"}]}


def endpoints() -> dict[str, str]:
    issuer = conf.issuer()
    return {
        "authorization_endpoint": f"{issuer}/authorize",
        "token_endpoint": f"{issuer}/token",
        "userinfo_endpoint": f"{issuer}/userinfo",
        "jwks_uri": f"{issuer}/jwks",
    }


def discovery() -> dict[str, Any]:
    return {
        "issuer": conf.issuer(),
        **endpoints(),
        "response_types_supported": ["code"],
        "response_modes_supported": ["query"],
        "grant_types_supported": ["authorization_code"],
        "subject_types_supported": ["pairwise"],
        "id_token_signing_alg_values_supported": ["ES256"],
        "userinfo_signing_alg_values_supported": ["ES256"],
        "request_object_signing_alg_values_supported": CLIENT_ALGS,
        "token_endpoint_auth_methods_supported": ["private_key_jwt"],
        "token_endpoint_auth_signing_alg_values_supported": CLIENT_ALGS,
        "code_challenge_methods_supported": ["S256"],
        "acr_values_supported": [conf.asserted_acr()],
        "claims_parameter_supported": True,
        "request_parameter_supported": True,
        "request_uri_parameter_supported": False,
        "prompt_values_supported": ["none", "login", "consent"],
        "scopes_supported": ["openid", SCOPE_ORG_ID, SCOPE_PERSON_INFO, SCOPE_SIGN_APPROVAL],
        "claims_supported": [
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
        "ui_locales_supported": ["sv", "en"],
        "https://id.oidc.se/disco/userMessageSupported": True,
        "https://id.oidc.se/disco/userMessageSupportedMimeTypes": ["text/plain"],
        "https://id.oidc.se/disco/authnProviderSupported": False,
    }


# --- the official, from the client certificate -------------------------------------------------


@dataclass
class Authenticated:
    official: Official
    certificate: IssuedCertificate
    x509_cert: x509.Certificate


def certificate_from_proxy(meta: dict[str, Any]) -> x509.Certificate | None:
    """The client certificate the TLS front passed on, if the request came through a trusted proxy."""
    if meta.get("REMOTE_ADDR") not in conf.trusted_proxies():
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


def parse_authorization_request(params: dict[str, str]) -> AuthorizationRequest:
    client = oidc_client(params.get("client_id", ""))
    if client is None:
        raise AuthorizationError("invalid_client", "Unknown client.", redirect=False)
    if params.get("request"):
        try:
            token = jwt.decode(params["request"], _client_keys(client), algorithms=CLIENT_ALGS)
        except jose_errors.JoseError as exc:
            raise AuthorizationError(
                "invalid_request_object", f"Request object refused: {exc.error}", redirect=False
            ) from None
        claims = token.claims
        if claims.get("iss") != client.client_id or conf.issuer() not in _as_list(
            claims.get("aud")
        ):
            raise AuthorizationError(
                "invalid_request_object", "Request object has wrong iss or aud.", redirect=False
            )
        params = {
            **params,
            **{k: v if isinstance(v, str) else json.dumps(v) for k, v in claims.items()},
        }
    redirect_uri = params.get("redirect_uri", "")
    if redirect_uri not in client.redirect_uris:  # exact string match (profile §4.4)
        raise AuthorizationError("invalid_request", "Unregistered redirect_uri.", redirect=False)
    state = params.get("state", "")

    def fail(error: str, description: str) -> AuthorizationError:
        return AuthorizationError(error, description, state=state, redirect_uri=redirect_uri)

    if params.get("response_type") != "code":
        raise fail("unsupported_response_type", "Only response_type=code is supported.")
    scope = params.get("scope", "").split()
    if "openid" not in scope:
        raise fail("invalid_scope", "The openid scope is required.")
    challenge, method = params.get("code_challenge", ""), params.get("code_challenge_method", "")
    if not challenge or method != "S256" or not 43 <= len(challenge) <= 128:
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
    acr_request = (
        (claims.get("id_token") or {}).get("acr")
        if isinstance(claims.get("id_token"), dict)
        else None
    )
    if isinstance(acr_request, dict) and acr_request.get("essential"):
        wanted = acr_request.get("values") or (
            [acr_request["value"]] if "value" in acr_request else []
        )
        if wanted and conf.asserted_acr() not in wanted:
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
            body: Any = jwt.decode(value, _client_keys(client), algorithms=CLIENT_ALGS).claims
        except jose_errors.JoseError:
            raise fail("invalid_request", "The signRequest is not signed by the client.") from None
    else:
        try:
            body = json.loads(value)
        except ValueError:
            return ""
    return _decode_message(body.get("sign_message")) if isinstance(body, dict) else ""


def _as_list(value: Any) -> list[str]:
    if isinstance(value, list):
        return [str(v) for v in value]
    return [str(value)] if value else []


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


def success_location(request: AuthorizationRequest, code: str) -> str:
    query = {"code": code, "iss": conf.issuer()}
    if request.state:
        query["state"] = request.state
    sep = "&" if "?" in request.redirect_uri else "?"
    return f"{request.redirect_uri}{sep}{urlencode(query)}"


# --- the token endpoint --------------------------------------------------------------------------


def _refuse_token(error: TokenError, **details: Any) -> TokenError:
    refuse(ANONYMOUS, "token", error, error=error.error, **details)
    return error


def authenticate_client(form: dict[str, str]) -> OidcClient:
    if form.get("client_assertion_type") != ASSERTION_TYPE or not form.get("client_assertion"):
        raise _refuse_token(
            TokenError("invalid_client", "private_key_jwt client authentication is required.", 401)
        )
    assertion = form["client_assertion"]
    try:
        unverified = json.loads(base64.urlsafe_b64decode(assertion.split(".")[1] + "==="))
        client_id = str(unverified.get("iss", ""))
    except (ValueError, IndexError, UnicodeDecodeError, AttributeError):
        raise _refuse_token(
            TokenError("invalid_client", "The client assertion is malformed.", 401)
        ) from None
    client = oidc_client(client_id)
    if client is None or (form.get("client_id") and form["client_id"] != client_id):
        raise _refuse_token(
            TokenError("invalid_client", "Unknown client.", 401), client=client_id[:100]
        )
    try:
        claims = jwt.decode(assertion, _client_keys(client), algorithms=CLIENT_ALGS).claims
    except jose_errors.JoseError as exc:
        raise _refuse_token(
            TokenError("invalid_client", f"Client assertion refused: {exc.error}.", 401),
            client=client_id,
        ) from None
    now = int(timezone.now().timestamp())
    audiences = _as_list(claims.get("aud"))
    if claims.get("sub") != client_id:
        raise _refuse_token(
            TokenError("invalid_client", "Client assertion sub must be the client id.", 401)
        )
    if not ({endpoints()["token_endpoint"], conf.issuer()} & set(audiences)):
        raise _refuse_token(
            TokenError("invalid_client", "Client assertion has the wrong audience.", 401)
        )
    exp = claims.get("exp")
    if not isinstance(exp, int | float) or exp < now - CLOCK_SKEW.seconds or exp > now + 3600:
        raise _refuse_token(
            TokenError("invalid_client", "Client assertion is expired or too long-lived.", 401)
        )
    jti = str(claims.get("jti") or "")
    if not jti:
        raise _refuse_token(TokenError("invalid_client", "Client assertion needs a jti.", 401))
    try:
        with transaction.atomic():
            ClientAssertionUse.objects.create(
                client=client, jti=jti[:200], expires_at=dt.datetime.fromtimestamp(exp, dt.UTC)
            )
    except IntegrityError:
        raise _refuse_token(
            TokenError("invalid_client", "Client assertion was replayed.", 401)
        ) from None
    return client


def pairwise_sub(client: OidcClient, official: Official) -> str:
    message = f"{client.client_id}|{official.pk}".encode()
    return hmac.new(conf.pairwise_secret(), message, hashlib.sha256).hexdigest()


def exchange_code(form: dict[str, str]) -> dict[str, Any]:
    if form.get("grant_type") != "authorization_code":
        raise _refuse_token(
            TokenError("unsupported_grant_type", "Only authorization_code is supported.")
        )
    client = authenticate_client(form)
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
        elif not _pkce_ok(form.get("code_verifier", ""), grant.code_challenge):
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
    id_token = build_id_token(grant, client, official)
    return {
        "access_token": access_token,
        "token_type": "Bearer",
        "expires_in": int(TOKEN_LIFETIME.total_seconds()),
        "id_token": id_token,
        "scope": grant.scope,
    }


def _pkce_ok(verifier: str, challenge: str) -> bool:
    if not 43 <= len(verifier) <= 128:
        return False
    computed = (
        base64.urlsafe_b64encode(hashlib.sha256(verifier.encode()).digest()).rstrip(b"=").decode()
    )
    return hmac.compare_digest(computed, challenge)


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


def build_id_token(grant: AuthorizationGrant, client: OidcClient, official: Official) -> str:
    now = timezone.now()
    cert = IssuedCertificate.objects.filter(serial=grant.certificate_serial).first()
    available = _person_claims(official, cert)
    claims: dict[str, Any] = {
        "iss": conf.issuer(),
        "sub": pairwise_sub(client, official),
        "aud": client.client_id,
        "iat": int(now.timestamp()),
        "exp": int((now + ID_TOKEN_LIFETIME).timestamp()),
        "auth_time": int(grant.auth_time.timestamp()),
        "acr": grant.acr,
        "jti": secrets.token_urlsafe(16),
        f"{CLAIM}authnProvider": conf.issuer(),
    }
    if grant.nonce:
        claims["nonce"] = grant.nonce
    scopes = grant.scope.split()
    if SCOPE_ORG_ID in scopes:  # orgAffiliation is essential in the ID token (claims spec §3)
        claims[f"{CLAIM}orgAffiliation"] = official.org_affiliation
    for name in _requested(grant, "id_token"):
        if name in available:
            claims[name] = available[name]
    key = op_key()
    return jwt.encode({"alg": "ES256", "kid": key.kid, "typ": "JWT"}, claims, key)


def userinfo(access_token: str) -> str:
    """The signed UserInfo response (profile §4.4: UserInfo MUST be signed)."""
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
        "iss": conf.issuer(),
        "aud": client.client_id,
    }
    scopes = grant.scope.split()
    names: set[str] = set(_requested(grant, "userinfo"))
    if SCOPE_ORG_ID in scopes:
        names |= {"name", f"{CLAIM}orgAffiliation", f"{CLAIM}orgName", f"{CLAIM}orgNumber"}
    if SCOPE_PERSON_INFO in scopes:
        names |= {"name", "given_name", "family_name"}
    claims.update({name: available[name] for name in names if name in available})
    key = op_key()
    return jwt.encode({"alg": "ES256", "kid": key.kid}, claims, key)


def verify_id_token(token: str, *, client_id: str, nonce: str = "") -> dict[str, Any]:
    """Check one of our own ID tokens (used by samdrift's signing flow, which is our own client)."""
    decoded = jwt.decode(token, KeySet.import_key_set(jwks()), algorithms=["ES256"])  # type: ignore[arg-type]
    registry = jwt.JWTClaimsRegistry(
        iss={"essential": True, "value": conf.issuer()},
        aud={"essential": True, "value": client_id},
        exp={"essential": True},
        acr={"essential": True},
        auth_time={"essential": True},
    )
    registry.validate(decoded.claims)
    if nonce and decoded.claims.get("nonce") != nonce:
        raise jose_errors.InvalidClaimError("nonce")
    # The level the signing request demanded, judged by the policy module, never by string.
    if not satisfies(decoded.claims.get("acr"), conf.SIGNING_MIN_RANK, allow_uncertified=True):
        raise jose_errors.InvalidClaimError("acr")
    return dict(decoded.claims)
