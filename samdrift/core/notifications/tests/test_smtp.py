"""E-mail through Django's SMTP backend to a real SMTP server (aiosmtpd), read back with the
standard library's parser. Transactional tests: the outbox commits for real, so delivery runs
after commit exactly as in production (ImmediateBackend for the job)."""

from __future__ import annotations

import datetime
import email.utils
from io import StringIO

import pytest
from django.core.management import call_command
from django.db import transaction
from django.utils import timezone

from samdrift.core.notifications import delivery
from samdrift.core.notifications.models import Channel, Notification, Status
from samdrift.core.notifications.services import notify, preferences_set

from .conftest import actor, person

pytestmark = pytest.mark.django_db(transaction=True)

CONTEXT = {
    "agency": "Länsstyrelsen i Västra Götalands län",
    "case_id": 7,
    "completed": False,
    "from_phase": {"sv": "Initiera", "en": "Initiate"},
    "to_phase": {"sv": "Planera", "en": "Plan"},
    "actor_name": "Åsa Öberg",
}
LINK = "/connections/7/"


def _send(recipients, actor):  # type: ignore[no-untyped-def]
    with transaction.atomic():
        return notify([u.id for u in recipients], "case_advanced", CONTEXT, link=LINK, actor=actor)


def test_email_arrives_in_the_recipients_language_with_all_headers(smtp):
    sender = actor(person("kundansvarig"))
    karin = person("karin", email="karin@lansstyrelsen.test", first_name="Karin", last_name="Ek")
    john = person("john", email="john@lansstyrelsen.test", first_name="John", last_name="Smith")
    preferences_set(
        actor=actor(john), language="en", email=["case_advanced"], in_app=["case_advanced"]
    )

    rows = _send([karin, john], sender)

    assert sorted((r.recipient_id, r.channel) for r in rows) == sorted(
        [(u.id, c) for u in (karin, john) for c in (Channel.IN_APP, Channel.EMAIL)]
    )
    messages = {str(m["To"]): m for m in smtp.mailbox.messages()}
    assert set(messages) == {"karin@lansstyrelsen.test", "john@lansstyrelsen.test"}
    swedish, english = messages["karin@lansstyrelsen.test"], messages["john@lansstyrelsen.test"]
    assert str(swedish["From"]) == "samdrift <noreply@samdrift.test>"
    # A long encoded subject is folded after "Subject:"; the whitespace of a fold is no part of
    # the text (RFC 5322 §3.2.2), hence strip().
    assert (
        str(swedish["Subject"]).strip()
        == "Anslutningsärendet för Länsstyrelsen i Västra Götalands län är nu i fasen Planera"
    )
    assert (
        str(english["Subject"]).strip()
        == "The connection case of Länsstyrelsen i Västra Götalands län is now in the Plan phase"
    )
    sent_date = email.utils.parsedate_to_datetime(str(swedish["Date"]))
    assert sent_date.utcoffset() == timezone.localtime().utcoffset()  # Stockholm time
    assert abs(sent_date - timezone.now()) < datetime.timedelta(minutes=1)
    row = Notification.objects.get(recipient=karin, channel=Channel.EMAIL)
    assert str(swedish["Message-ID"]).strip() == row.message_id and row.message_id.endswith(
        "@samdrift.test>"
    )
    assert swedish["Content-Language"] == "sv" and english["Content-Language"] == "en"
    assert swedish["Auto-Submitted"] == "auto-generated"
    body = swedish.get_body(preferencelist=("plain",))
    assert body is not None and body.get_content_charset() == "utf-8"
    text = body.get_content()
    assert "Hej Karin Ek," in text
    assert "från fasen Initiera till fasen Planera" in text
    assert "Ändringen gjordes av Åsa Öberg." in text
    assert "Öppna ärendet: https://samdrift.test/connections/7/" in text
    english_text = english.get_body(preferencelist=("plain",)).get_content()  # type: ignore[union-attr]
    assert "Hello John Smith," in english_text and "Open the case: https://" in english_text
    assert row.status == Status.SENT and row.attempts == 1 and row.sent_at is not None


def test_a_rolled_back_transaction_writes_and_sends_nothing(smtp):
    sender = actor(person("kundansvarig"))
    karin = person("karin")

    class Refused(Exception):
        pass

    written: list[int] = []

    def change_that_fails() -> None:
        with transaction.atomic():
            notify([karin.id], "case_advanced", CONTEXT, link=LINK, actor=sender)
            written.append(Notification.objects.count())
            raise Refused

    with pytest.raises(Refused):
        change_that_fails()

    assert written == [2]  # written inside the transaction…
    assert Notification.objects.count() == 0  # …and gone with it
    assert delivery.deliver_due() == []
    assert smtp.mailbox.received == []


