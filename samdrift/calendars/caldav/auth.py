"""Radicale's authentication plug-in: the user name and an app password (ADR 0614), throttled
like every login. No e-ID in a calendar client, so the app password's class reach applies."""

from __future__ import annotations

import base64
import binascii
from typing import Any

from radicale.auth import BaseAuth

from samdrift.accounts.app_passwords import AppPasswordThrottled, app_password_login

from .. import services
from . import context


def log_in(login: str, password: str, address: str) -> str:
    """The principal's name when `password` is a live app password of `login` (the request's
    state then carries the login), else ""."""
    request = context.state()
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


def log_in_from_header(environ: dict[str, Any]) -> str:
    """The same for a request samdrift answers itself (the scheduling mailboxes, ADR 0648):
    HTTP Basic as Radicale reads it."""
    header = str(environ.get("HTTP_AUTHORIZATION") or "")
    scheme, _, encoded = header.partition(" ")
    if scheme.lower() != "basic":
        return ""
    try:
        login, _, password = base64.b64decode(encoded.strip()).decode("utf-8").partition(":")
    except (binascii.Error, UnicodeDecodeError):
        return ""
    return log_in(login, password, str(environ.get("REMOTE_ADDR") or "-"))


class Auth(BaseAuth):
    def _login_ext(self, login: str, password: str, auth_context: Any) -> str:
        address = str(
            context.state().environ.get("REMOTE_ADDR") or getattr(auth_context, "remote_addr", "-")
        )
        return log_in(login, password, address)
