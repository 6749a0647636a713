"""Notifications: the cost of the outbox and of SMTP delivery, each against a baseline measured in
the same run on the same machine.

    python bench/bench_notifications.py [--recipients 1000] [--messages 300]

1. **notify**: one event to N recipients (render in each one's language, preferences, one
   in-app and one e-mail row each) in one transaction, against `bulk_create` of the same rows
   with the text already rendered: the ratio is what rendering and preferences cost.
2. **delivery**: M due e-mail rows sent by `deliver_due()` (claim 50 under a lock, Django's SMTP
   backend over one connection, mark each sent) to a local aiosmtpd server, against `smtplib`
   sending the same M messages in the same batches of 50 per connection, without the database:
   the ratio is what the claim, the per-row bookkeeping and Django's message building cost.

A throw-away SQLite database in a temporary folder; loopback only; everything is removed at the
end. Not a test: nothing here runs in `make test`.
"""

from __future__ import annotations

import argparse
import os
import smtplib
import sys
import tempfile
import time
from pathlib import Path

BATCH = 50


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--recipients", type=int, default=1000)
    parser.add_argument("--messages", type=int, default=300)
    options = parser.parse_args()
    with tempfile.TemporaryDirectory(prefix="bench-notifications-") as folder:
        os.environ["SAMDRIFT_DATA_DIR"] = folder
        os.environ["DJANGO_SETTINGS_MODULE"] = "config.settings.dev"
        sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
        import django

        django.setup()
        from django.core.management import call_command

        call_command("migrate", verbosity=0)
        run(options.recipients, options.messages)


def run(recipients: int, messages: int) -> None:
    from django.conf import settings
    from django.contrib.auth import get_user_model
    from django.db import transaction

    from samdrift.core.actor import Actor
    from samdrift.core.notifications import delivery
    from samdrift.core.notifications.models import Notification, Preference
    from samdrift.core.notifications.services import notify
    from samdrift.core.notifications.testing import SmtpServer

    settings.TASKS = {"default": {"BACKEND": "django_tasks.backends.dummy.DummyBackend"}}
    users = get_user_model().objects.bulk_create(
        get_user_model()(username=f"u{i}", email=f"u{i}@myndighet.test", first_name="Åsa")
        for i in range(recipients)
    )
    ids = [u.id for u in users]
    Preference.objects.bulk_create(
        Preference(user_id=uid, language="en") for uid in ids[: recipients // 3]
    )
    context = {
        "agency": "Länsstyrelsen i Västra Götalands län",
        "case_id": 1,
        "completed": False,
        "from_phase": {"sv": "Initiera", "en": "Initiate"},
        "to_phase": {"sv": "Planera", "en": "Plan"},
        "actor_name": "Bench",
    }
    sender = Actor(user_id=None, label="bench")

    started = time.perf_counter()
    with transaction.atomic():
        rows = notify(ids, "case_advanced", context, link="/connections/1/", actor=sender)
    ours = time.perf_counter() - started
    copies = [
        Notification(
            **{
                f.attname: getattr(r, f.attname)
                for f in Notification._meta.concrete_fields
                if f.attname != "id"
            }
        )
        for r in rows
    ]
    started = time.perf_counter()
    with transaction.atomic():
        Notification.objects.bulk_create(copies)
    raw = time.perf_counter() - started
    print(f"notify: {recipients} recipients, {len(rows)} rows")
    print(f"  samdrift notify():        {ours * 1000:8.1f} ms  ({len(rows) / ours:8.0f} rows/s)")
    print(f"  bulk_create (baseline):   {raw * 1000:8.1f} ms  ({len(rows) / raw:8.0f} rows/s)")
    print(f"  ratio notify / baseline:  {ours / raw:8.1f} ×")

    Notification.objects.all().delete()
    server = SmtpServer()
    server.start()
    settings.EMAIL_BACKEND = "django.core.mail.backends.smtp.EmailBackend"
    settings.EMAIL_HOST, settings.EMAIL_PORT = "127.0.0.1", server.port
    with transaction.atomic():
        notify(ids[:messages], "case_advanced", context, link="/connections/1/", actor=sender)
    Notification.objects.filter(channel="in_app").delete()
    due = list(Notification.objects.order_by("id"))
    payloads = [delivery.message_for(row).message().as_bytes() for row in due]
    try:
        started = time.perf_counter()
        outcomes = delivery.deliver_due(limit=messages, batch=BATCH)
        ours = time.perf_counter() - started
        assert [o.result for o in outcomes] == ["sent"] * len(due), "not all sent"
        started = time.perf_counter()
        for start in range(0, len(due), BATCH):  # the same batches, one connection each
            with smtplib.SMTP("127.0.0.1", server.port) as client:
                for row, payload in zip(
                    due[start : start + BATCH], payloads[start : start + BATCH], strict=True
                ):
                    client.sendmail(settings.DEFAULT_FROM_EMAIL, [row.email_to], payload)
        raw = time.perf_counter() - started
    finally:
        server.stop()
    assert len(server.mailbox.received) == 2 * len(due)
    print(f"delivery: {len(due)} messages to a local SMTP server")
    print(f"  samdrift deliver_due():   {ours * 1000:8.1f} ms  ({len(due) / ours:8.1f} msg/s)")
    print(f"  smtplib (baseline):       {raw * 1000:8.1f} ms  ({len(due) / raw:8.1f} msg/s)")
    print(f"  ratio samdrift / baseline:{ours / raw:8.2f} ×")
    print(f"load average: {os.getloadavg()[0]:.2f}")


if __name__ == "__main__":
    main()
