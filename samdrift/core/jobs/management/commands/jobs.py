"""`samdrift jobs list [--status S]` and `samdrift jobs show ID [--follow]`.

`--follow` prints a line each time the job's progress or status changes, until it finishes;
the exit code is 1 when it failed.
"""

from __future__ import annotations

import time
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser

from samdrift.core.actor import SYSTEM
from samdrift.core.exceptions import NotFound
from samdrift.core.jobs.models import Job, Status
from samdrift.core.jobs.selectors import job_detail, visible_jobs


def line(job: Job) -> str:
    parts = [f"#{job.id}", job.status, job.label or job.task_path]
    if job.progress_total:
        parts.append(f"{job.progress_done}/{job.progress_total} ({job.percent}%)")
    if job.progress_message:
        parts.append(job.progress_message)
    if job.attempts > 1:
        parts.append(f"attempt {job.attempts}/{job.max_attempts}")
    return "  ".join(parts)


class Command(BaseCommand):
    help = "List background jobs or follow one."

    def add_arguments(self, parser: CommandParser) -> None:
        sub = parser.add_subparsers(dest="action", required=True)
        listing = sub.add_parser("list", help="The newest jobs.")
        listing.add_argument("--status", choices=[s.value for s in Status])
        listing.add_argument("--limit", type=int, default=20)
        show = sub.add_parser("show", help="One job; --follow until it finishes.")
        show.add_argument("job_id", type=int)
        show.add_argument("--follow", action="store_true")
        show.add_argument("--interval", type=float, default=0.5)

    def handle(self, *args: Any, **options: Any) -> None:
        if options["action"] == "list":
            jobs = visible_jobs(actor=SYSTEM)
            if options["status"]:
                jobs = jobs.filter(status=options["status"])
            for job in jobs[: max(1, options["limit"])]:
                self.stdout.write(line(job))
            return
        try:
            job = job_detail(actor=SYSTEM, job_id=options["job_id"])
        except NotFound as missing:
            raise CommandError(str(missing)) from None
        shown = ""
        while True:
            current = line(job)
            if current != shown:
                self.stdout.write(current)
                self.stdout.flush()
                shown = current
            if job.is_finished or not options["follow"]:
                break
            time.sleep(options["interval"])
            job.refresh_from_db()
        if job.is_finished:
            if job.error and job.status == Status.FAILED:
                self.stdout.write(job.error.strip().splitlines()[-1])
            elif job.result is not None:
                self.stdout.write(f"result: {job.result}")
        if job.status == Status.FAILED:
            raise SystemExit(1)
