"""The outbox (one row per recipient and channel) and each user's preferences."""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _


class Channel(models.TextChoices):
    EMAIL = "email", _("E-mail")
    IN_APP = "in_app", _("Inbox")


class Status(models.TextChoices):
    """An e-mail row moves pending → sending → sent (or back to pending with a later
    `next_attempt_at`, or failed for good). An inbox row is delivered by its own commit: sent."""

    PENDING = "pending", _("Waiting to be sent")
    SENDING = "sending", _("Being sent")
    SENT = "sent", _("Sent")
    FAILED = "failed", _("Failed")


class Notification(models.Model):
    """Rendered once, in the recipient's language, when the event happens: what a person was told
    does not change when a template or their language does later."""

    # No recipient: an e-mail to an address that need not be anyone's account (an invitation).
    recipient = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="+", null=True
    )
    kind = models.CharField(_("kind"), max_length=64)
    channel = models.CharField(_("channel"), max_length=8, choices=Channel.choices)
    language = models.CharField(_("language"), max_length=5, choices=settings.LANGUAGES)
    subject = models.CharField(_("subject"), max_length=300)
    body = models.TextField(_("text"))
    link = models.CharField(_("link"), max_length=500, blank=True)
    created_at = models.DateTimeField(_("created"), default=timezone.now)
    read_at = models.DateTimeField(_("read"), null=True, blank=True)
    # Delivery of e-mail rows (ADR 0022).
    email_to = models.EmailField(blank=True)
    #: An iCalendar object with a METHOD (iMIP, RFC 6047): sent as the message's text/calendar
    #: alternative, so a calendar program offers to accept, decline or apply it.
    calendar = models.TextField(blank=True)
    message_id = models.CharField(max_length=200, blank=True)
    status = models.CharField(max_length=8, choices=Status.choices, default=Status.PENDING)
    attempts = models.PositiveSmallIntegerField(default=0)
    next_attempt_at = models.DateTimeField(null=True, blank=True)
    lease_until = models.DateTimeField(null=True, blank=True)
    sent_at = models.DateTimeField(null=True, blank=True)
    last_error = models.CharField(max_length=300, blank=True)

    class Meta:
        ordering = ["-created_at", "-id"]
        indexes = [
            # The header counter and the inbox list: one user's unread inbox rows, newest first.
            models.Index(
                fields=["recipient", "channel", "read_at", "-created_at"], name="notif_inbox"
            ),
            # The sweeper: e-mail rows due for a (re)try.
            models.Index(fields=["channel", "status", "next_attempt_at"], name="notif_due"),
        ]
        constraints = [
            models.CheckConstraint(
                condition=Q(channel="in_app") | Q(read_at__isnull=True),
                name="notif_only_inbox_rows_are_read",
            ),
            models.CheckConstraint(
                condition=Q(channel="in_app") | ~Q(email_to=""),
                name="notif_email_rows_have_an_address",
            ),
            models.CheckConstraint(
                condition=Q(channel="email") | Q(recipient__isnull=False),
                name="notif_inbox_rows_have_a_recipient",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.kind} → {self.recipient_id} ({self.channel})"


class Preference(models.Model):
    """A user's choices. No row means the defaults: every kind on both channels, and the language
    of the user's account (Swedish unless set)."""

    user = models.OneToOneField(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="notification_preference"
    )
    language = models.CharField(
        _("language of notifications"), max_length=5, choices=settings.LANGUAGES, default="sv"
    )
    # Kinds stored as "off" so that a kind added later reaches everyone until they opt out.
    email_off = models.JSONField(default=list, blank=True)
    in_app_off = models.JSONField(default=list, blank=True)
    updated_at = models.DateTimeField(auto_now=True)

    def __str__(self) -> str:
        return f"preferences of {self.user_id}"

    def wants(self, kind: str, channel: str) -> bool:
        off = self.email_off if channel == Channel.EMAIL else self.in_app_off
        return kind not in off
