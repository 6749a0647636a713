"""The daily restore drill as a recurring job (ADR 0073, 0901)."""

from __future__ import annotations

import os

from django_tasks import task

from samdrift.core.jobs.schedules import declare


@task()
def restore_drill() -> str:
    """Drill the newest backup when a backup folder and passphrase are configured."""
    from .drills import backup_dir, run_drill  # drills sit above tasks in the layers

    folder = backup_dir()
    passphrase = os.environ.get("SAMDRIFT_BACKUP_PASSPHRASE", "")
    if folder is None or not passphrase:
        return "not configured: SAMDRIFT_BACKUP_DIR and SAMDRIFT_BACKUP_PASSPHRASE"
    drill = run_drill(folder, passphrase.encode())
    return f"{drill.backup_name}: {'ok' if drill.succeeded else 'FAILED'}"


declare("continuity.restore_drill", restore_drill, every=86400)
