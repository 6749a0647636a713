"""Test helpers: run the queued checks with a real (burst) worker and read a job's answer."""

from __future__ import annotations

from typing import Any

from django.test import Client

from samdrift.core.jobs.worker import Worker


def run_checks() -> int:
    """Every due job, by a real worker in this process; returns how many ran."""
    return int(Worker(burst=True).run())


def job_json(client: Client, job_id: int) -> dict[str, Any]:
    response = client.get(f"/api/v1/jobs/{job_id}")
    assert response.status_code == 200, response.content
    body: dict[str, Any] = response.json()
    return body
