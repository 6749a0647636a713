"""One row per queued task: what to run, its state, its lease and its progress."""

from __future__ import annotations

from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _


class Status(models.TextChoices):
    # The values are django_tasks' TaskResultStatus values, so a row maps onto a TaskResult.
    READY = "READY", _("Waiting")
    RUNNING = "RUNNING", _("Running")
    SUCCESSFUL = "SUCCESSFUL", _("Done")
    FAILED = "FAILED", _("Failed")


class Job(models.Model):
    task_path = models.CharField(max_length=255)
    queue_name = models.CharField(max_length=64, default="default")
    backend = models.CharField(max_length=64, default="default")
    args = models.JSONField(default=list)
    kwargs = models.JSONField(default=dict)

    status = models.CharField(max_length=16, choices=Status.choices, default=Status.READY)
    priority = models.SmallIntegerField(default=0)
    attempts = models.PositiveIntegerField(default=0)
    max_attempts = models.PositiveIntegerField(default=3)
    run_after = models.DateTimeField(default=timezone.now)

    # The lease: the worker that holds the job and until when. A worker renews it while the task
    # runs (heartbeat); once it has expired, any worker may claim the job again (ADR 0011).
    lease_owner = models.CharField(max_length=64, blank=True)
    lease_expires_at = models.DateTimeField(null=True, blank=True)
    worker_ids = models.JSONField(default=list)

    progress_done = models.PositiveIntegerField(default=0)
    progress_total = models.PositiveIntegerField(default=0)
    progress_message = models.CharField(max_length=200, blank=True)

    result = models.JSONField(null=True, blank=True)
    error_class = models.CharField(max_length=255, blank=True)
    error = models.TextField(blank=True, help_text="The traceback of the last failed attempt.")

    # Who queued it, for tenancy: plain ids because core sits below accounts and organisations,
    # and a job's history outlives a removed account.
    created_by_id = models.BigIntegerField(null=True, blank=True, db_index=True)
    agency_id = models.BigIntegerField(null=True, blank=True, db_index=True)
    label = models.CharField(max_length=200, blank=True)

    created_at = models.DateTimeField(default=timezone.now)
    started_at = models.DateTimeField(null=True, blank=True)
    finished_at = models.DateTimeField(null=True, blank=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ["-created_at", "-id"]
        indexes = [
            # The claim's order, so taking the next job reads one index entry, not every row.
            models.Index(
                fields=["status", "queue_name", "-priority", "run_after", "id"],
                name="jobs_next_due",
            ),
            models.Index(fields=["status", "lease_expires_at"], name="jobs_lease"),
        ]

    def __str__(self) -> str:
        return f"{self.task_path}#{self.pk}"

    @property
    def is_finished(self) -> bool:
        return self.status in (Status.SUCCESSFUL, Status.FAILED)

    @property
    def percent(self) -> int | None:
        if not self.progress_total:
            return None
        return min(100, round(100 * self.progress_done / self.progress_total))

    @property
    def task_name(self) -> str:
        return self.task_path.rsplit(".", 1)[-1]

    @property
    def result_link(self) -> str:
        """A task that made something to look at returns {"link": "/path/", …}."""
        link = self.result.get("link") if isinstance(self.result, dict) else None
        return link if isinstance(link, str) and link.startswith("/") else ""


class ScheduledRun(models.Model):
    """One row per schedule and slot (the n-th period since the epoch), created in the same
    transaction as the job it queued: the unique pair is what makes several workers queue a
    recurring task once per period (ADR 0073)."""

    name = models.CharField(max_length=100)
    slot = models.BigIntegerField()
    job = models.ForeignKey(Job, null=True, blank=True, on_delete=models.SET_NULL)
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["name", "slot"], name="jobs_one_run_per_slot")
        ]

    def __str__(self) -> str:
        return f"{self.name}@{self.slot}"