def test_smtp_down_is_retried_later_and_delivered_when_it_is_back(smtp):
    sender = actor(person("kundansvarig"))
    karin = person("karin")
    smtp.stop()

    _send([karin], sender)

    row = Notification.objects.get(channel=Channel.EMAIL)
    assert row.status == Status.PENDING and row.attempts == 1
    assert "ConnectionRefusedError" in row.last_error
    assert row.next_attempt_at is not None
    wait = row.next_attempt_at - row.created_at
    assert datetime.timedelta(seconds=29) < wait < datetime.timedelta(seconds=32)

    smtp.start()
    # Not yet due: nothing is sent early.
    assert [
        o.result for o in delivery.deliver_due(now=row.next_attempt_at - datetime.timedelta(1))
    ] == []
    assert smtp.mailbox.received == []
    # Still down at the second try: the wait doubles.
    smtp.stop()
    second = delivery.deliver_due(now=row.next_attempt_at)
    assert [o.result for o in second] == ["retry"]
    assert second[0].next_attempt_at == row.next_attempt_at + datetime.timedelta(seconds=60)
    smtp.start()
    third = delivery.deliver_due(now=second[0].next_attempt_at)
    assert [o.result for o in third] == ["sent"]
    assert [str(m["To"]) for m in smtp.mailbox.messages()] == ["karin@myndighet.test"]
    row.refresh_from_db()
    assert row.status == Status.SENT and row.attempts == 3 and row.last_error == ""
    # Delivered rows are never sent again, however often the sweeper or a job runs.
    assert delivery.deliver_due(now=timezone.now() + datetime.timedelta(days=1)) == []
    assert delivery.deliver(row.id).result == "skipped"
    assert len(smtp.mailbox.received) == 1


def test_a_refused_mailbox_fails_at_once_and_is_not_retried(smtp):
    sender = actor(person("kundansvarig"))
    _send([person("nobody", email="refused@myndighet.test")], sender)
    row = Notification.objects.get(channel=Channel.EMAIL)
    assert row.status == Status.FAILED and row.next_attempt_at is None
    assert "550" in row.last_error
    assert delivery.deliver_due(now=timezone.now() + datetime.timedelta(days=1)) == []
    assert smtp.mailbox.received == []


def test_a_send_in_progress_is_not_repeated_but_an_abandoned_one_is(smtp):
    """The lease: a second worker leaves a row another is sending alone; a row whose worker died
    mid-send (lease run out) is sent again, with the same Message-ID (at least once)."""
    sender = actor(person("kundansvarig"))
    smtp.stop()
    _send([person("karin")], sender)
    row = Notification.objects.get(channel=Channel.EMAIL)
    smtp.start()
    now = timezone.now()
    Notification.objects.filter(id=row.id).update(
        status=Status.SENDING, lease_until=now + datetime.timedelta(minutes=4)
    )
    busy = delivery.deliver(row.id, now=now)
    assert busy.result == "busy" and busy.next_attempt_at == now + datetime.timedelta(minutes=4)
    assert smtp.mailbox.received == []

    later = now + datetime.timedelta(minutes=5)
    assert delivery.deliver(row.id, now=later).result == "sent"
    (message,) = smtp.mailbox.messages()
    assert str(message["Message-ID"]).strip() == row.message_id


def test_preferences_decide_the_channels(smtp):
    sender = actor(person("kundansvarig"))
    only_inbox, only_mail, nothing = person("a"), person("b"), person("c")
    preferences_set(actor=actor(only_inbox), language="sv", email=[], in_app=["case_advanced"])
    preferences_set(actor=actor(only_mail), language="sv", email=["case_advanced"], in_app=[])
    preferences_set(actor=actor(nothing), language="sv", email=[], in_app=[])

    _send([only_inbox, only_mail, nothing], sender)

    rows = set(Notification.objects.values_list("recipient_id", "channel"))
    assert rows == {(only_inbox.id, Channel.IN_APP), (only_mail.id, Channel.EMAIL)}
    assert [str(m["To"]) for m in smtp.mailbox.messages()] == ["b@myndighet.test"]


def test_the_cli_sends_what_is_due_and_says_so_in_both_languages(smtp):
    sender = actor(person("kundansvarig"))
    smtp.stop()
    _send([person("karin")], sender)
    smtp.start()
    Notification.objects.update(next_attempt_at=timezone.now())  # due now, not in 30 s
    out = StringIO()
    call_command("notifications", "deliver", stdout=out)
    assert out.getvalue().strip() == (
        "E-mail: 1 sent, 0 to retry, 0 failed / E-post: 1 skickade, 0 försöks igen, 0 misslyckades"
    )
    assert len(smtp.mailbox.received) == 1


def test_the_sweeper_sends_a_batch_over_one_connection_and_a_refusal_spoils_nothing(smtp):
    sender = actor(person("kundansvarig"))
    smtp.stop()
    recipients = [person("a"), person("b", email="refused@myndighet.test"), person("c")]
    _send(recipients, sender)
    assert set(Notification.objects.filter(channel="email").values_list("status", flat=True)) == {
        Status.PENDING
    }
    smtp.start()
    later = timezone.now() + datetime.timedelta(minutes=1)
    outcomes = delivery.deliver_due(now=later)
    by_row = {o.notification_id: o.result for o in outcomes}
    rows = {r.email_to: r.id for r in Notification.objects.filter(channel="email")}
    assert by_row == {
        rows["a@myndighet.test"]: "sent",
        rows["refused@myndighet.test"]: "failed",
        rows["c@myndighet.test"]: "sent",
    }
    assert sorted(str(m["To"]) for m in smtp.mailbox.messages()) == [
        "a@myndighet.test",
        "c@myndighet.test",
    ]
    assert len(smtp.mailbox.sessions) == 1
