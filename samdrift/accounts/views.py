"""Login and logout. Local password login is for development and the demo only (ADR 0003)."""

from __future__ import annotations

from django.conf import settings
from django.contrib.auth import views as auth_views
from django.http import Http404, HttpRequest, HttpResponseBase


class LocalLoginView(auth_views.LoginView):
    template_name = "accounts/login.html"
    redirect_authenticated_user = True

    def dispatch(self, request: HttpRequest, *args: object, **kwargs: object) -> HttpResponseBase:
        if not settings.SAMDRIFT_LOCAL_LOGIN:
            raise Http404("local login is off")
        return super().dispatch(request, *args, **kwargs)


class LogoutView(auth_views.LogoutView):
    pass
