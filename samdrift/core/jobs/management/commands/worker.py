"""`samdrift worker [--concurrency N] [--queue Q …] [--once]`: run background jobs.

SIGTERM or SIGINT stops gracefully: no new claims, the running jobs finish first.
"""

from __future__ import annotations

import signal
from types import FrameType
from typing import Any

from django.core.management.base import BaseCommand, CommandParser

from samdrift.core.jobs.worker import Worker


class Command(BaseCommand):
    help = "Run samdrift's background jobs."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--concurrency", type=int, default=1, help="Jobs run side by side.")
        parser.add_argument(
            "--queue", action="append", dest="queues", help="Queue to serve (repeatable)."
        )
        parser.add_argument(
            "--once",
            "--burst",
            action="store_true",
            dest="burst",
            help="Run the jobs that are due, then exit.",
        )
        parser.add_argument("--poll", type=float, default=1.0, help="Seconds between polls.")

    def handle(self, *args: Any, **options: Any) -> None:
        worker = Worker(
            concurrency=options["concurrency"],
            queues=options["queues"] or ["default"],
            burst=options["burst"],
            poll_seconds=options["poll"],
        )

        def stop(signum: int, frame: FrameType | None) -> None:
            self.stderr.write("worker: stopping after the running jobs")
            worker.stop()

        signal.signal(signal.SIGTERM, stop)
        signal.signal(signal.SIGINT, stop)
        self.stdout.write(f"worker {worker.worker_id} (concurrency {worker.concurrency})")
        self.stdout.flush()
        count = worker.run()
        self.stdout.write(f"worker {worker.worker_id}: {count} jobs run")
