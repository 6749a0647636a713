"""The actor of a WebSocket connection, built as `ActorMiddleware` builds it for a request.

It lives in config (the composition root) because the actor comes from accounts, which the live
consumer in core must not import. The session is read afresh each time, so a logout or a
changed membership counts for the next subscription, as it would for the next page load.
"""

from __future__ import annotations

from importlib import import_module
from typing import Any

from django.conf import settings
from django.contrib.auth import get_user
from django.http import HttpRequest

from samdrift.accounts.middleware import session_loa_rank
from samdrift.accounts.models import User
from samdrift.accounts.selectors import actor_for_user
from samdrift.core.actor import ANONYMOUS, Actor


def actor_for_scope(scope: dict[str, Any]) -> Actor:
    session = scope.get("session")
    key = getattr(session, "session_key", None)
    if not key:
        return ANONYMOUS
    request = HttpRequest()
    request.session = import_module(settings.SESSION_ENGINE).SessionStore(key)
    user = get_user(request)
    if not isinstance(user, User):
        return ANONYMOUS
    request.user = user
    return actor_for_user(user, loa_rank=session_loa_rank(request))
