"""Writes: the outbox rows of a notification, reading the inbox, and preferences.

`notify` writes inside the caller's transaction and only queues delivery when that transaction
commits: a rolled-back change tells nobody (ADR 0020). Notifications write no audit record of
their own: the change that caused one is audited by its service, and reading one's own inbox or
choosing one's own preferences is no agency's data (ADR 0020).
"""

from __future__ import annotations

import datetime
import functools
import logging
from collections.abc import Iterable, Sequence
from email.utils import make_msgid, parseaddr
from typing import TYPE_CHECKING, Any

from django.conf import settings
from django.contrib.auth import get_user_model
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from samdrift.core import live
from samdrift.core.exceptions import ValidationFailed

from .kinds import KINDS, get_kind
from .models import Channel, Notification, Preference, Status
from .permissions import notification_abilities
from .rendering import absolute, render
from .selectors import default_language, inbox, inbox_item
from .tasks import deliver_email

if TYPE_CHECKING:
    from samdrift.core.actor import Actor

logger = logging.getLogger(__name__)


def notify(
    user_ids: Iterable[int],
    kind: str,
    context: dict[str, Any],
    link: str = "",
    *,
    actor: Actor,
    channels: Iterable[str] = (Channel.IN_APP, Channel.EMAIL),
) -> list[Notification]:
    """Tell these users about an event: one row per recipient and wanted channel (of `channels`).

    The actor who caused the event is not told about it. `context` holds plain values for the
    kind's templates; `recipient_name` and `link` (absolute) are added per recipient.
    """
    return notify_groups([(user_ids, context)], kind, link, actor=actor, channels=channels)[0]


def notify_groups(
    groups: Sequence[tuple[Iterable[int], dict[str, Any]]],
    kind: str,
    link: str = "",
    *,
    actor: Actor,
    channels: Iterable[str] = (Channel.IN_APP, Channel.EMAIL),
) -> list[list[Notification]]:
    """`notify` for several groups of users at once, each group with its own context (e.g. the
    contacts of each of 347 agencies, each told of its own agency): the users and their
    preferences are read once and every row is written in one insert. Returns each group's
    rows, in the order of `groups`."""
    on = set(channels)
    get_kind(kind)
    wanted = [{int(uid) for uid in ids if uid is not None} - {actor.user_id} for ids, _c in groups]
    everyone = set().union(*wanted) if wanted else set()
    if not everyone:
        return [[] for _group in groups]
    users = {
        user.id: user for user in get_user_model().objects.filter(id__in=everyone, is_active=True)
    }
    chosen = {p.user_id: p for p in Preference.objects.filter(user_id__in=everyone)}
    now = timezone.now()
    rows: list[Notification] = []
    spans: list[tuple[int, int]] = []
    for ids, (_ids, context) in zip(wanted, groups, strict=True):
        first = len(rows)
        for user in sorted((users[i] for i in ids if i in users), key=lambda u: u.id):
            rows.extend(_rows_for(user, chosen.get(user.id), kind, context, link, on, now))
        spans.append((first, len(rows)))
    created = _save(rows)
    return [created[a:b] for a, b in spans]


def _rows_for(
    user: Any,
    preference: Preference | None,
    kind: str,
    context: dict[str, Any],
    link: str,
    on: set[str],
    now: datetime.datetime,
) -> list[Notification]:
    preference = preference or Preference(language=default_language(user))
    text = render(
        kind,
        preference.language,
        {
            **context,
            "recipient_name": user.get_full_name() or user.get_username(),
            "link": absolute(link),
        },
    )
    common = {
        "recipient_id": user.id,
        "kind": kind,
        "language": preference.language,
        "subject": text.subject,
        "body": text.body,
        "link": link,
        "created_at": now,
    }
    rows = []
    if Channel.IN_APP in on and preference.wants(kind, Channel.IN_APP):
        rows.append(Notification(**common, channel=Channel.IN_APP, status=Status.SENT, sent_at=now))
    if Channel.EMAIL in on and preference.wants(kind, Channel.EMAIL) and user.email:
        rows.append(
            Notification(
                **common,
                channel=Channel.EMAIL,
                email_to=user.email,
                message_id=make_msgid(domain=_mail_domain()),
                next_attempt_at=now,
            )
        )
    return rows


