"""HTTP face of the OpenID provider; the rules live in `samdrift.efos.oidc.provider` and the
shared OIDC core. Every view works out the issuer from the request (`conf.issuer(request)`):
the configured base URL, or in development the address it was served at."""

from __future__ import annotations

import secrets

from django.http import HttpRequest, HttpResponse, HttpResponseRedirect, JsonResponse
from django.middleware.csrf import CsrfViewMiddleware
from django.shortcuts import render
from django.views.decorators.cache import never_cache
from django.views.decorators.csrf import csrf_exempt
from django.views.decorators.http import require_GET, require_http_methods

from samdrift.core.headers import allow_form_action
from samdrift.core.oidc import django_responses
from samdrift.efos import conf
from samdrift.efos.oidc import provider
from samdrift.efos.oidc.provider import AuthorizationError, TokenError

PENDING = "efos_pending_authorizations"


@require_GET
def discovery(request: HttpRequest) -> JsonResponse:
    return JsonResponse(provider.discovery(conf.issuer(request)))


@require_GET
def jwks(request: HttpRequest) -> JsonResponse:
    return JsonResponse(provider.jwks())


def _error_page(request: HttpRequest, error: AuthorizationError, status: int = 400) -> HttpResponse:
    return render(request, "efos/op_error.html", {"error": error}, status=status)


def _csrf_refusal(request: HttpRequest) -> HttpResponse | None:
    """The consent form's CSRF check (the authorization endpoint itself is exempt)."""
    return CsrfViewMiddleware(lambda _request: HttpResponse()).process_view(
        request, _confirm, (), {}
    )


@csrf_exempt  # OIDC Core §3.1.2.1: GET and POST; a relying party's form has no token of ours
@never_cache
@require_http_methods(["GET", "POST"])
def authorize(request: HttpRequest) -> HttpResponse:
    """GET (or form POST) of an authorization request. Consent is asked only when there is a sign
    message to show; a plain login completes at once because presenting the certificate *is* the
    authentication (and happens anew on every TLS handshake). The consent answer is posted here
    too and keeps its CSRF protection."""
    issuer = conf.issuer(request)
    source = request.GET if request.method == "GET" else request.POST
    params = {key: str(source.get(key, "")) for key in source}
    if request.method == "POST" and "pending" in params:
        refused = _csrf_refusal(request)
        return refused if refused is not None else _confirm(request, params, issuer)
    try:
        auth_request = provider.parse_authorization_request(params, issuer=issuer)
    except AuthorizationError as exc:
        provider.refuse(provider.ANONYMOUS, "authorize", exc, error=exc.error)
        return HttpResponseRedirect(exc.location()) if exc.redirect else _error_page(request, exc)
    try:
        who = provider.authenticate_certificate(provider.certificate_from_proxy(request.META))
    except AuthorizationError as exc:
        provider.refuse(provider.ANONYMOUS, "authenticate", exc, error=exc.error)
        exc.state, exc.redirect_uri = auth_request.state, auth_request.redirect_uri
        exc.issuer = issuer
        if "none" in auth_request.prompt or exc.error != "login_required":
            return HttpResponseRedirect(exc.location())
        return _error_page(request, exc, status=401)
    if auth_request.sign_message or auth_request.user_message or "consent" in auth_request.prompt:
        pending_id = secrets.token_urlsafe(16)
        pending = request.session.get(PENDING, {})
        pending = dict(list(pending.items())[-4:])  # keep the session small
        pending[pending_id] = auth_request.raw
        request.session[PENDING] = pending
        page = render(
            request,
            "efos/op_consent.html",
            {
                "auth_request": auth_request,
                "official": who.official,
                "pending_id": pending_id,
            },
        )
        # The consent form posts here and is redirected to the client: Chromium checks
        # form-action on that redirect, so the page allows the (exactly registered) redirect URI.
        return allow_form_action(page, auth_request.redirect_uri)
    code = provider.issue_code(auth_request, who)
    return HttpResponseRedirect(provider.success_location(auth_request, code, issuer=issuer))


def _confirm(request: HttpRequest, params: dict[str, str], issuer: str) -> HttpResponse:
    pending = request.session.get(PENDING, {})
    raw = pending.pop(params.get("pending", ""), None)
    request.session[PENDING] = pending
    if raw is None:
        return _error_page(
            request,
            AuthorizationError("invalid_request", "The request has expired.", redirect=False),
        )
    try:
        auth_request = provider.parse_authorization_request(raw, issuer=issuer)
        who = provider.authenticate_certificate(provider.certificate_from_proxy(request.META))
    except AuthorizationError as exc:
        provider.refuse(provider.ANONYMOUS, "authorize", exc, error=exc.error)
        return _error_page(request, exc)
    if params.get("decision") != "approve":
        error = AuthorizationError(
            "access_denied",
            "The official declined.",
            state=auth_request.state,
            redirect_uri=auth_request.redirect_uri,
            issuer=issuer,
        )
        return HttpResponseRedirect(error.location())
    code = provider.issue_code(auth_request, who)
    return HttpResponseRedirect(provider.success_location(auth_request, code, issuer=issuer))


@csrf_exempt
@require_http_methods(["POST"])
def token(request: HttpRequest) -> JsonResponse:
    form = {key: str(request.POST.get(key, "")) for key in request.POST}
    try:
        body = provider.exchange_code(form, issuer=conf.issuer(request))
    except TokenError as exc:
        return django_responses.token_error(exc.error, exc.description, exc.status)
    return django_responses.token_response(body)


@csrf_exempt
@require_http_methods(["GET", "POST"])
def userinfo(request: HttpRequest) -> HttpResponse:
    header = request.META.get("HTTP_AUTHORIZATION", "")
    if not header.startswith("Bearer ") or not header.removeprefix("Bearer ").strip():
        # RFC 6750 §3.1: no credentials at all → a challenge without an error code.
        return django_responses.bearer_error(description="A bearer token is required.")
    try:
        signed = provider.userinfo(
            header.removeprefix("Bearer ").strip(), issuer=conf.issuer(request)
        )
    except TokenError as exc:
        return django_responses.bearer_error(exc.error, exc.description)
    return django_responses.no_store(HttpResponse(signed, content_type="application/jwt"))
