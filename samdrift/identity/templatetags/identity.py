"""`{% identity_login_choices %}`: the e-ID login buttons, for any login page."""

from __future__ import annotations

from typing import Any

from django import template

from samdrift.identity.selectors import provider_login_list

register = template.Library()


@register.inclusion_tag("identity/_login_choices.html", takes_context=True)
def identity_login_choices(
    context: template.Context, level: int | str = "", next: str = ""
) -> dict[str, Any]:
    request = context.get("request")
    target = next or (context.get("next") or "") or (request.GET.get("next", "") if request else "")
    return {
        "identity_providers": list(provider_login_list()),
        "level": level,
        "next": target,
        "csrf_token": context.get("csrf_token"),
    }
