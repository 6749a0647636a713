"""Sending an e-mail row: claim it under a row lock, send outside any transaction, record the
outcome. At least once, and once in every case but one (ADR 0022):

- two workers given the same row: the lock and the `sending` lease let only one send;
- a worker that dies before the SMTP server accepted: the lease runs out, the row is retried;
- a worker that dies after the server accepted but before `sent` was written: the lease runs out
  and the row is sent again. The Message-ID is the same on both, so mail systems and readers can
  tell the second from the first. That window is the SMTP round trip plus one UPDATE.
"""

from __future__ import annotations

import datetime
import logging
import smtplib
from dataclasses import dataclass

from django.conf import settings
from django.core.mail import EmailMessage, get_connection
from django.db import transaction
from django.db.models import Q
from django.utils import timezone

from .models import Channel, Notification, Status

logger = logging.getLogger(__name__)

LEASE = datetime.timedelta(minutes=5)  # far longer than one SMTP conversation (EMAIL_TIMEOUT)
FIRST_RETRY = datetime.timedelta(seconds=30)
LAST_RETRY = datetime.timedelta(hours=1)
MAX_ATTEMPTS = 10  # 30 s, 1, 2, 4 … min, then hourly: about five hours in all


@dataclass(frozen=True)
class Outcome:
    notification_id: int
    result: str  # sent | retry | failed | busy (another worker holds it) | skipped
    next_attempt_at: datetime.datetime | None = None


def backoff(attempts: int) -> datetime.timedelta:
    """Doubling from 30 seconds, never more than an hour apart."""
    return min(FIRST_RETRY * 2 ** max(attempts - 1, 0), LAST_RETRY)


def _claimable(now: datetime.datetime) -> Q:
    due = Q(status=Status.PENDING) & (Q(next_attempt_at__isnull=True) | Q(next_attempt_at__lte=now))
    abandoned = Q(status=Status.SENDING, lease_until__lt=now)
    return Q(channel=Channel.EMAIL) & (due | abandoned)


def _claim(notification_id: int, now: datetime.datetime) -> Notification | Outcome:
    with transaction.atomic():
        row = (
            Notification.objects.select_for_update()
            .filter(channel=Channel.EMAIL, id=notification_id)
            .first()
        )
        if row is None or row.status in (Status.SENT, Status.FAILED):
            return Outcome(notification_id, "skipped")
        if row.status == Status.SENDING and row.lease_until and row.lease_until >= now:
            # A worker holds it (or died holding it): look again when its lease ends.
            return Outcome(notification_id, "busy", row.lease_until)
        if row.status == Status.PENDING and row.next_attempt_at and row.next_attempt_at > now:
            return Outcome(notification_id, "skipped", row.next_attempt_at)
        row.status, row.lease_until = Status.SENDING, now + LEASE
        row.attempts += 1
        row.save(update_fields=["status", "lease_until", "attempts"])
    return row


def message_for(row: Notification) -> EmailMessage:
    message = EmailMessage(
        subject=row.subject,
        body=row.body,
        from_email=settings.DEFAULT_FROM_EMAIL,
        to=[row.email_to],
        headers={
            "Message-ID": row.message_id,
            "Content-Language": row.language,
            "Auto-Submitted": "auto-generated",  # RFC 3834: no out-of-office replies
        },
    )
    message.encoding = "utf-8"
    return message


def _permanent(error: Exception) -> bool:
    """5xx answers and refused recipients do not get better by waiting."""
    if isinstance(error, smtplib.SMTPRecipientsRefused):
        return True
    return isinstance(error, smtplib.SMTPResponseException) and error.smtp_code >= 500


def deliver(notification_id: int, *, now: datetime.datetime | None = None) -> Outcome:
    """Send one e-mail row if it is due; safe to call any number of times for the same row."""
    now = now or timezone.now()
    row = _claim(notification_id, now)
    if isinstance(row, Outcome):
        return row
    try:
        with get_connection(fail_silently=False) as connection:
            connection.send_messages([message_for(row)])
    except (smtplib.SMTPException, OSError) as error:
        return _failed(row, error, now)
    # Only the claim we hold may mark the row: a worker whose lease ran out must not.
    Notification.objects.filter(id=row.id, status=Status.SENDING, attempts=row.attempts).update(
        status=Status.SENT, sent_at=timezone.now(), lease_until=None, last_error=""
    )
    return Outcome(row.id, "sent")


def _failed(row: Notification, error: Exception, now: datetime.datetime) -> Outcome:
    given_up = _permanent(error) or row.attempts >= MAX_ATTEMPTS
    retry_at = None if given_up else now + backoff(row.attempts)
    logger.warning("notification %s: e-mail attempt %s failed: %r", row.id, row.attempts, error)
    Notification.objects.filter(id=row.id, status=Status.SENDING, attempts=row.attempts).update(
        status=Status.FAILED if given_up else Status.PENDING,
        next_attempt_at=retry_at,
        lease_until=None,
        last_error=f"{type(error).__name__}: {error}"[:300],
    )
    return Outcome(row.id, "failed" if given_up else "retry", retry_at)


def due_ids(now: datetime.datetime, limit: int = 500) -> list[int]:
    return list(
        Notification.objects.filter(_claimable(now))
        .order_by("next_attempt_at", "id")
        .values_list("id", flat=True)[:limit]
    )


def deliver_due(*, now: datetime.datetime | None = None, limit: int = 500) -> list[Outcome]:
    """Send every e-mail row that is due: retries whose time has come, rows whose job was never
    queued, rows a dead worker left `sending`. Run by the sweeper job and `samdrift
    notifications deliver`."""
    now = now or timezone.now()
    return [deliver(notification_id, now=now) for notification_id in due_ids(now, limit)]
