"""The inbox and the preferences page. POST forms that work without JavaScript; each POST
redirects back (so a reload never repeats it)."""

from __future__ import annotations

from typing import Any

from django.contrib import messages
from django.contrib.auth.mixins import LoginRequiredMixin
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect
from django.utils.translation import gettext as _
from django.utils.translation import ngettext
from django.views.generic import TemplateView

from samdrift.core.exceptions import DomainError
from samdrift.core.paging import paginate
from samdrift.core.views import DomainErrorMixin

from . import services
from .selectors import inbox, preferences, unread_count


def _actor(request: HttpRequest) -> Any:
    return request.actor  # type: ignore[attr-defined]


class InboxView(LoginRequiredMixin, DomainErrorMixin, TemplateView):
    template_name = "notifications/inbox.html"

    def get_context_data(self, **kwargs: Any) -> dict[str, Any]:
        actor = _actor(self.request)
        unread_only = self.request.GET.get("show") == "unread"
        paged = paginate(inbox(actor=actor, unread_only=unread_only), params=self.request.GET)
        return {
            **super().get_context_data(**kwargs),
            "nav": "inbox",
            **paged.context("items"),
            "unread_only": unread_only,
            "unread": unread_count(actor=actor),
        }

    def post(self, request: HttpRequest) -> HttpResponse:
        actor = _actor(request)
        if request.POST.get("all"):
            count = services.mark_all_read(actor=actor)
            messages.success(
                request,
                ngettext(
                    "%(count)d message marked as read.", "%(count)d messages marked as read.", count
                )
                % {"count": count},
            )
        else:
            try:
                services.mark_read(actor=actor, notification_id=int(request.POST.get("read", "")))
            except ValueError:
                messages.error(request, _("Choose a message to mark as read."))
            else:
                messages.success(request, _("The message is marked as read."))
        return redirect(request.get_full_path())


class PreferencesView(LoginRequiredMixin, DomainErrorMixin, TemplateView):
    template_name = "notifications/preferences.html"

    def get_context_data(self, **kwargs: Any) -> dict[str, Any]:
        return {
            **super().get_context_data(**kwargs),
            "nav": "inbox",
            "preferences": preferences(actor=_actor(self.request)),
            **kwargs,
        }

    def post(self, request: HttpRequest) -> HttpResponse:
        try:
            services.preferences_set(
                actor=_actor(request),
                language=request.POST.get("language", ""),
                email=request.POST.getlist("email"),
                in_app=request.POST.getlist("in_app"),
            )
        except DomainError as error:
            return self.render_to_response(self.get_context_data(error=str(error)), status=422)
        messages.success(request, _("Your notification settings are saved."))
        return redirect("notifications:preferences")
