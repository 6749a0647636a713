"""Recurring jobs: one job per schedule and slot, whoever asks; after a restart only the latest
missed slot; overrides from SAMDRIFT_SCHEDULES; `samdrift jobs schedules`."""

from __future__ import annotations

import io
import re
import signal
import subprocess
import time

import pytest
from django.core.management import call_command
from django.utils.module_loading import import_string
from django_tasks.base import Task

from samdrift.core.jobs import schedules
from samdrift.core.jobs.models import Job, ScheduledRun
from samdrift.core.jobs.schedules import Scheduler

pytestmark = pytest.mark.django_db

TICK = {"test.tick": {"task": "samdrift.core.jobs.tests.sample_tasks.noop", "every": 10}}


class Clock:
    def __init__(self, now: float) -> None:
        self.now = now

    def __call__(self) -> float:
        return self.now


def test_the_apps_declare_their_recurring_work():
    found = schedules.all_schedules()
    assert found["audit.checkpoint"].task_path == "samdrift.audit.tasks.checkpoint"
    assert found["audit.checkpoint"].period() == 3600
    assert found["audit.prune_security_log"].period() == 86400
    sweep = found["notifications.sweep_email"]
    assert sweep.task_path == "samdrift.core.notifications.tasks.deliver_due_email"
    assert sweep.period() == 60
    assert found["notifications.prune"].period() == 86400
    assert found["efos.publish_crl"].task_path == "samdrift.efos.tasks.publish_scheduled_crl"
    for schedule in found.values():  # every path names a task (the prune one is by path)
        assert isinstance(import_string(schedule.task_path), Task), schedule


def test_efos_publishes_every_half_of_its_crl_interval(settings):
    settings.EFOS_CRL_INTERVAL = 600
    assert schedules.all_schedules()["efos.publish_crl"].period() == 300


def test_settings_add_change_and_switch_off_schedules(settings):
    settings.SAMDRIFT_SCHEDULES = {
        **TICK,
        "notifications.sweep_email": {"every": 300},
        "audit.prune_security_log": {"every": 0},
    }
    found = schedules.all_schedules()
    assert found["test.tick"].period() == 10
    assert found["notifications.sweep_email"].period() == 300
    assert "audit.prune_security_log" not in found
    settings.SAMDRIFT_SCHEDULES = '{"nameless": {"every": 5}}'  # JSON text, as from the env
    with pytest.raises(ValueError, match="nameless"):
        schedules.all_schedules()


def test_one_job_per_slot_however_many_schedulers_ask(settings):
    settings.SAMDRIFT_SCHEDULES = TICK
    clock = Clock(1_000_005.0)
    first, second = (Scheduler(only=["test.tick"], clock=clock) for _ in range(2))
    assert len(first.tick()) == 1
    assert second.tick() == []  # the same slot: the row is there
    assert (first.queued, second.taken) == (1, 1)
    clock.now += 0.5
    assert first.tick() == []  # looks at most once a second
    clock.now += 10
    assert len(second.tick()) == 1  # the next slot: whoever comes first
    assert first.tick() == []
    runs = list(ScheduledRun.objects.order_by("slot").values_list("slot", "job__task_path"))
    noop = "samdrift.core.jobs.tests.sample_tasks.noop"
    assert runs == [(100_000, noop), (100_001, noop)]
    assert Job.objects.count() == 2
    assert set(Job.objects.values_list("label", flat=True)) == {"test.tick"}


def test_a_restart_catches_up_only_the_latest_missed_slot(settings):
    settings.SAMDRIFT_SCHEDULES = TICK
    assert Scheduler(only=["test.tick"], clock=Clock(105.0)).tick()  # slot 10
    # Stopped for slots 11-13; started again in slot 14, twice within it:
    assert len(Scheduler(only=["test.tick"], clock=Clock(145.0)).tick()) == 1
    assert Scheduler(only=["test.tick"], clock=Clock(149.0)).tick() == []
    assert list(ScheduledRun.objects.order_by("slot").values_list("slot", flat=True)) == [10, 14]


def test_only_the_latest_runs_of_a_schedule_are_kept(settings):
    settings.SAMDRIFT_SCHEDULES = TICK
    for slot in (10, 50, 109, 110, 111):
        assert Scheduler(only=["test.tick"], clock=Clock(slot * 10 + 1.0)).tick()
    # 100 slots back from the newest (111) are forgotten; their jobs stay.
    assert list(ScheduledRun.objects.order_by("slot").values_list("slot", flat=True)) == [
        50,
        109,
        110,
        111,
    ]
    assert Job.objects.count() == 5


