"""What samdrift records of its own continuity: each restore drill and what it achieved."""

from __future__ import annotations

from django.db import models
from django.utils.translation import gettext_lazy as _


class RestoreDrill(models.Model):
    """One restore drill (ADR 0901): the newest backup restored into a scratch database and
    compared. Achieved RPO is the age of that backup when the drill began (the newest data that
    could be brought back); achieved RTO is how long bringing it back and checking it took."""

    started_at = models.DateTimeField(_("started"))
    finished_at = models.DateTimeField(_("finished"))
    backup_name = models.CharField(_("backup"), max_length=255)
    backup_created_at = models.DateTimeField(_("backup made"), null=True, blank=True)
    succeeded = models.BooleanField(_("succeeded"))
    problems = models.JSONField(_("problems"), default=list, blank=True)
    rpo_seconds = models.PositiveBigIntegerField(_("achieved RPO (seconds)"), null=True, blank=True)
    rto_seconds = models.FloatField(_("achieved RTO (seconds)"))
    tables = models.PositiveIntegerField(_("tables"), default=0)
    rows = models.PositiveBigIntegerField(_("rows"), default=0)
    files = models.PositiveIntegerField(_("files"), default=0)

    class Meta:
        verbose_name = _("restore drill")
        verbose_name_plural = _("restore drills")
        ordering = ["-started_at", "-id"]

    def __str__(self) -> str:
        return f"{self.backup_name} {self.started_at:%Y-%m-%d %H:%M}"
