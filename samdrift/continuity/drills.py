"""Restore drills (issue 18 item 1, ADR 0901): the newest backup in the backup folder is
restored into a scratch database and compared; the drill records the RPO and RTO it achieved,
which are compared with every service's targets in its service level.

samdrift runs its services from one database and one storage, so one drill proves them all; each
service is measured against its own `rpo_hours` and `rto_hours`. The recurring job runs daily
when `SAMDRIFT_BACKUP_DIR` and `SAMDRIFT_BACKUP_PASSPHRASE` are set.
"""

from __future__ import annotations

import os
from dataclasses import dataclass
from pathlib import Path

from django.conf import settings
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from samdrift.audit.services import audit_record
from samdrift.catalogue.choices import Lifecycle
from samdrift.catalogue.selectors import service_list
from samdrift.core.actor import SYSTEM
from samdrift.core.exceptions import DomainError, ValidationFailed
from samdrift.core.i18n import bilingual_line

from . import services
from .models import RestoreDrill


def backup_dir() -> Path | None:
    configured = getattr(settings, "SAMDRIFT_BACKUP_DIR", "") or os.environ.get(
        "SAMDRIFT_BACKUP_DIR", ""
    )
    return Path(configured) if configured else None


def newest_backup(folder: Path) -> Path:
    found = (
        sorted(folder.glob("*.backup"), key=lambda p: p.stat().st_mtime) if folder.is_dir() else []
    )
    if not found:
        raise ValidationFailed(
            _("There is no backup (*.backup) in %(folder)s."), folder=str(folder)
        )
    return found[-1]


def run_drill(folder: Path, passphrase: bytes) -> RestoreDrill:
    """Restore the newest backup in `folder` into scratch and record what was achieved. A backup
    that does not restore is a failed drill, recorded with its reason, not an error."""
    backup = newest_backup(folder)
    started = timezone.now()
    try:
        outcome = services.verify_backup(backup, passphrase)
    except DomainError as refused:
        finished = timezone.now()
        values = {
            "succeeded": False,
            "problems": [bilingual_line(refused.message, refused.params)],
            "rto_seconds": (finished - started).total_seconds(),
        }
    else:
        finished = timezone.now()
        created = outcome.created_at
        values = {
            "succeeded": not outcome.problems,
            "problems": outcome.problems[:50],
            "backup_created_at": created,
            "rpo_seconds": max(int((started - created).total_seconds()), 0) if created else None,
            "rto_seconds": outcome.seconds,
            "tables": outcome.tables,
            "rows": outcome.rows,
            "files": outcome.files,
        }
    with transaction.atomic():
        drill = RestoreDrill.objects.create(
            started_at=started, finished_at=finished, backup_name=backup.name, **values
        )
        audit_record(
            actor=SYSTEM,
            action="continuity.drill",
            obj=drill,
            after={"backup": backup.name, "succeeded": drill.succeeded,
                   "rpo_seconds": drill.rpo_seconds, "rto_seconds": round(drill.rto_seconds, 1)},
        )  # fmt: skip
    return drill


@dataclass(frozen=True)
class ServiceVerdict:
    code: str
    name: str
    rpo_hours: int
    rto_hours: int
    rpo_met: bool
    rto_met: bool


def verdicts(drill: RestoreDrill) -> list[ServiceVerdict]:
    """Each published service's targets against what the drill achieved; a failed drill meets
    no target."""
    rows = service_list(actor=SYSTEM, lifecycle=Lifecycle.ACTIVE).values_list(
        "code", "name_sv", "rpo_hours", "rto_hours"
    )
    return [
        ServiceVerdict(
            code,
            name,
            rpo,
            rto,
            rpo_met=drill.succeeded
            and drill.rpo_seconds is not None
            and drill.rpo_seconds <= rpo * 3600,
            rto_met=drill.succeeded and drill.rto_seconds <= rto * 3600,
        )
        for code, name, rpo, rto in rows
    ]


def latest() -> RestoreDrill | None:
    return RestoreDrill.objects.order_by("-started_at", "-id").first()
