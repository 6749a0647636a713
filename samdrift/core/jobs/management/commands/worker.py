"""`samdrift worker [--concurrency N] [--queue Q …] [--once] [--schedules all|none|A,B]`: run
background jobs, and queue the recurring ones (schedules.py).

SIGTERM or SIGINT stops gracefully: no new claims, the running jobs finish first.
"""

from __future__ import annotations

import signal
from types import FrameType
from typing import Any

from django.core.management.base import BaseCommand, CommandParser

from samdrift.core.jobs.worker import Worker


def _schedules(value: str) -> bool | list[str] | None:
    if value in ("", "default"):
        return None
    if value in ("all", "none"):
        return value == "all"
    return [name.strip() for name in value.split(",") if name.strip()]


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
        parser.add_argument(
            "--schedules",
            default="",
            help="Recurring jobs to queue: all (default, none with --once), none, or names "
            "separated by commas (`samdrift jobs schedules` lists them).",
        )

    def handle(self, *args: Any, **options: Any) -> None:
        worker = Worker(
            concurrency=options["concurrency"],
            queues=options["queues"] or ["default"],
            burst=options["burst"],
            poll_seconds=options["poll"],
            schedules=_schedules(options["schedules"]),
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
        if worker.scheduler is not None:
            self.stdout.write(
                f"schedules: {worker.scheduler.queued} queued, "
                f"{worker.scheduler.taken} already queued by another worker"
            )
