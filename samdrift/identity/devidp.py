"""A development OpenID provider: officials log in at any level with one click.

**A development and test tool, never a production identity provider.** It binds to loopback only,
trusts whoever picks a name on its page, and asserts the certified Sweden Connect levels as the
Sweden Connect local federation's simulated users do. It exists so that samdrift's relying party
can be exercised end to end against a real provider in its own process: discovery, JWKS, the
authorization page, a token endpoint that verifies `private_key_jwt` client assertions and PKCE
S256, and ES256-signed ID tokens carrying `acr` and the OIDC Sweden claims.

It follows the Swedish OIDC profile where that matters to the RP (reference/identity.md §4.4–4.5):
`claims.id_token.acr` essential → `unmet_authentication_requirements` when the chosen level is not
among the values; codes single-use and one minute; client assertion `jti` remembered; `aud` of the
assertion may be the token endpoint or the issuer; ID tokens live five minutes.

With `--allow-faults` the page also offers misbehaviours (tampered signature, expired token,
unknown key, wrong audience or issuer, unsigned, malformed, replayed token, ignoring the requested
level) so the relying party's refusals can be tested against real HTTP.

The protocol rules (PKCE, client assertions, request objects, pairwise `sub`, discovery fields,
no-store answers) are samdrift's OIDC core (`samdrift.core.oidc`), which needs no Django either.

Pure Python on the standard library plus joserfc: no Django. Run it with
`samdrift identity dev-idp --port 8500` or `python -m samdrift.identity.devidp --port 8500`.
"""

from __future__ import annotations

import argparse
import base64
import html
import json
import secrets
import sys
import threading
import time
import urllib.parse
from collections.abc import Iterable
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any

import requests
from joserfc.jwk import ECKey, KeySet

from samdrift.core.oidc import (
    assertions,
    authorization,
    discovery,
    pkce,
    request_objects,
    responses,
    signing,
)
from samdrift.core.oidc import subject as core_subject
from samdrift.core.oidc.sweden import CLAIM, DISCO_AUTHN_PROVIDER, SCOPE_ORG_ID, SCOPE_PERSON_INFO
from samdrift.core.oidc.tokens import TokenInvalid

from . import loa

ASSERTION_TYPE = assertions.TYPE
#: What the token endpoint says for each refused client assertion (core reason → description).
ASSERTION_REFUSALS = {
    "signature": "client assertion not verified",
    "malformed": "client assertion not verified",
    "iss_sub": "client assertion iss/sub must be the client_id",
    "audience": "client assertion aud must be the token endpoint or the issuer",
    "time": "client assertion expired",
    "jti": "client assertion needs a jti",
    "replayed": "client assertion replayed",
}
#: Not a secret: the demo precomputes the subjects this provider will assert (see `demo.py`).
PAIRWISE_SECRET = b"samdrift-dev-idp"
AUTHN_PROVIDER = "urn:samdrift:dev-idp"
LOOPBACK_HOSTS = frozenset({"127.0.0.1", "::1", "localhost"})

#: The levels the page offers, strongest first.
OFFERED_LEVELS: tuple[str, ...] = (
    loa.LOA4,
    loa.LOA3,
    loa.LOA2,
    loa.UNCERTIFIED_LOA3,
    loa.EIDAS_SUB,
    loa.LOA1,
)

#: Authorization parameters a request object may carry (and then override the query's).
REQUEST_OBJECT_PARAMETERS = (
    "response_type",
    "client_id",
    "redirect_uri",
    "scope",
    "state",
    "nonce",
    "code_challenge",
    "code_challenge_method",
    "claims",
    "prompt",
    "max_age",
    "ui_locales",
    "acr_values",
)

DEFAULT_REDIRECT_URIS = (
    "http://127.0.0.1:8000/identity/callback/",
    "http://localhost:8000/identity/callback/",
)

FAULTS: dict[str, str] = {
    "": "none (behave correctly)",
    "tamper": "tampered ID token (payload changed after signing)",
    "expired": "expired ID token",
    "unknown_kid": "ID token signed with a key not in the JWKS",
    "wrong_aud": "ID token for another client",
    "wrong_iss": "ID token from another issuer",
    "unsigned": "unsigned ID token (alg none)",
    "malformed": "malformed ID token",
    "replay": "replay the previously issued ID token",
    "wrong_nonce": "ID token with another nonce",
    "ignore_acr": "issue the chosen level even if it was not requested",
}

