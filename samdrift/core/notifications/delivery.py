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
import re
import smtplib
from dataclasses import dataclass

from django.conf import settings
from django.core.mail import EmailMessage, EmailMultiAlternatives, get_connection
from django.db import transaction
from django.db.models import F, Q
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


def _calendar_method(text: str) -> str:
    found = re.search(r"^METHOD:([A-Z-]+)\s*$", text, re.MULTILINE)
    return found.group(1) if found else "PUBLISH"


def message_for(row: Notification) -> EmailMessage:
    kind = EmailMultiAlternatives if row.calendar else EmailMessage
    message = kind(
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
    if row.calendar and isinstance(message, EmailMultiAlternatives):
        # RFC 6047 §2.4: the iCalendar object as text/calendar with its method, beside the text.
        method = _calendar_method(row.calendar)
        message.attach_alternative(row.calendar, f"text/calendar; method={method}")
    return message


# The server answered (the connection is fine for the next message) rather than went away.
_ANSWERED = (smtplib.SMTPResponseException, smtplib.SMTPRecipientsRefused)


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
    (outcome,) = _send([row], now)
    return outcome


def _send(rows: list[Notification], now: datetime.datetime) -> list[Outcome]:
    """Send claimed rows over one SMTP connection, recording each outcome as it happens (so a
    crash mid-batch leaves only the row in flight to be sent twice)."""
    outcomes: list[Outcome] = []
    connection = get_connection(fail_silently=False)
    try:
        for row in rows:
            try:
                # Opened here, send_messages leaves it open for the next row (it closes only
                # a connection it opened itself).
                connection.open()
                connection.send_messages([message_for(row)])
            except (smtplib.SMTPException, OSError) as error:
                outcomes.append(_failed(row, error, now))
                if not isinstance(error, _ANSWERED):
                    connection.close()  # a broken connection: the next row opens a new one
                continue
            # Only the claim we hold may mark the row: a worker whose lease ran out must not.
            Notification.objects.filter(
                id=row.id, status=Status.SENDING, attempts=row.attempts
            ).update(status=Status.SENT, sent_at=timezone.now(), lease_until=None, last_error="")
            outcomes.append(Outcome(row.id, "sent"))
    finally:
        connection.close()
    return outcomes


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


def _claim_due(now: datetime.datetime, limit: int) -> list[Notification]:
    """Claim up to `limit` due rows in one short transaction (rows another worker holds are not
    due, so two sweepers share the work instead of sending twice)."""
    with transaction.atomic():
        rows = list(
            Notification.objects.select_for_update()
            .filter(_claimable(now))
            .order_by("next_attempt_at", "id")[:limit]
        )
        Notification.objects.filter(id__in=[row.id for row in rows]).update(
            status=Status.SENDING, lease_until=now + LEASE, attempts=F("attempts") + 1
        )
    for row in rows:
        row.status, row.lease_until, row.attempts = Status.SENDING, now + LEASE, row.attempts + 1
    return rows


def deliver_due(
    *, now: datetime.datetime | None = None, limit: int = 500, batch: int = 50
) -> list[Outcome]:
    """Send every e-mail row that is due: retries whose time has come, rows whose job was never
    queued, rows a dead worker left `sending`. Claimed `batch` at a time and sent over one SMTP
    connection per batch. Run by the sweeper job and `samdrift notifications deliver`."""
    now = now or timezone.now()
    outcomes: list[Outcome] = []
    while len(outcomes) < limit:
        rows = _claim_due(now, min(batch, limit - len(outcomes)))
        if not rows:
            break
        outcomes.extend(_send(rows, now))
    return outcomes
