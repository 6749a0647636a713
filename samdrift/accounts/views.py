"""Login and logout. Local password login is for development and the demo only (ADR 0003)."""

from __future__ import annotations

import datetime
import math
from typing import Any

from django.conf import settings
from django.contrib import messages
from django.contrib.auth import views as auth_views
from django.contrib.auth.mixins import LoginRequiredMixin
from django.http import Http404, HttpRequest, HttpResponse, HttpResponseBase
from django.shortcuts import redirect
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.generic import TemplateView

from samdrift.audit.services import record_security_event
from samdrift.core import throttle
from samdrift.core.exceptions import DomainError

from . import app_passwords
from .selectors import own_tokens
from .services import token_create, token_revoke

THROTTLED = gettext_lazy(
    "Too many failed login attempts. Wait %(minutes)s minutes, then try again."
)


def throttled_message(seconds: int) -> str:
    """In the page's language; the API gives both (accounts.api_auth)."""
    return str(THROTTLED) % {"minutes": math.ceil(seconds / 60)}


class LocalLoginView(auth_views.LoginView):
    template_name = "accounts/login.html"
    redirect_authenticated_user = True

    def dispatch(self, request: HttpRequest, *args: object, **kwargs: object) -> HttpResponseBase:
        if not settings.SAMDRIFT_LOCAL_LOGIN:
            raise Http404("local login is off")
        return super().dispatch(request, *args, **kwargs)

    def post(self, request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponse:
        """Throttled per account name and per address (ADR 0038); the same answer whether the
        name exists or not, and the right password does not get past a block."""
        username = request.POST.get("username", "")
        address = str(request.META.get("REMOTE_ADDR") or "-")
        wait = throttle.attempt(username=username, address=address)
        if wait:
            record_security_event("login_throttled", {"seconds": wait})
            # Unbound: the password is not checked at all, only the block is reported.
            form = self.get_form_class()(request, initial={"username": username})
            form.cleaned_data = {}
            form.add_error(None, throttled_message(wait))
            return self.render_to_response(self.get_context_data(form=form), status=429)
        response = super().post(request, *args, **kwargs)
        if request.user.is_authenticated:
            throttle.succeeded(username=username, address=address)
        else:
            record_security_event("login_failed")
        return response


class LogoutView(auth_views.LogoutView):
    """Logs out and tells the browser to forget what samdrift kept in it: the offline copies of
    live documents (IndexedDB, ADR 0685) must not outlive the session on a shared computer."""

    def post(self, request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponse:
        response = super().post(request, *args, **kwargs)
        response["Clear-Site-Data"] = '"cache", "storage"'
        return response


class _SecretView(LoginRequiredMixin, TemplateView):
    """A page of a person's own secrets: create (the secret is shown once), list, revoke."""

    revoked_message = gettext_lazy("The token is revoked.")
    url_name = "accounts:tokens"

    def secrets(self, actor: Any) -> list[Any]:
        raise NotImplementedError

    def create(self, actor: Any, expires_at: datetime.datetime | None) -> str:
        raise NotImplementedError

    def revoke(self, actor: Any, secret_id: int) -> None:
        raise NotImplementedError

    def get_context_data(self, **kwargs: Any) -> dict[str, Any]:
        actor = self.request.actor  # type: ignore[attr-defined]
        return {**super().get_context_data(**kwargs), "tokens": self.secrets(actor), **kwargs}

    def post(self, request: HttpRequest) -> HttpResponse:
        actor = request.actor  # type: ignore[attr-defined]
        try:
            if request.POST.get("revoke"):
                self.revoke(actor, int(request.POST["revoke"]))
                messages.success(request, str(self.revoked_message))
                return redirect(self.url_name)
            expires = request.POST.get("expires", "").strip()
            expires_at = (
                datetime.datetime.combine(
                    datetime.date.fromisoformat(expires),
                    datetime.time(23, 59),
                    tzinfo=timezone.get_current_timezone(),
                )
                if expires
                else None
            )
            secret = self.create(actor, expires_at)
        except ValueError:
            return self.render_to_response(
                self.get_context_data(error=_("Write the date as YYYY-MM-DD."))
            )
        except DomainError as error:
            return self.render_to_response(self.get_context_data(error=str(error)))
        return self.render_to_response(self.get_context_data(secret=secret))


class TokenView(_SecretView):
    """Personal API tokens."""

    template_name = "accounts/tokens.html"

    def secrets(self, actor: Any) -> list[Any]:
        return own_tokens(actor)

    def create(self, actor: Any, expires_at: datetime.datetime | None) -> str:
        _token, secret = token_create(
            actor=actor, name=self.request.POST.get("name", ""), expires_at=expires_at
        )
        return secret

    def revoke(self, actor: Any, secret_id: int) -> None:
        token_revoke(actor=actor, token_id=secret_id)


class AppPasswordView(_SecretView):
    """App passwords for desktop programs (WebDAV, ADR 0613): limited to a highest class that
    this login's level reaches (ADR 0614)."""

    template_name = "accounts/app_passwords.html"
    revoked_message = gettext_lazy("The app password is revoked.")
    url_name = "accounts:app_passwords"

    def get_context_data(self, **kwargs: Any) -> dict[str, Any]:
        actor = self.request.actor  # type: ignore[attr-defined]
        reachable = app_passwords.reachable_classes(actor.loa_rank)
        return {**super().get_context_data(**kwargs), "classes": reachable}

    def secrets(self, actor: Any) -> list[Any]:
        return app_passwords.own_app_passwords(actor)

    def create(self, actor: Any, expires_at: datetime.datetime | None) -> str:
        _row, secret = app_passwords.app_password_create(
            actor=actor,
            name=self.request.POST.get("name", ""),
            max_class=self.request.POST.get("max_class", ""),
            expires_at=expires_at,
        )
        return secret

    def revoke(self, actor: Any, secret_id: int) -> None:
        app_passwords.app_password_revoke(actor=actor, password_id=secret_id)
