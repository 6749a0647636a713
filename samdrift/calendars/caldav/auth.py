"""Radicale's authentication plug-in: the user name and an app password (ADR 0614), throttled
like every login. No e-ID in a calendar client, so the app password's class reach applies."""

from __future__ import annotations

from typing import Any

from radicale.auth import BaseAuth

from samdrift.accounts.app_passwords import AppPasswordThrottled, app_password_login

from .. import services
from . import context


class Auth(BaseAuth):
    def _login_ext(self, login: str, password: str, auth_context: Any) -> str:
        request = context.state()
        address = str(
            request.environ.get("REMOTE_ADDR") or getattr(auth_context, "remote_addr", "-")
        )
        try:
            found = app_password_login(username=login, secret=password, address=address)
        except AppPasswordThrottled:
            return ""
        if found is None:
            return ""
        request.login = found
        request.principal = login.strip().lower()
        services.ensure_calendars(actor=found.actor)
        return request.principal
