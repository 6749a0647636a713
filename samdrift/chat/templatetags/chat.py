"""`{% load chat %}`: what chat shows on other apps' pages (collaboration's workspace list and
workspace page), which may not import chat (it is on a higher floor, ADR 0045) but name its tags.

    {% chat_unread_counts workspaces as chat_counts %}   {# once, for every workspace shown #}
    {% chat_unread chat_counts w.pk link=True %}          {# "3 unread", or nothing #}

The rule (who reads which room, what is unread) is chat's (`conversation.unread_counts`); the tags
only fetch and draw it. One request to the homeserver for the whole page, none when chat is off or
no room is the person's to read.
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

from django import template

from samdrift.chat import conversation

register = template.Library()


@register.simple_tag(takes_context=True)
def chat_unread_counts(context: template.Context, *shown: Any) -> dict[int, int]:
    """Workspace id -> unread messages in its chat, for the workspaces given (one workspace,
    or a list of them, as the page's selectors read them for this person)."""
    request = context.get("request")
    actor = getattr(request, "actor", None)
    if actor is None:
        return {}
    workspaces: list[Any] = []
    for item in shown:
        if isinstance(item, Iterable) and not isinstance(item, str):
            workspaces.extend(item)
        elif item is not None and item != "":
            workspaces.append(item)
    return conversation.unread_counts(actor=actor, workspaces=workspaces)


@register.inclusion_tag("chat/_unread.html")
def chat_unread(
    counts: dict[int, int] | None, workspace_id: int, link: bool = False
) -> dict[str, Any]:
    """The count as words ("3 unread"; nothing when none or not known), a link to the room's
    conversation with `link` (a list of workspaces), else plain text (inside the Chat link)."""
    return {
        "count": (counts or {}).get(workspace_id, 0),
        "workspace_id": workspace_id,
        "link": link,
    }
