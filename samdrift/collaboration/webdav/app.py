"""The WebDAV application at `/dav/` and its mount in the ASGI application (ADRs 0613, 0616).

WsgiDAV is a WSGI application; a2wsgi runs it in a thread pool under uvicorn and streams request
and response bodies both ways with back-pressure (asgiref's WsgiToAsgi would read every request
body whole into a spooled file first). Authentication is HTTP Basic with the user name and an
app password (`accounts.app_passwords`), checked on every request and throttled like the login.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Iterator
from typing import Any

from a2wsgi import WSGIMiddleware
from django.db import close_old_connections
from wsgidav.dc.base_dc import BaseDomainController
from wsgidav.error_printer import ErrorPrinter
from wsgidav.http_authenticator import HTTPAuthenticator
from wsgidav.request_resolver import RequestResolver
from wsgidav.wsgidav_app import WsgiDAVApp

from samdrift.accounts.app_passwords import AppPasswordThrottled, app_password_login
from samdrift.audit.context import serving

from .locks import DatabaseLockStorage, request_scope
from .provider import LOGIN_KEY, SafosProvider

MOUNT = "/dav"
REALM = "SAFOS"


class AppPasswordDomainController(BaseDomainController):
    """HTTP Basic only (a digest would need the password in clear on the server), one realm."""

    def __init__(self, wsgidav_app: Any, config: dict[str, Any]) -> None:
        super().__init__(wsgidav_app, config)

    def get_domain_realm(self, path_info: str, environ: dict[str, Any]) -> str:
        return REALM

    def require_authentication(self, realm: str, environ: dict[str, Any]) -> bool:
        return True

    def supports_http_digest_auth(self) -> bool:
        return False

    def basic_auth_user(
        self, realm: str, user_name: str, password: str, environ: dict[str, Any]
    ) -> bool:
        try:
            login = app_password_login(
                username=user_name,
                secret=password,
                address=str(environ.get("REMOTE_ADDR") or "-"),
            )
        except AppPasswordThrottled:
            return False
        if login is None:
            return False
        environ[LOGIN_KEY] = login
        return True

    def digest_auth_user(self, realm: str, user_name: str, environ: dict[str, Any]) -> bool:
        return False


def _config() -> dict[str, Any]:
    provider = SafosProvider()
    return {
        "provider_mapping": {"/": provider},
        "mount_path": MOUNT,
        "http_authenticator": {
            "domain_controller": AppPasswordDomainController,
            "accept_basic": True,
            "accept_digest": False,
            "default_to_digest": False,
            "trusted_auth_header": None,
        },
        "middleware_stack": [ErrorPrinter, HTTPAuthenticator, RequestResolver],
        # DAV class 2: a LOCK on a document is its check-out, kept in the database so that every
        # worker process sees it (ADR 0687); a document checked out on the web is 423 (ADR 0615).
        "lock_storage": DatabaseLockStorage(provider),
        "property_manager": None,
        "dir_browser": {"enable": False},
        "verbose": 1,
        "logging": {"enable": False},
        "block_size": 1024 * 1024,
    }


#: On every WebDAV answer, as the kernel's downloads have them (Django's middleware does not run
#: here): a stored file is never rendered as a page of this site, nor cached by a proxy.
HEADERS = [
    ("X-Content-Type-Options", "nosniff"),
    ("Content-Security-Policy", "default-src 'none'; sandbox"),
    ("Cache-Control", "private, no-cache"),
    ("Referrer-Policy", "no-referrer"),
]


def _hardened(start_response: Any) -> Any:
    def start(status: str, headers: list[tuple[str, str]], exc_info: Any = None) -> Any:
        taken = {name.lower() for name, _value in headers}
        extra = [(name, value) for name, value in HEADERS if name.lower() not in taken]
        return start_response(status, [*headers, *extra], exc_info)

    return start


def dav_wsgi_application(*, own_connections: bool = True) -> Callable[..., Iterable[bytes]]:
    """`own_connections=False` leaves the database connection alone (the security matrix calls
    the application inside its test transaction)."""
    dav = WsgiDAVApp(_config())
    tidy = close_old_connections if own_connections else (lambda: None)

    def application(environ: dict[str, Any], start_response: Any) -> Iterator[bytes]:
        """Django's database connections are opened and closed per request here, as Django's
        own handler does on its request signals (WsgiDAV runs outside that handler)."""
        path = environ.get("PATH_INFO", "")
        if path.startswith(MOUNT):  # WsgiDAV resolves below its mount path
            environ["SCRIPT_NAME"] = environ.get("SCRIPT_NAME", "") + MOUNT
            environ["PATH_INFO"] = path[len(MOUNT) :] or "/"
        tidy()
        try:
            with serving(str(environ.get("REMOTE_ADDR") or "-")), request_scope(environ):
                body = dav(environ, _hardened(start_response))
                try:
                    yield from body
                finally:
                    close = getattr(body, "close", None)
                    if callable(close):
                        close()
        finally:
            tidy()

    return application


def mount_dav(django_app: Any, *, workers: int = 10) -> Any:
    """An ASGI application that sends `/dav` and `/dav/…` to WebDAV and the rest to Django."""
    dav = WSGIMiddleware(dav_wsgi_application(), workers=workers)

    async def application(scope: dict[str, Any], receive: Any, send: Any) -> None:
        path = scope.get("path", "")
        if scope["type"] == "http" and (path == MOUNT or path.startswith(MOUNT + "/")):
            await dav(scope, receive, send)  # type: ignore[arg-type]
            return
        await django_app(scope, receive, send)

    return application
