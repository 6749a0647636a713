"""Response headers Django does not set itself (ADR 0037): Permissions-Policy, and a per-page
widening of the CSP `form-action` for forms that end in a redirect elsewhere.

Content-Security-Policy comes from django-csp, HSTS, nosniff, Referrer-Policy and
Cross-Origin-Opener-Policy from Django's SecurityMiddleware; this adds the one they leave out.
"""

from __future__ import annotations

from collections.abc import Callable
from urllib.parse import urlsplit

from django.conf import settings
from django.http import HttpRequest, HttpResponse

# Powerful features samdrift does not use: denied to the page and anything it embeds, except the
# meeting page's camera, microphone and screen (`allow_media`). Only names Chromium knows
# (others are logged as console errors).
DEFAULT_PERMISSIONS_POLICY = dict.fromkeys(
    (
        "accelerometer",
        "camera",
        "display-capture",
        "geolocation",
        "gyroscope",
        "magnetometer",
        "microphone",
        "payment",
        "usb",
    ),
    (),
)


def permissions_policy(policy: dict[str, tuple[str, ...]]) -> str:
    return ", ".join(f"{feature}=({' '.join(allow)})" for feature, allow in policy.items())


class PermissionsPolicyMiddleware:
    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response
        policy = getattr(settings, "SAMDRIFT_PERMISSIONS_POLICY", DEFAULT_PERMISSIONS_POLICY)
        self.header = permissions_policy(policy)

    def __call__(self, request: HttpRequest) -> HttpResponse:
        response = self.get_response(request)
        response.headers.setdefault("Permissions-Policy", self.header)
        # Below CSPMiddleware, so the widening reaches the header it builds on the way out.
        targets = getattr(request, FORM_TARGETS_ATTR, ())
        if targets:
            allow_form_action(response, *targets)
        return response


FORM_TARGETS_ATTR = "_samdrift_form_targets"


def allow_form_target(request: HttpRequest, url: str) -> None:
    """`allow_form_action` for code that has the request but not the response (a template tag
    rendering e-ID login buttons): this response's `form-action` will include the URL's origin."""
    setattr(request, FORM_TARGETS_ATTR, (*getattr(request, FORM_TARGETS_ATTR, ()), url))


def allow_form_action(response: HttpResponse, *urls: str) -> HttpResponse:
    """Let a form on this page end in a redirect to these URLs' origins.

    Chromium checks `form-action` against every redirect after a form post, so a form that posts
    to samdrift and is then sent on to an e-ID provider or an OpenID client's redirect_uri needs
    that origin on the page that holds the form (ADR 0037). Only the origin is added.
    """
    origins = [_origin(url) for url in urls]
    update = dict(getattr(response, "_csp_update", None) or {})
    update["form-action"] = [*update.get("form-action", []), *filter(None, origins)]
    response._csp_update = update  # type: ignore[attr-defined]
    return response


MEDIA_FEATURES = ("camera", "microphone", "display-capture")


def allow_media(response: HttpResponse, media_server: str) -> HttpResponse:
    """A page that meets (ADR 0677): camera, microphone and screen for samdrift's own origin
    (never for anything it embeds), and its script may talk to the media server's origin."""
    policy = dict(getattr(settings, "SAMDRIFT_PERMISSIONS_POLICY", DEFAULT_PERMISSIONS_POLICY))
    policy.update(dict.fromkeys(MEDIA_FEATURES, ("self",)))
    response.headers["Permissions-Policy"] = permissions_policy(policy)
    update = dict(getattr(response, "_csp_update", None) or {})
    update["connect-src"] = [*update.get("connect-src", []), *filter(None, [_origin(media_server)])]
    # A webinar's broadcast plays through Media Source Extensions: a blob: address (ADR 0970).
    update["media-src"] = [*update.get("media-src", ["'self'"]), "blob:"]
    response._csp_update = update  # type: ignore[attr-defined]
    return response


def _origin(url: str) -> str:
    parts = urlsplit(url)
    if parts.scheme not in ("https", "http") or not parts.netloc:
        return ""
    return f"{parts.scheme}://{parts.netloc}"
