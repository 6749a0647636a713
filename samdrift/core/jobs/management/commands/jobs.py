"""`samdrift jobs list [--status S]`, `samdrift jobs show ID [--follow]`, `samdrift jobs schedules`.

`--follow` prints a line each time the job's progress or status changes, until it finishes;
the exit code is 1 when it failed.
"""

from __future__ import annotations

import datetime as dt
import time
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser

from samdrift.core.actor import SYSTEM
from samdrift.core.exceptions import NotFound
from samdrift.core.jobs.models import Job, ScheduledRun, Status
from samdrift.core.jobs.schedules import all_schedules
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
        sub.add_parser("schedules", help="The recurring jobs, their last and next run.")

    def handle(self, *args: Any, **options: Any) -> None:
        if options["action"] == "schedules":
            self._schedules()
            return
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

    def _schedules(self) -> None:
        now = time.time()
        self.stdout.write("name  task  period  last run  next run (UTC)")
        for name, schedule in sorted(all_schedules().items()):
            last = ScheduledRun.objects.filter(name=name).order_by("-slot").first()
            slot = schedule.slot(now)
            if last is not None and last.slot >= slot:
                upcoming = _utc(schedule.slot_start(slot + 1))
            else:
                upcoming = "due now"
            done = "never run"
            if last is not None:
                done = f"last run: job #{last.job_id} at {_utc(schedule.slot_start(last.slot))}"
            parts = [name, schedule.task_path, f"every {_period(schedule.period())}"]
            parts += [done, f"next {upcoming}"]
            self.stdout.write("  ".join(parts))


def _utc(epoch: float) -> str:
    return dt.datetime.fromtimestamp(epoch, dt.UTC).strftime("%Y-%m-%dT%H:%M:%SZ")


def _period(seconds: float) -> str:
    for unit, size in (("d", 86400), ("h", 3600), ("min", 60)):
        if seconds >= size and seconds % size == 0:
            return f"{int(seconds // size)} {unit}"
    return f"{seconds:g} s"