def notify_address(
    address: str,
    kind: str,
    context: dict[str, Any],
    link: str = "",
    *,
    language: str,
    calendar: str = "",
) -> Notification:
    """E-mail one address that need not belong to any user (an invitation, ADR 0111): one e-mail
    row without a recipient, delivered like every other (at least once, after commit). The caller
    chooses the language; `recipient_name` is the address itself. `calendar` (an iCalendar object
    with a METHOD) goes along as the message's text/calendar part (iMIP, RFC 6047)."""
    get_kind(kind)
    text = render(kind, language, {**context, "recipient_name": address, "link": absolute(link)})
    row = Notification(
        recipient=None,
        kind=kind,
        language=language,
        subject=text.subject,
        body=text.body,
        link=link,
        created_at=timezone.now(),
        channel=Channel.EMAIL,
        email_to=address,
        message_id=make_msgid(domain=_mail_domain()),
        next_attempt_at=timezone.now(),
        calendar=calendar,
    )
    return _save([row])[0]


def _save(rows: list[Notification]) -> list[Notification]:
    with transaction.atomic():
        created = Notification.objects.bulk_create(rows)
        emails = [row.id for row in created if row.channel == Channel.EMAIL]
        inboxes = sorted(
            {
                row.recipient_id
                for row in created
                if row.channel == Channel.IN_APP and row.recipient_id is not None
            }
        )
        if emails:
            # robust: the change is committed whatever the queue says; the sweeper retries rows
            # whose job never got queued (next_attempt_at is already due).
            transaction.on_commit(functools.partial(_queue_delivery, emails), robust=True)
        if inboxes:
            _announce(inboxes)
    return created


def _mail_domain() -> str:
    address = parseaddr(settings.DEFAULT_FROM_EMAIL)[1]
    return address.rpartition("@")[2] or "samdrift.localhost"


def _queue_delivery(notification_ids: list[int]) -> None:
    for notification_id in notification_ids:
        deliver_email.enqueue(notification_id)


def _announce(user_ids: Iterable[int]) -> None:
    """Each inbox's page region refreshes live (published after commit by the live layer)."""
    for user_id in user_ids:
        live.publish(f"inbox:{user_id}", {"type": "inbox.changed"})


# --- the inbox ----------------------------------------------------------------------------------


def mark_read(*, actor: Actor, notification_id: int) -> Notification:
    """Mark one of the actor's own inbox rows read; someone else's is a 404 and stays unread."""
    with transaction.atomic():
        item = inbox_item(actor=actor, notification_id=notification_id)
        if notification_abilities(actor=actor, notification=item)["mark_read"]:
            item.read_at = timezone.now()
            Notification.objects.filter(id=item.id, read_at__isnull=True).update(
                read_at=item.read_at
            )
            if item.recipient_id is not None:  # inbox rows always have one (a constraint)
                _announce([item.recipient_id])
    return item


def mark_all_read(*, actor: Actor) -> int:
    with transaction.atomic():
        count = inbox(actor=actor, unread_only=True).update(read_at=timezone.now())
        if count and actor.user_id is not None:
            _announce([actor.user_id])
    return count


# --- preferences --------------------------------------------------------------------------------


def preferences_set(
    *, actor: Actor, language: str, email: Iterable[str], in_app: Iterable[str]
) -> Preference:
    """Store which kinds the actor wants by e-mail and in the inbox, and in which language.

    `email` and `in_app` name the kinds that are ON; every other known kind is off."""
    if actor.user_id is None:
        raise ValidationFailed(_("Log in to choose your notifications."))
    email_on, in_app_on = set(email), set(in_app)
    errors: dict[str, list[str]] = {}
    if language not in dict(settings.LANGUAGES):
        errors["language"] = [language]
    unknown = sorted((email_on | in_app_on) - set(KINDS))
    if unknown:
        errors["kinds"] = unknown
    if errors:
        raise ValidationFailed(_("Choose a language and kinds from the list."), errors=errors)
    with transaction.atomic():
        preference, _created = Preference.objects.update_or_create(
            user_id=actor.user_id,
            defaults={
                "language": language,
                "email_off": sorted(set(KINDS) - email_on),
                "in_app_off": sorted(set(KINDS) - in_app_on),
            },
        )
    return preference


# --- retention ----------------------------------------------------------------------------------

KEEP_DAYS = 180


def prune(*, older_than: datetime.timedelta = datetime.timedelta(days=KEEP_DAYS)) -> dict[str, int]:
    """Forget what has served its purpose: inbox messages read, and e-mail sent or given up,
    before the cut-off. Unread messages and e-mail still to be sent are kept, however old."""
    cutoff = timezone.now() - older_than
    with transaction.atomic():
        read, _ = Notification.objects.filter(channel=Channel.IN_APP, read_at__lt=cutoff).delete()
        mailed, _ = Notification.objects.filter(
            channel=Channel.EMAIL,
            status__in=(Status.SENT, Status.FAILED),
            created_at__lt=cutoff,
        ).delete()
    return {"inbox": read, "email": mailed}
