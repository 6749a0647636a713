"""`{% identity_login_choices %}`: the e-ID login buttons, for any login page."""

from __future__ import annotations

from typing import Any

from django import template

from samdrift.core.headers import allow_form_target
from samdrift.identity.selectors import provider_login_list

register = template.Library()


@register.inclusion_tag("identity/_login_choices.html", takes_context=True)
def identity_login_choices(
    context: template.Context, level: int | str = "", next: str = ""
) -> dict[str, Any]:
    request = context.get("request")
    target = next or (context.get("next") or "") or (request.GET.get("next", "") if request else "")
    providers = list(provider_login_list())
    if request is not None:
        # Each button posts here and is redirected to the provider: Chromium checks form-action
        # on that redirect, so this page allows each provider's origin (its issuer's; ADR 0037).
        for provider in providers:
            allow_form_target(request, provider.issuer)
    return {
        "identity_providers": providers,
        "level": level,
        "next": target,
        "csrf_token": context.get("csrf_token"),
    }
