"""Recurring work, queued by the workers themselves (no cron): `declare()` in an app's
`tasks.py`, `SAMDRIFT_SCHEDULES` (setting or environment, JSON) to add, change or switch off.

Time is cut into slots of one period each, counted from the epoch, so every worker computes the
same slot. A worker queues a schedule's job when the current slot has no `ScheduledRun` row yet,
creating that row and the job in one transaction; the unique (name, slot) pair lets one worker of
many win. Only the current slot is looked at: a worker back after a long stop queues the latest
missed run, not every one it missed (ADR 0073).

    SAMDRIFT_SCHEDULES='{"notifications.sweep_email": {"every": 300},
                         "audit.prune_security_log": {"every": 0},
                         "mine": {"task": "myapp.tasks.nightly", "every": 86400}}'
"""

from __future__ import annotations

import json
import logging
import math
import os
import threading
import time
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from typing import Any

from django.conf import settings
from django.db import IntegrityError, transaction
from django.utils.module_loading import autodiscover_modules, import_string
from django_tasks.base import Task

from samdrift.core.actor import SYSTEM

from . import origin
from .models import ScheduledRun

logger = logging.getLogger(__name__)

Seconds = float | Callable[[], float]
KEEP_RUNS = 100  # ScheduledRun rows kept per schedule


@dataclass(frozen=True)
class Schedule:
    name: str
    task_path: str
    every: Seconds  # a callable is read at each tick (EFOS reads its CRL interval)
    kwargs: dict[str, Any] = field(default_factory=dict)

    def period(self) -> float:
        return float(self.every() if callable(self.every) else self.every)

    def slot(self, now: float) -> int:
        return math.floor(now / self.period())

    def slot_start(self, slot: int) -> float:
        return slot * self.period()


_declared: dict[str, Schedule] = {}


def declare(name: str, task: Task[Any, Any] | str, *, every: Seconds, **kwargs: Any) -> None:
    """Run `task` (or the task at that dotted path) once every `every` seconds; kwargs are its
    JSON arguments. Called at import of an app's `tasks.py`; the workers import those modules to
    find the declarations."""
    path = task if isinstance(task, str) else task.module_path
    _declared[name] = Schedule(name, path, every, kwargs)


def _overrides() -> dict[str, dict[str, Any]]:
    raw = getattr(settings, "SAMDRIFT_SCHEDULES", None)
    if raw is None:
        raw = os.environ.get("SAMDRIFT_SCHEDULES", "")
    if isinstance(raw, str):
        raw = json.loads(raw) if raw.strip() else {}
    if not isinstance(raw, dict):
        raise ValueError("SAMDRIFT_SCHEDULES is a JSON object: name → {task, every, kwargs}")
    return raw


def all_schedules() -> dict[str, Schedule]:
    """Every schedule in force, by name: the declared ones with the overrides applied; a period
    of 0 switches one off."""
    autodiscover_modules("tasks")
    schedules = dict(_declared)
    for name, override in _overrides().items():
        known = schedules.get(name)
        task_path = override.get("task") or (known.task_path if known else None)
        if task_path is None:
            raise ValueError(f"SAMDRIFT_SCHEDULES[{name!r}] names no task")
        schedules[name] = Schedule(
            name,
            task_path,
            override.get("every", known.every if known else 0),
            override.get("kwargs", known.kwargs if known else {}),
        )
    return {name: s for name, s in schedules.items() if s.period() > 0}


def enqueue_slot(schedule: Schedule, slot: int) -> int | None:
    """Queue the run of `slot` unless a worker did; returns the job's id, or None if taken."""
    if ScheduledRun.objects.filter(name=schedule.name, slot=slot).exists():
        return None
    task: Task[Any, Any] = import_string(schedule.task_path)
    try:
        with transaction.atomic():
            run = ScheduledRun.objects.create(name=schedule.name, slot=slot)
            with origin.queued_by(SYSTEM, label=schedule.name):  # nobody asked: no creator
                job = task.enqueue(**schedule.kwargs)
            run.job_id = int(job.id)
            run.save(update_fields=["job"])
            # Only recent rows matter (the last run, a race within a slot): keep the table small.
            ScheduledRun.objects.filter(name=schedule.name, slot__lte=slot - KEEP_RUNS).delete()
    except IntegrityError:  # another worker created the row first
        return None
    return run.job_id


class Scheduler:
    """Called from a worker's loop; looks at most every `tick_seconds`, from one thread at a time."""

    def __init__(
        self,
        *,
        only: Iterable[str] | None = None,
        tick_seconds: float = 1.0,
        clock: Callable[[], float] = time.time,
    ) -> None:
        self.only = set(only) if only is not None else None
        self.tick_seconds = tick_seconds
        self.clock = clock
        self.queued = 0  # jobs this scheduler queued
        self.taken = 0  # slots another worker had queued first
        self._seen: dict[str, int] = {}  # the last slot known to be queued, per schedule
        self._last_tick = -math.inf
        self._lock = threading.Lock()

    def schedules(self) -> list[Schedule]:
        found = all_schedules()
        return [s for name, s in found.items() if self.only is None or name in self.only]

    def tick(self) -> list[int]:
        """Queue what is due now; returns the ids of the jobs queued."""
        if not self._lock.acquire(blocking=False):
            return []
        try:
            now = self.clock()
            if now - self._last_tick < self.tick_seconds:
                return []
            self._last_tick = now
            queued = []
            for schedule in self.schedules():
                slot = schedule.slot(now)
                if self._seen.get(schedule.name) == slot:
                    continue
                try:
                    job_id = enqueue_slot(schedule, slot)
                except Exception:  # one broken schedule must not stop the others or the worker
                    logger.exception("schedule %s: queueing slot %s failed", schedule.name, slot)
                    continue
                self._seen[schedule.name] = slot
                if job_id is None:
                    self.taken += 1
                else:
                    self.queued += 1
                    queued.append(job_id)
            return queued
        finally:
            self._lock.release()
