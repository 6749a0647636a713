"""Thin pages for e-ID login: choose a provider, go there, come back, step up, ask for access."""

from __future__ import annotations

import dataclasses
from typing import Any

from django.conf import settings
from django.contrib.auth import login
from django.contrib.auth.mixins import LoginRequiredMixin
from django.http import Http404, HttpRequest, HttpResponse, HttpResponseRedirect, JsonResponse
from django.shortcuts import render
from django.urls import reverse
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.translation import gettext_lazy as _
from django.views import View

from samdrift.core.exceptions import NotFound, ValidationFailed
from samdrift.core.paging import paginate

from . import loa, oidc
from .forms import AccessRequestForm, LoginStartForm
from .oidc import LoginRefused, OfficialClaims
from .selectors import access_request_list, provider_for_login, provider_list
from .services import (
    AgencyUnknown,
    access_request_submit,
    login_begin,
    login_callback,
)
from .stepup import (
    MAX_PENDING_STATES,
    PENDING_KEY,
    STATES_KEY,
    ensure_loa,
    remember_login,
    session_login,
    session_rank,
)

#: Without a declared need, a login asks for level 2 (the lowest certified Swedish level).
DEFAULT_LEVEL = 2


def _level(raw: Any) -> int:
    try:
        value = int(raw)
    except (TypeError, ValueError):
        return DEFAULT_LEVEL
    return value if loa.MIN_RANK <= value <= loa.MAX_RANK else DEFAULT_LEVEL


def _safe_next(request: HttpRequest, raw: str | None) -> str:
    if raw and url_has_allowed_host_and_scheme(
        raw, allowed_hosts={request.get_host()}, require_https=request.is_secure()
    ):
        return raw
    return reverse(settings.LOGIN_REDIRECT_URL)


def redirect_uri(request: HttpRequest) -> str:
    configured = getattr(settings, "SAMDRIFT_IDENTITY_REDIRECT_URI", "")
    return configured or request.build_absolute_uri(reverse("identity:callback"))


def _level_label(level: int) -> str:
    return loa.REGISTRY[loa.SWEDISH_URI_FOR_RANK[level]].label


class LoginChoicesView(View):
    """The e-ID providers an official can log in through."""

    def get(self, request: HttpRequest) -> HttpResponse:
        level = _level(request.GET.get("level"))
        return render(
            request,
            "identity/login_choices.html",
            {"level": level, "next": _safe_next(request, request.GET.get("next"))},
        )


class LoginStartView(View):
    """Open a login transaction and send the browser to the provider."""

    def post(self, request: HttpRequest, slug: str) -> HttpResponse:
        try:
            provider = provider_for_login(slug=slug)
        except NotFound:
            raise Http404 from None
        form = LoginStartForm(request.POST)
        if not form.is_valid():
            # A level outside 1–4 is never silently replaced by another one.
            return render(
                request,
                "identity/login_refused.html",
                {"message": _("The level of assurance must be 1–4."), "code": "invalid_level"},
                status=422,
            )
        level = form.cleaned_data["level"] or DEFAULT_LEVEL
        next_url = _safe_next(request, form.cleaned_data["next"])
        pending = login_begin(
            provider=provider,
            min_rank=level,
            next_url=next_url,
            step_up_user=request.user if request.user.is_authenticated else None,
        )
        states = [*request.session.get(STATES_KEY, []), pending.state][-MAX_PENDING_STATES:]
        request.session[STATES_KEY] = states
        try:
            url = oidc.authorization_url(
                provider,
                state=pending.state,
                nonce=pending.nonce,
                code_verifier=pending.code_verifier,
                min_rank=level,
                redirect_uri=redirect_uri(request),
                ui_locales=f"{request.LANGUAGE_CODE} {'en' if request.LANGUAGE_CODE == 'sv' else 'sv'}",
            )
        except LoginRefused as refused:
            return _refused_page(request, refused, status=502)
        return HttpResponseRedirect(url)


def _refused_page(request: HttpRequest, refused: LoginRefused, status: int = 403) -> HttpResponse:
    return render(
        request,
        "identity/login_refused.html",
        {"message": refused.message, "code": refused.code},
        status=status,
    )