#: Built-in officials when no file is given; organisation numbers are fictitious test numbers.
DEFAULT_OFFICIALS: tuple[dict[str, str], ...] = (
    {
        "uid": "anna.andersson",
        "given_name": "Anna",
        "family_name": "Andersson",
        "org_number": "2021005521",
        "org_name": "Försäkringskassan",
    },
)


@dataclass(frozen=True)
class Official:
    uid: str
    given_name: str
    family_name: str
    org_number: str
    org_name: str

    @property
    def key(self) -> str:
        return f"{self.uid}@{self.org_number}"

    @property
    def name(self) -> str:
        return f"{self.given_name} {self.family_name}"


@dataclass
class Client:
    client_id: str
    redirect_uris: list[str]
    jwks_source: str  # a file path or an http(s) URL
    _keys: KeySet | None = None
    _lock: threading.Lock = field(default_factory=threading.Lock)

    def keys(self, *, refresh: bool = False) -> KeySet:
        with self._lock:
            if self._keys is None or refresh:
                if self.jwks_source.startswith(("http://", "https://")):
                    response = requests.get(self.jwks_source, timeout=5)
                    response.raise_for_status()
                    data = response.json()
                else:
                    data = json.loads(Path(self.jwks_source).read_text(encoding="utf-8"))
                self._keys = KeySet.import_key_set(data)
            return self._keys


@dataclass
class Grant:
    client_id: str
    redirect_uri: str
    code_challenge: str
    nonce: str
    official: Official
    acr: str
    auth_time: int
    fault: str
    id_token_claims: list[str]
    expires_at: float


