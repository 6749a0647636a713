"""Tasks the job tests run (module level, as django_tasks requires)."""

from __future__ import annotations

from django_tasks import task

from samdrift.core.exceptions import BusinessRuleViolation
from samdrift.core.jobs import progress

CALLS: list[str] = []


@task()
def add(a: int, b: int) -> int:
    return a + b


@task(priority=5)
def urgent() -> str:
    return "urgent"


@task()
def flaky(label: str) -> str:
    CALLS.append(label)
    raise ConnectionError("the far side is down")


@task()
def refused() -> None:
    raise BusinessRuleViolation("Not allowed.")


@task()
def counting(total: int) -> dict[str, int]:
    for done in range(1, total + 1):
        progress.report(done, total, f"step {done}")
    return {"steps": total, "link": "/jobs/"}


@task()
def noop() -> None:
    """Nothing: what the throughput benchmark (bench/bench_jobs.py) queues and runs."""


@task()
def nap(seconds: float) -> float:
    """A job that takes its time (batching tests: a slow job ends a growing batch)."""
    import time

    time.sleep(seconds)
    return seconds