class CallbackView(View):
    """Where the provider sends the official back: verify everything, then log them in."""

    def get(self, request: HttpRequest) -> HttpResponse:
        states = list(request.session.get(STATES_KEY, []))
        try:
            result = login_callback(
                params={key: request.GET.get(key, "") for key in ("state", "code", "error")},
                session_states=states,
                redirect_uri=redirect_uri(request),
                actor=request.actor,  # type: ignore[attr-defined]
            )
        except AgencyUnknown as unknown:
            request.session[PENDING_KEY] = {
                "provider": unknown.provider.slug,
                "claims": dataclasses.asdict(unknown.claims),
            }
            return HttpResponseRedirect(reverse("identity:access_request"))
        except LoginRefused as refused:
            return _refused_page(request, refused)
        finally:
            state = request.GET.get("state", "")
            if state in states:
                request.session[STATES_KEY] = [s for s in states if s != state]
        login(request, result.user, backend="django.contrib.auth.backends.ModelBackend")
        remember_login(
            request,
            acr=result.claims.acr,
            rank=result.rank,
            provider=result.provider.slug,
            auth_time=result.claims.auth_time,
        )
        return HttpResponseRedirect(_safe_next(request, result.next_url))


class StepUpView(LoginRequiredMixin, View):
    """The page a logged-in official lands on when they need a higher level."""

    def get(self, request: HttpRequest) -> HttpResponse:
        level = _level(request.GET.get("level"))
        next_url = _safe_next(request, request.GET.get("next"))
        if session_rank(request) >= level:
            return HttpResponseRedirect(next_url)
        return render(
            request,
            "identity/step_up.html",
            {
                "level": level,
                "level_label": _level_label(level),
                "current_rank": session_rank(request),
                "next": next_url,
            },
        )


class SessionView(LoginRequiredMixin, View):
    """How the official is logged in: provider, level and when."""

    def get(self, request: HttpRequest) -> HttpResponse:
        data = session_login(request)
        rank = session_rank(request)
        found = loa.level(data.get("acr")) if rank else None
        return render(
            request,
            "identity/session.html",
            {
                "login": data if rank else {},
                "rank": rank,
                "level": found,
                "higher_levels": list(range(max(rank + 1, 2), loa.MAX_RANK + 1)),
            },
        )


def _pending(request: HttpRequest) -> tuple[Any, OfficialClaims] | None:
    data = request.session.get(PENDING_KEY)
    if not isinstance(data, dict):
        return None
    try:
        provider = provider_for_login(slug=str(data["provider"]))
        claims = OfficialClaims(**data["claims"])
    except (NotFound, KeyError, TypeError):
        return None
    return provider, claims


class AccessRequestView(View):
    """An official whose agency samdrift does not know asks for access (no agency is created)."""

    def get(self, request: HttpRequest) -> HttpResponse:
        pending = _pending(request)
        if pending is None:
            raise Http404
        return self._render(request, pending[1], AccessRequestForm())

    def post(self, request: HttpRequest) -> HttpResponse:
        pending = _pending(request)
        if pending is None:
            raise Http404
        provider, claims = pending
        form = AccessRequestForm(request.POST)
        if not form.is_valid():
            return self._render(request, claims, form, status=422)
        try:
            access_request_submit(
                provider=provider,
                claims=claims,
                email=form.cleaned_data["email"],
                message=form.cleaned_data["message"],
            )
        except ValidationFailed as failed:
            form.add_error(None, str(failed))
            return self._render(request, claims, form, status=422)
        del request.session[PENDING_KEY]
        return render(request, "identity/access_request_done.html", {"claims": claims})

    def _render(
        self,
        request: HttpRequest,
        claims: OfficialClaims,
        form: AccessRequestForm,
        status: int = 200,
    ) -> HttpResponse:
        return render(
            request, "identity/access_request.html", {"claims": claims, "form": form}, status=status
        )


class AccessRequestListView(LoginRequiredMixin, View):
    def get(self, request: HttpRequest) -> HttpResponse:
        try:
            requests_ = access_request_list(actor=request.actor)  # type: ignore[attr-defined]
        except NotFound:
            raise Http404 from None
        paged = paginate(requests_, params=request.GET)
        return render(
            request, "identity/access_request_list.html", paged.context("access_requests")
        )


class ProviderListView(LoginRequiredMixin, View):
    """The trusted identity providers. Trust settings are sensitive: the page needs level 3
    (checked after the role, so nobody is asked to step up for a page they may not see)."""

    required_loa = 3

    def get(self, request: HttpRequest) -> HttpResponse:
        try:
            providers = list(provider_list(actor=request.actor))  # type: ignore[attr-defined]
        except NotFound:
            raise Http404 from None
        step_up = ensure_loa(request, self.required_loa)
        if step_up is not None:
            return step_up
        rows = [
            {
                "provider": provider,
                "accepted": [
                    loa.REGISTRY[uri] for uri in loa.acceptable_uris(2, **provider.policy())
                ],
            }
            for provider in providers
        ]
        return render(request, "identity/provider_list.html", {"rows": rows})


class JwksView(View):
    """Our public key, so providers can verify our `private_key_jwt` client assertions."""

    def get(self, request: HttpRequest) -> HttpResponse:
        return JsonResponse(oidc.rp_jwks())