class Provider:
    """The provider's state: keys, registered client, outstanding codes, seen assertions."""

    def __init__(
        self,
        *,
        issuer: str,
        officials: list[Official],
        client: Client,
        allow_faults: bool = False,
    ) -> None:
        self.issuer = issuer.rstrip("/")
        self.officials = {official.key: official for official in officials}
        self.client = client
        self.allow_faults = allow_faults
        self.key = ECKey.generate_key("P-256", parameters={"kid": secrets.token_hex(8)})
        self.stray_key = ECKey.generate_key("P-256", parameters={"kid": secrets.token_hex(8)})
        self.codes: dict[str, Grant] = {}
        self.seen_jtis = assertions.MemoryReplayStore()
        self.last_id_token: str | None = None
        self.lock = threading.Lock()

    # -- metadata -------------------------------------------------------------------------
    @property
    def token_endpoint(self) -> str:
        return self.issuer + "/token"

    def discovery(self) -> dict[str, Any]:
        return discovery.document(
            self.issuer,
            paths={
                "authorization_endpoint": "/authorize",
                "token_endpoint": "/token",
                "jwks_uri": "/jwks.json",
            },
            id_token_algorithms=["ES256"],
            acr_values=OFFERED_LEVELS,
            scopes=["openid", SCOPE_ORG_ID, SCOPE_PERSON_INFO],
            claims=[
                "sub",
                "acr",
                "auth_time",
                "name",
                "given_name",
                "family_name",
                CLAIM + "orgAffiliation",
                CLAIM + "orgNumber",
                CLAIM + "orgName",
                CLAIM + "authnProvider",
            ],
            client_algorithms=["ES256", "RS256"],
            extra={DISCO_AUTHN_PROVIDER: False},
        )

    def jwks(self) -> dict[str, Any]:
        return dict(KeySet([self.key]).as_dict(private=False))

    # -- authorization --------------------------------------------------------------------
    def check_authorization_request(self, params: dict[str, str]) -> str | None:
        """Errors that must be shown, not redirected (unknown client or redirect URI)."""
        if params.get("client_id") != self.client.client_id:
            return "unknown client_id"
        if params.get("redirect_uri") not in self.client.redirect_uris:
            return "redirect_uri is not registered for this client (exact match required)"
        return None

    def effective_params(self, params: dict[str, str]) -> dict[str, str]:
        """The request's parameters, with those of a signed request object taking precedence
        (OIDC Core §6.1). The object must be signed by the client's key and addressed to us."""
        raw = params.get("request")
        if not raw:
            return params
        if params.get("client_id") != self.client.client_id:
            raise ValueError("unknown client")
        claims = self._with_key_refresh(
            lambda keys: request_objects.verify(
                raw,
                client_id=self.client.client_id,
                issuer=self.issuer,
                keys=keys,
                replay=None,  # the page and its form post read the same object twice
                require_exp=True,
            )
        )
        merged = {name: value for name, value in params.items() if name != "request"}
        merged.update(request_objects.as_parameters(claims, REQUEST_OBJECT_PARAMETERS))
        return merged

    def redirect_error(self, params: dict[str, str]) -> str | None:
        """Errors returned to the client's redirect URI."""
        try:
            params = self.effective_params(params)
        except (TokenInvalid, ValueError, TypeError, KeyError):
            return "invalid_request_object"
        if self.check_authorization_request(params) is not None:
            return "invalid_request_object"
        if params.get("response_type") != "code":
            return "unsupported_response_type"
        if "openid" not in params.get("scope", "").split():
            return "invalid_scope"
        if params.get("code_challenge_method") != "S256" or not params.get("code_challenge"):
            return "invalid_request"
        if not params.get("state") or not params.get("nonce"):
            return "invalid_request"
        try:
            self.requested_acrs(params)
        except ValueError:
            return "invalid_request"
        return None

    @staticmethod
    def requested_claims(params: dict[str, str]) -> dict[str, Any]:
        raw = params.get("claims")
        if not raw:
            return {}
        parsed = json.loads(raw)
        if not isinstance(parsed, dict):
            raise ValueError("claims must be an object")
        return parsed

    def requested_acrs(self, params: dict[str, str]) -> tuple[list[str], bool]:
        """The requested `acr` values and whether they are essential (claims beats acr_values)."""
        return authorization.requested_acr(
            self.requested_claims(params), params.get("acr_values", "")
        )

    def authorize(self, params: dict[str, str], official_key: str, acr: str, fault: str) -> str:
        """Issue a code (or an error) and return the redirect location."""
        redirect_uri = params["redirect_uri"]
        state = params.get("state", "")
        error = self.redirect_error(params)
        if error is None:
            params = self.effective_params(params)
            state = params.get("state", "")
        if error is None and ((fault and not self.allow_faults) or fault not in FAULTS):
            error = "invalid_request"
        official = self.officials.get(official_key)
        if error is None and (official is None or acr not in OFFERED_LEVELS):
            error = "access_denied"
        if error is None:
            values, essential = self.requested_acrs(params)
            if values and essential and acr not in values and fault != "ignore_acr":
                error = "unmet_authentication_requirements"
        if error is not None or official is None:
            return authorization.with_query(
                redirect_uri, {"error": error or "access_denied", "state": state}
            )
        wanted = list((self.requested_claims(params).get("id_token") or {}).keys())
        code = secrets.token_urlsafe(32)
        with self.lock:
            self.codes[code] = Grant(
                client_id=params["client_id"],
                redirect_uri=redirect_uri,
                code_challenge=params["code_challenge"],
                nonce=params["nonce"],
                official=official,
                acr=acr,
                auth_time=int(time.time()),
                fault=fault,
                id_token_claims=wanted,
                expires_at=time.monotonic() + 60,
            )
        return authorization.with_query(redirect_uri, {"code": code, "state": state})

    # -- token ----------------------------------------------------------------------------
    def verify_client_assertion(self, form: dict[str, str]) -> str | None:
        """None when the private_key_jwt assertion is valid, else the reason."""
        if form.get("client_assertion_type") != ASSERTION_TYPE:
            return "client_assertion_type must be jwt-bearer (private_key_jwt)"
        assertion = form.get("client_assertion", "")
        try:
            self._with_key_refresh(
                lambda keys: assertions.verify(
                    assertion,
                    client_id=self.client.client_id,
                    keys=keys,
                    audiences={self.token_endpoint, self.issuer},
                    replay=self.seen_jtis,
                    algorithms=["ES256", "RS256"],
                )
            )
        except assertions.ClientAuthError as exc:
            return ASSERTION_REFUSALS.get(exc.reason, str(exc))
        return None

    def _with_key_refresh(self, check: Any) -> Any:
        """Run `check(keys)`; if the signature did not verify, the client may have rotated its
        key: fetch its JWKS once more and try again (nothing is remembered before a signature
        verifies, so the second try sees the same state)."""
        try:
            return check(self.client.keys())
        except (TokenInvalid, assertions.ClientAuthError) as exc:
            signature_failed = (
                exc.reason in ("bad_signature", "unknown_kid")
                if isinstance(exc, TokenInvalid)
                else exc.reason == "signature"
            )
            if not signature_failed:
                raise
        return check(self.client.keys(refresh=True))

    def token(self, form: dict[str, str]) -> tuple[int, dict[str, Any]]:
        if form.get("grant_type") != "authorization_code":
            return 400, {"error": "unsupported_grant_type"}
        reason = self.verify_client_assertion(form)
        if reason is not None:
            return 401, {"error": "invalid_client", "error_description": reason}
        with self.lock:
            grant = self.codes.pop(form.get("code", ""), None)  # single use, even when refused
        if grant is None or grant.expires_at < time.monotonic():
            return 400, {"error": "invalid_grant", "error_description": "unknown or used code"}
        if grant.client_id != self.client.client_id or grant.redirect_uri != form.get(
            "redirect_uri"
        ):
            return 400, {"error": "invalid_grant", "error_description": "code bound elsewhere"}
        if not pkce.verify(form.get("code_verifier", ""), grant.code_challenge):
            return 400, {"error": "invalid_grant", "error_description": "PKCE verification failed"}
        id_token = self.id_token(grant)
        return 200, {
            "access_token": secrets.token_urlsafe(32),
            "token_type": "Bearer",
            "expires_in": 300,
            "id_token": id_token,
        }

    def subject(self, official: Official) -> str:
        return pairwise_subject(self.client.client_id, official.key)

    def id_token(self, grant: Grant) -> str:
        now = int(time.time())
        official = grant.official
        claims: dict[str, Any] = {
            "iss": self.issuer,
            "sub": self.subject(official),
            "aud": grant.client_id,
            "iat": now,
            "exp": now + 300,
            "auth_time": grant.auth_time,
            "nonce": grant.nonce,
            "acr": grant.acr,
            "jti": secrets.token_urlsafe(16),
            CLAIM + "orgAffiliation": official.key,
            CLAIM + "authnProvider": AUTHN_PROVIDER,
        }
        released = {
            "name": official.name,
            "given_name": official.given_name,
            "family_name": official.family_name,
            CLAIM + "orgNumber": official.org_number,
            CLAIM + "orgName": official.org_name,
        }
        for name in grant.id_token_claims:
            if name in released:
                claims[name] = released[name]
        fault = grant.fault
        if fault == "expired":
            claims["iat"], claims["exp"] = now - 900, now - 600
        elif fault == "wrong_aud":
            claims["aud"] = "another-client"
        elif fault == "wrong_iss":
            claims["iss"] = "http://127.0.0.1:1/evil"
        elif fault == "wrong_nonce":
            claims["nonce"] = secrets.token_urlsafe(16)
        token = signing.sign(claims, self.stray_key if fault == "unknown_kid" else self.key)
        if fault == "tamper":
            header, _payload, signature = token.split(".")
            changed = dict(claims, acr=loa.LOA4, sub="someone-else")
            token = ".".join([header, _b64(json.dumps(changed).encode()), signature])
        elif fault == "unsigned":
            header = _b64(json.dumps({"alg": "none", "typ": "JWT"}).encode())
            token = f"{header}.{_b64(json.dumps(claims).encode())}."
        elif fault == "malformed":
            token = "this-is.not a.token!"  # noqa: S105 - deliberately broken
        elif fault == "replay" and self.last_id_token is not None:
            token = self.last_id_token
        if fault != "replay":
            with self.lock:
                self.last_id_token = token
        return token


