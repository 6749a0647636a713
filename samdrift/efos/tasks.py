"""Background jobs of EFOS: publishing the CRL (the scheduled one, and the one after revocations).

Idempotent: the job carries the number of the newest CRL when it was asked for; when a newer one
exists (this job's own, signed by a worker that was lost before recording it, or another
publication in between, which includes every revocation made before the request), that one
answers and no new number is used.
"""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.utils import timezone
from django_tasks import task

from samdrift.core.actor import SYSTEM
from samdrift.core.jobs import progress
from samdrift.core.jobs.origin import queued_by
from samdrift.core.jobs.schedules import declare

from . import conf, crl_publishing
from .selectors import latest_crl


@task()
def publish_crl(*, after_number: int) -> dict[str, Any]:
    latest = latest_crl()
    if latest is not None and latest.number > after_number:
        return {"number": latest.number, "entries": latest.entries, "new": False}
    progress.report(0, 2, "expiring e-IDs past their date")
    expired = crl_publishing.expire_credentials()
    progress.report(1, 2, "signing the CRL")
    publication = crl_publishing.publish_crl()
    return {
        "number": publication.number,
        "entries": publication.entries,
        "expired": expired,
        "new": True,
        "link": "/efos/crl",
    }


def queue_publication() -> str:
    """Queue a publication as of now (after a revocation has committed); returns the job's id."""
    latest = latest_crl()
    with queued_by(SYSTEM, label="efos.publish_crl (after a revocation)"):
        return publish_crl.enqueue(after_number=latest.number if latest else 0).id


def _half_interval() -> float:
    return conf.crl_interval_seconds() / 2


@task()
def publish_scheduled_crl() -> dict[str, Any]:
    """The schedule, every half interval, so a CRL never nears its nextUpdate. A CRL younger than
    a quarter interval (a revocation's, or this job run a second time) counts as this run's."""
    latest = latest_crl()
    fresh_since = timezone.now() - dt.timedelta(seconds=_half_interval() / 2)
    if latest is not None and latest.this_update > fresh_since:
        return {"number": latest.number, "entries": latest.entries, "new": False}
    return publish_crl.call(after_number=latest.number if latest else 0)


declare("efos.publish_crl", publish_scheduled_crl, every=_half_interval)
