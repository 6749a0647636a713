"""Background jobs of EFOS: publishing the CRL (the scheduled one, and the one after revocations).

Idempotent: the job carries the number of the newest CRL when it was asked for; when a newer one
exists (this job's own, signed by a worker that was lost before recording it, or another
publication in between, which includes every revocation made before the request), that one
answers and no new number is used.
"""

from __future__ import annotations

from typing import Any

from django_tasks import task

from samdrift.core.jobs import progress

from . import services
from .selectors import latest_crl


@task()
def publish_crl(*, after_number: int) -> dict[str, Any]:
    latest = latest_crl()
    if latest is not None and latest.number > after_number:
        return {"number": latest.number, "entries": latest.entries, "new": False}
    progress.report(0, 2, "expiring e-IDs past their date")
    expired = services.expire_credentials()
    progress.report(1, 2, "signing the CRL")
    publication = services.publish_crl()
    return {
        "number": publication.number,
        "entries": publication.entries,
        "expired": expired,
        "new": True,
        "link": "/efos/crl",
    }


def queue_publication() -> str:
    """Queue a publication as of now; returns the job's id."""
    latest = latest_crl()
    return publish_crl.enqueue(after_number=latest.number if latest else 0).id