def pairwise_subject(client_id: str, official_key: str) -> str:
    """Pairwise `sub`: stable per official and client, revealing nothing about the person."""
    return core_subject.pairwise(PAIRWISE_SECRET, client_id, official_key)


def _b64(data: bytes) -> str:
    return base64.urlsafe_b64encode(data).rstrip(b"=").decode()


# -- HTTP --------------------------------------------------------------------------------------
PAGE_STYLE = (
    "body{font-family:system-ui,sans-serif;max-width:46rem;margin:2rem auto;padding:0 1rem;"
    "color:#1b1b1b}.warning{background:#fff4d6;border:2px solid #8a5a00;padding:.75rem 1rem}"
    "fieldset{margin:1rem 0;border:1px solid #555}button{font-size:1rem;padding:.5rem 1rem;"
    "background:#0b4f8a;color:#fff;border:0}label{margin-left:.25rem}"
)


def _page(title: str, body: str) -> bytes:
    return (
        '<!doctype html><html lang="sv"><head><meta charset="utf-8">'
        '<meta name="viewport" content="width=device-width, initial-scale=1">'
        f"<title>{html.escape(title)}</title><style>{PAGE_STYLE}</style></head>"
        f"<body><main>{body}</main></body></html>"
    ).encode()


def _radio_group(name: str, legend: str, options: Iterable[tuple[str, str]]) -> str:
    rows = []
    for index, (value, label) in enumerate(options):
        checked = " checked" if index == 0 else ""
        ident = f"{name}-{index}"
        rows.append(
            f'<div><input type="radio" id="{ident}" name="{name}" value="{html.escape(value)}"'
            f'{checked}><label for="{ident}">{html.escape(label)}</label></div>'
        )
    return f"<fieldset><legend>{html.escape(legend)}</legend>{''.join(rows)}</fieldset>"


