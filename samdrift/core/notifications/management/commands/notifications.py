"""`samdrift notifications deliver [--every SECONDS]`: send the e-mail that is due.
`samdrift notifications prune [--days 180]`: forget read messages and finished e-mail."""

from __future__ import annotations

import datetime
import time
from collections import Counter
from typing import Any

from django.core.management.base import BaseCommand, CommandParser

from samdrift.core.notifications.delivery import deliver_due
from samdrift.core.notifications.services import KEEP_DAYS, prune


class Command(BaseCommand):
    help = "Send notification e-mail that is due (first tries, retries, abandoned sends)."

    def add_arguments(self, parser: CommandParser) -> None:
        sub = parser.add_subparsers(dest="action", required=True)
        deliver = sub.add_parser("deliver", help="Send what is due, once or every N seconds.")
        deliver.add_argument("--every", type=float, default=0, help="Repeat every N seconds.")
        forget = sub.add_parser("prune", help="Delete read messages and finished e-mail.")
        forget.add_argument("--days", type=int, default=KEEP_DAYS, help="Older than this.")

    def handle(self, *args: Any, **options: Any) -> None:
        if options["action"] == "prune":
            gone = prune(older_than=datetime.timedelta(days=max(options["days"], 0)))
            self.stdout.write(
                f"Deleted {gone['inbox']} read messages and {gone['email']} e-mails / "
                f"Raderade {gone['inbox']} lästa meddelanden och {gone['email']} e-brev"
            )
            return
        while True:
            outcomes = deliver_due()
            counts = Counter(outcome.result for outcome in outcomes)
            self.stdout.write(
                "E-mail: {sent} sent, {retry} to retry, {failed} failed / "
                "E-post: {sent} skickade, {retry} försöks igen, {failed} misslyckades".format(
                    sent=counts["sent"], retry=counts["retry"], failed=counts["failed"]
                )
            )
            if not options["every"]:
                return
            time.sleep(options["every"])
