"""App passwords: a password per desktop program (WebDAV, ADR 0613), made and revoked by the
person, shown once, stored as a SHA-256 digest like an API token (`tokens`), limited to a highest
confidentiality class, and carrying the level of assurance of the login that made it (ADR 0614).

The confidentiality classes belong to collaboration (KLASSA, ADR 0601); it tells this module the
level each class demands through `register_class_levels`, so accounts knows no class table.
"""

from __future__ import annotations

import datetime
import math
from collections.abc import Callable
from dataclasses import dataclass

from django.utils.translation import gettext_lazy as _

from samdrift.audit.services import record_security_event
from samdrift.core import throttle
from samdrift.core.actor import Actor
from samdrift.core.exceptions import DomainError, ValidationFailed

from . import tokens
from .models import AppPassword
from .selectors import actor_for_user

APP_PASSWORD_PREFIX = "sdp_"  # noqa: S105 - a public prefix, not a secret
USE_RESOLUTION = datetime.timedelta(minutes=1)
CLASSES = (0, 1, 2, 3)

_class_levels: list[Callable[[int], int]] = []


def register_class_levels(levels: Callable[[int], int]) -> None:
    """`levels(cls)`: the minimum level of assurance a login needs for class `cls` (0: none)."""
    _class_levels[:] = [levels]


def class_level(cls: int) -> int:
    return _class_levels[0](cls) if _class_levels else 0


def reachable_classes(loa_rank: int) -> list[int]:
    """The classes a login of this level may reach (and so an app password it makes)."""
    return [c for c in CLASSES if class_level(c) <= loa_rank]


CLASS_ABOVE_LOGIN = _(
    "Your login (level of assurance %(rank)s) may make app passwords up to class %(highest)s. "
    "Log in with an e-ID at a higher level to make one for class %(cls)s."
)
BAD_CLASS = _("Choose the highest confidentiality class, from 0 to 3.")


def own_app_passwords(actor: Actor) -> list[AppPassword]:
    """The actor's own app passwords, newest first (no one sees another person's)."""
    if actor.user_id is None:
        return []
    return list(AppPassword.objects.filter(user_id=actor.user_id).order_by("-created_at", "-id"))


def app_password_create(
    *, actor: Actor, name: str, max_class: object, expires_at: datetime.datetime | None = None
) -> tuple[AppPassword, str]:
    """A new app password for the actor's own user, up to class `max_class`, which this login's
    level must reach; the level is recorded and is all the password will ever carry."""
    try:
        cls = int(str(max_class).strip())
    except ValueError:
        cls = -1
    if cls not in CLASSES:
        raise ValidationFailed(BAD_CLASS, errors={"max_class": [str(BAD_CLASS)]})
    reachable = reachable_classes(actor.loa_rank)
    if cls not in reachable:
        params = {"rank": actor.loa_rank, "highest": max(reachable), "cls": cls}
        raise ValidationFailed(
            CLASS_ABOVE_LOGIN,
            errors={"max_class": [str(CLASS_ABOVE_LOGIN) % params]},
            code="class_above_login",
            **params,
        )
    return tokens.create_secret(
        AppPassword,
        actor=actor,
        name=name,
        expires_at=expires_at,
        prefix=APP_PASSWORD_PREFIX,
        action="accounts.app_password_created",
        max_class=cls,
        loa_rank=actor.loa_rank,
    )


def app_password_revoke(*, actor: Actor, password_id: int) -> AppPassword:
    """Revoke one of the actor's own app passwords (someone else's is a 404); at once."""
    return tokens.revoke_secret(
        AppPassword,
        actor=actor,
        secret_id=password_id,
        action="accounts.app_password_revoked",
        what="app_password",
    )


@dataclass(frozen=True)
class AppPasswordLogin:
    """Who logged in with an app password, and how far it reaches."""

    actor: Actor
    max_class: int
    password_id: int


class AppPasswordThrottled(DomainError):
    code = "login_throttled"
    http_status = 429


THROTTLED = _("Too many failed login attempts. Wait %(minutes)s minutes, then try again.")


def app_password_login(*, username: str, secret: str, address: str) -> AppPasswordLogin | None:
    """Basic authentication of a desktop program: the user name and an app password of that
    user. Throttled per account name and address like the login (ADR 0038): a blocked name or
    address is refused before the password is looked at, the right one included. None when the
    password is unknown, revoked, expired, another user's, or the user is deactivated. The
    actor's level is the one recorded when the password was made (ADR 0614)."""
    wait = throttle.attempt(username=username, address=address)
    if wait:
        record_security_event("app_password_throttled", {"seconds": wait})
        raise AppPasswordThrottled(THROTTLED, minutes=math.ceil(wait / 60))
    row = tokens.live_secret(AppPassword, secret) if secret.startswith("sdp_") else None
    actor = None
    if row is not None and row.user.get_username().casefold() == username.strip().casefold():
        actor = actor_for_user(row.user, loa_rank=row.loa_rank)
    if row is None or actor is None or not actor.is_authenticated:
        record_security_event("app_password_failed")
        return None
    throttle.succeeded(username=username, address=address)
    tokens.mark_used(AppPassword, secret, USE_RESOLUTION)
    return AppPasswordLogin(actor=actor, max_class=row.max_class, password_id=row.id)