def login_page(provider: Provider, params: dict[str, str]) -> bytes:
    values, essential = provider.requested_acrs(provider.effective_params(params))
    levels = [uri for uri in OFFERED_LEVELS if not (essential and values) or uri in values]
    if provider.allow_faults or not levels:
        levels = list(OFFERED_LEVELS)
    hidden = "".join(
        f'<input type="hidden" name="{html.escape(k)}" value="{html.escape(v)}">'
        for k, v in params.items()
    )
    officials = [
        (o.key, f"{o.name}, {o.org_name} ({o.org_number})") for o in provider.officials.values()
    ]
    level_options = [(uri, f"{loa.REGISTRY[uri].label} – {uri}") for uri in levels]
    faults = ""
    if provider.allow_faults:
        faults = _radio_group("fault", "Felbeteende (test)", list(FAULTS.items()))
    body = (
        "<h1>Utvecklingsinloggning</h1>"
        '<p class="warning"><strong>Utvecklingsverktyg.</strong> Den här identitetsutfärdaren '
        "finns bara för utveckling och demo. Vem som helst kan logga in som vem som helst. "
        '<span lang="en">Development tool: anyone can log in as anyone.</span></p>'
        f'<form method="post" action="/authorize">{hidden}'
        f"{_radio_group('official', 'Tjänsteperson', officials)}"
        f"{_radio_group('acr', 'Tillitsnivå', level_options)}{faults}"
        '<button type="submit">Logga in</button></form>'
    )
    return _page("Utvecklingsinloggning", body)


class Handler(BaseHTTPRequestHandler):
    provider: Provider
    server_version = "samdrift-dev-idp/1"
    protocol_version = "HTTP/1.1"

    def log_message(self, format: str, *args: Any) -> None:
        pass  # quiet: tests and benchmarks start it many times

    def _send(self, status: int, body: bytes, content_type: str, **headers: str) -> None:
        self.send_response(status)
        self.send_header("Content-Type", content_type)
        self.send_header("Content-Length", str(len(body)))
        for name, value in responses.NO_STORE.items():
            self.send_header(name, value)
        for name, value in headers.items():
            self.send_header(name.replace("_", "-"), value)
        self.end_headers()
        self.wfile.write(body)

    def _json(self, status: int, data: dict[str, Any]) -> None:
        self._send(status, json.dumps(data).encode(), "application/json")

    def _form(self) -> dict[str, str]:
        length = int(self.headers.get("Content-Length") or 0)
        raw = self.rfile.read(length).decode("utf-8", "replace") if length else ""
        return dict(urllib.parse.parse_qsl(raw, keep_blank_values=True))

    def do_GET(self) -> None:
        url = urllib.parse.urlsplit(self.path)
        params = dict(urllib.parse.parse_qsl(url.query, keep_blank_values=True))
        if url.path == "/.well-known/openid-configuration":
            self._json(200, self.provider.discovery())
        elif url.path == "/jwks.json":
            self._json(200, self.provider.jwks())
        elif url.path == "/authorize":
            self._authorize_page(params)
        else:
            self._send(404, _page("Saknas", "<h1>Sidan finns inte</h1>"), "text/html")

    def _authorize_page(self, params: dict[str, str]) -> None:
        problem = self.provider.check_authorization_request(params)
        if problem is not None:
            body = _page("Fel", f"<h1>Felaktig begäran</h1><p>{html.escape(problem)}</p>")
            self._send(400, body, "text/html; charset=utf-8")
            return
        error = self.provider.redirect_error(params)
        if error is not None:
            location = authorization.with_query(
                params["redirect_uri"], {"error": error, "state": params.get("state", "")}
            )
            self._send(302, b"", "text/plain", Location=location)
            return
        self._send(200, login_page(self.provider, params), "text/html; charset=utf-8")

    def do_POST(self) -> None:
        url = urllib.parse.urlsplit(self.path)
        form = self._form()
        if url.path == "/token":
            status, data = self.provider.token(form)
            self._json(status, data)
        elif url.path == "/authorize":
            official, acr, fault = (
                form.pop("official", ""),
                form.pop("acr", ""),
                form.pop("fault", ""),
            )
            problem = self.provider.check_authorization_request(form)
            if problem is not None:
                body = _page("Fel", f"<h1>Felaktig begäran</h1><p>{html.escape(problem)}</p>")
                self._send(400, body, "text/html; charset=utf-8")
                return
            location = self.provider.authorize(form, official, acr, fault)
            self._send(302, b"", "text/plain", Location=location)
        else:
            self._json(404, {"error": "not_found"})


