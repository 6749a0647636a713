"""The job the kill test runs, and its entry point to queue it in another process.

`steps` does `total` steps; each step's effect is one row, written only if absent (the task is
idempotent), and the final effect is one row too. Every attempt also logs itself, so the test
can see the job really ran twice.

    manage.py shell -c "from samdrift.core.jobs.tests.kill_world import enqueue; enqueue(…)"
"""

from __future__ import annotations

import os
import time

from django.db import connection, transaction
from django_tasks import task

from samdrift.core.jobs import progress

TABLES = (
    "CREATE TABLE IF NOT EXISTS jobs_kill_attempt (name VARCHAR(40), pid INTEGER)",
    "CREATE TABLE IF NOT EXISTS jobs_kill_step (name VARCHAR(40), step INTEGER, pid INTEGER)",
    "CREATE TABLE IF NOT EXISTS jobs_kill_effect (name VARCHAR(40), steps INTEGER)",
)


def _absent(table: str, where: str, params: list[object]) -> bool:
    with connection.cursor() as cursor:
        cursor.execute(f"SELECT 1 FROM {table} WHERE {where}", params)  # noqa: S608 - fixed names
        return cursor.fetchone() is None


@task()
def steps(name: str, total: int, delay: float) -> dict[str, object]:
    pid = os.getpid()
    with connection.cursor() as cursor:
        cursor.execute("INSERT INTO jobs_kill_attempt (name, pid) VALUES (%s, %s)", [name, pid])
    for step in range(1, total + 1):
        if _absent("jobs_kill_step", "name = %s AND step = %s", [name, step]):
            time.sleep(delay)  # the work of the step; a kill here repeats this step only
            with transaction.atomic():
                if _absent("jobs_kill_step", "name = %s AND step = %s", [name, step]):
                    with connection.cursor() as cursor:
                        cursor.execute(
                            "INSERT INTO jobs_kill_step (name, step, pid) VALUES (%s, %s, %s)",
                            [name, step, pid],
                        )
        progress.report(step, total, f"step {step} of {total}")
    with transaction.atomic():
        if _absent("jobs_kill_effect", "name = %s", [name]):
            with connection.cursor() as cursor:
                cursor.execute(
                    "INSERT INTO jobs_kill_effect (name, steps) VALUES (%s, %s)", [name, total]
                )
    return {"name": name, "steps": total}


def enqueue(name: str, total: int, delay: float) -> None:
    """Create the effect tables and queue the job; prints its id (run through `manage.py shell`)."""
    with connection.cursor() as cursor:
        for sql in TABLES:
            cursor.execute(sql)
    print(steps.enqueue(name, total, delay).id)  # noqa: T201
