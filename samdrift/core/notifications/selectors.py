"""Reads of the inbox and preferences. A user's inbox is theirs alone: another user's row is the
same 404 as a missing one."""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from django.conf import settings
from django.contrib.auth import get_user_model
from django.db.models import QuerySet

from samdrift.core.exceptions import NotFound

from .kinds import KINDS
from .models import Channel, Notification, Preference

if TYPE_CHECKING:
    from samdrift.core.actor import Actor


def inbox(*, actor: Actor, unread_only: bool = False) -> QuerySet[Notification]:
    if actor.user_id is None:
        return Notification.objects.none()
    rows = Notification.objects.filter(recipient_id=actor.user_id, channel=Channel.IN_APP)
    return rows.filter(read_at__isnull=True) if unread_only else rows


def inbox_item(*, actor: Actor, notification_id: int) -> Notification:
    item = inbox(actor=actor).filter(id=notification_id).first()
    if item is None:
        raise NotFound("notification")
    return item


def unread_count(*, actor: Actor) -> int:
    return inbox(actor=actor, unread_only=True).count()


@dataclass(frozen=True)
class KindChoice:
    code: str
    label: Any
    help_text: Any
    email: bool
    in_app: bool


@dataclass(frozen=True)
class Preferences:
    language: str
    kinds: list[KindChoice]


def default_language(user: Any) -> str:
    """The account's language when it has one, else the site's (Swedish)."""
    language = getattr(user, "preferred_language", "") or settings.LANGUAGE_CODE
    return language if language in dict(settings.LANGUAGES) else settings.LANGUAGE_CODE


def preferences(*, actor: Actor) -> Preferences:
    if actor.user_id is None:
        raise NotFound("preferences")
    stored = Preference.objects.filter(user_id=actor.user_id).first()
    if stored is None:
        user = get_user_model().objects.get(id=actor.user_id)
        stored = Preference(user_id=actor.user_id, language=default_language(user))
    return Preferences(
        language=stored.language,
        kinds=[
            KindChoice(
                code=kind.code,
                label=kind.label,
                help_text=kind.help_text,
                email=stored.wants(kind.code, Channel.EMAIL),
                in_app=stored.wants(kind.code, Channel.IN_APP),
            )
            for kind in KINDS.values()
        ],
    )