def load_officials(path: str | None) -> list[Official]:
    rows = json.loads(Path(path).read_text(encoding="utf-8")) if path else DEFAULT_OFFICIALS
    return load_officials_rows(rows)


def load_officials_rows(rows: Iterable[dict[str, Any]]) -> list[Official]:
    return [
        Official(
            uid=str(row["uid"]),
            given_name=str(row["given_name"]),
            family_name=str(row["family_name"]),
            org_number="".join(ch for ch in str(row["org_number"]) if ch.isdigit()),
            org_name=str(row["org_name"]),
        )
        for row in rows
    ]


def make_server(
    *,
    host: str,
    port: int,
    officials: list[Official],
    client: Client,
    allow_faults: bool = False,
    issuer: str | None = None,
) -> tuple[ThreadingHTTPServer, Provider]:
    if host not in LOOPBACK_HOSTS:
        raise ValueError("the development identity provider only listens on loopback")
    server = ThreadingHTTPServer((host, port), Handler)
    server.daemon_threads = True
    bound = server.server_address[1]
    provider = Provider(
        issuer=issuer or f"http://{host}:{bound}",
        officials=officials,
        client=client,
        allow_faults=allow_faults,
    )
    handler = type("BoundHandler", (Handler,), {"provider": provider})
    server.RequestHandlerClass = handler
    return server, provider


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(description="samdrift development OpenID provider")
    add_arguments(parser)
    return parser


def add_arguments(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("--host", default="127.0.0.1", help="loopback address only")
    parser.add_argument("--port", type=int, default=8500, help="0 picks a free port")
    parser.add_argument("--issuer", default=None, help="defaults to http://HOST:PORT")
    parser.add_argument("--client-id", default="samdrift")
    parser.add_argument(
        "--redirect-uri",
        action="append",
        default=None,
        help="registered redirect URI (repeatable); default the demo server's callback",
    )
    parser.add_argument(
        "--client-jwks",
        default=None,
        help="the client's public JWKS: a file or a URL (default: samdrift's own key)",
    )
    parser.add_argument("--officials", default=None, help="JSON file with the demo officials")
    parser.add_argument(
        "--allow-faults", action="store_true", help="offer misbehaviours for testing the RP"
    )


def serve(options: argparse.Namespace, officials: list[Official] | None = None) -> None:
    client = Client(
        client_id=options.client_id,
        redirect_uris=options.redirect_uri or list(DEFAULT_REDIRECT_URIS),
        jwks_source=options.client_jwks or "http://127.0.0.1:8000/identity/jwks.json",
    )
    server, provider = make_server(
        host=options.host,
        port=options.port,
        officials=officials if officials is not None else load_officials(options.officials),
        client=client,
        allow_faults=options.allow_faults,
        issuer=options.issuer,
    )
    # The first line is machine-read by tests and the benchmark: keep its shape.
    sys.stdout.write(f"dev-idp listening on {provider.issuer}\n")
    sys.stdout.write("DEVELOPMENT TOOL: anyone can log in as anyone. Never use in production.\n")
    sys.stdout.flush()
    try:
        server.serve_forever()
    except KeyboardInterrupt:
        pass
    finally:
        server.server_close()


def main(argv: list[str] | None = None) -> None:
    serve(build_parser().parse_args(argv))


if __name__ == "__main__":
    main()
