"""The profile page (issue 21 item 4, ADR 0706): who am I here — agencies and roles, this
login's level of assurance — and my settings: language and which notifications I get where,
saved through `accounts.services.profile_set` (one transaction, audited) with a confirmation."""

from __future__ import annotations

from typing import Any

from django.conf import settings
from django.contrib import messages
from django.contrib.auth.mixins import LoginRequiredMixin
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect
from django.utils import translation
from django.utils.translation import gettext as _
from django.views.generic import TemplateView

from samdrift.accounts.services import profile_set
from samdrift.core.exceptions import DomainError
from samdrift.core.notifications.selectors import preferences
from samdrift.identity.loa import SWEDISH_URI_FOR_RANK

from .start import role_lines


class ProfileView(LoginRequiredMixin, TemplateView):
    template_name = "ui/profile.html"

    def get_context_data(self, **kwargs: Any) -> dict[str, Any]:
        actor = self.request.actor  # type: ignore[attr-defined]
        return {
            **super().get_context_data(**kwargs),
            "nav": "profile",
            "roles": role_lines(actor),
            "loa_rank": actor.loa_rank,
            "loa_uri": SWEDISH_URI_FOR_RANK.get(actor.loa_rank, ""),
            "preferences": preferences(actor=actor),
            "languages": settings.LANGUAGES,
            **kwargs,
        }

    def post(self, request: HttpRequest) -> HttpResponse:
        language = request.POST.get("language", "")
        try:
            profile_set(
                actor=request.actor,  # type: ignore[attr-defined]
                language=language,
                email=request.POST.getlist("email"),
                in_app=request.POST.getlist("in_app"),
            )
        except DomainError as error:
            context = self.get_context_data(error=str(error))
            return self.render_to_response(context, status=422)
        with translation.override(language):
            messages.success(
                request,
                _("Your settings are saved: the site and your messages are in %(language)s.")
                % {"language": translation.get_language_info(language)["name_local"]},
            )
        response = redirect("ui:profile")
        response.set_cookie(
            settings.LANGUAGE_COOKIE_NAME,
            language,
            max_age=settings.LANGUAGE_COOKIE_AGE,
            secure=settings.LANGUAGE_COOKIE_SECURE,
            httponly=settings.LANGUAGE_COOKIE_HTTPONLY,
            samesite=settings.LANGUAGE_COOKIE_SAMESITE,
        )
        return response