def test_the_schedule_row_and_its_job_commit_together(settings, monkeypatch):
    settings.SAMDRIFT_SCHEDULES = TICK
    from samdrift.core.jobs.tests import sample_tasks

    def broken_enqueue(*args, **kwargs):  # type: ignore[no-untyped-def]
        raise ConnectionError("the database went away mid-way")

    monkeypatch.setattr(type(sample_tasks.noop), "enqueue", broken_enqueue)
    scheduler = Scheduler(only=["test.tick"], clock=Clock(105.0))
    assert scheduler.tick() == []
    assert not ScheduledRun.objects.exists()  # no row claims a slot whose job was not queued
    monkeypatch.undo()
    scheduler.clock = Clock(107.0)
    assert len(scheduler.tick()) == 1  # the same slot is tried again


def test_the_command_lists_schedules_with_their_next_run(settings):
    settings.SAMDRIFT_SCHEDULES = TICK
    Scheduler(only=["test.tick"]).tick()
    out = io.StringIO()
    call_command("jobs", "schedules", stdout=out)
    lines = {line.split()[0]: line for line in out.getvalue().splitlines()[1:]}
    assert "every 10 s" in lines["test.tick"] and "last run: job #" in lines["test.tick"]
    assert "next " in lines["test.tick"]
    assert "every 1 h" in lines["audit.checkpoint"] and "due now" in lines["audit.checkpoint"]
    assert "every 1 d" in lines["notifications.prune"]


@pytest.mark.slow
@pytest.mark.django_db(transaction=True)
def test_two_worker_processes_queue_a_one_second_schedule_once_per_slot(tmp_path):
    from .databases import subprocess_database
    from .test_kill import _manage

    every_second = (
        '{"test.tick": {"task": "samdrift.core.jobs.tests.sample_tasks.noop", "every": 1}}'
    )
    with subprocess_database(tmp_path, "jobs_schedules") as db:
        workers = []
        try:
            workers.extend(
                _manage(
                    db,
                    "worker",
                    "--poll",
                    "0.05",
                    "--schedules",
                    "test.tick",
                    stdout=subprocess.PIPE,
                    stderr=subprocess.PIPE,
                    extra_env={"SAMDRIFT_SCHEDULES": every_second},
                )
                for _ in range(2)
            )
            for worker in workers:  # both up (Django loaded) before the clock starts
                assert worker.stdout.readline().startswith("worker ")
            time.sleep(3.5)  # three slot starts at least, both workers looking at each
            for worker in workers:
                worker.send_signal(signal.SIGTERM)
            outputs = [worker.communicate(timeout=30) for worker in workers]
        finally:
            for worker in workers:
                if worker.poll() is None:
                    worker.kill()
                    worker.wait()
        assert [worker.returncode for worker in workers] == [0, 0], outputs
        # A slot queued just before SIGTERM is given back unstarted (ADR 0074); one more worker
        # that queues no schedules runs what is left, so every queued slot must end run.
        drain = _manage(db, "worker", "--once", "--schedules", "none", stdout=subprocess.PIPE)
        drain.communicate(timeout=60)
        assert drain.returncode == 0
        runs = db.rows("SELECT slot, job_id FROM jobs_scheduledrun WHERE name = 'test.tick'")
        jobs = db.rows("SELECT id, status FROM jobs_job ORDER BY id")
    slots = sorted(slot for slot, _job in runs)
    assert len(slots) >= 3 and slots == list(range(slots[0], slots[0] + len(slots)))
    assert sorted(job for _slot, job in runs) == [job_id for job_id, _status in jobs]
    assert all(status == "SUCCESSFUL" for _id, status in jobs)  # and they were run
    counts = [
        tuple(map(int, re.search(r"schedules: (\d+) queued, (\d+) already", out).groups()))  # type: ignore[union-attr]
        for out, _err in outputs
    ]
    assert sum(queued for queued, _taken in counts) == len(slots)
    # Both really looked at every slot (one may win them all: which one is up to the clock), and
    # the loser found the slot queued already rather than queueing it again.
    assert all(queued + taken >= len(slots) - 1 for queued, taken in counts), counts
    assert sum(taken for _queued, taken in counts) >= len(slots) - 2, counts
