"""Publishing the CRL, and expiring e-IDs past their date on the same schedule.

A module of its own, below `services` and `tasks`: services queue a publication after a
revocation (`tasks.queue_publication`), and the task publishes through this module, so neither
imports the other both ways.
"""

from __future__ import annotations

import datetime as dt
import time

from cryptography.hazmat.primitives import serialization
from django.db import transaction
from django.db.models import Max
from django.utils import timezone

from samdrift.audit.services import audit_record, snapshot
from samdrift.core.actor import SYSTEM, Actor

from . import conf
from .ca.authority import authority
from .ca.revocation import build_crl
from .choices import CredentialStatus as S
from .models import Credential, CrlPublication
from .selectors import revoked_for_crl


def expire_credentials(*, actor: Actor = SYSTEM) -> int:
    """Mark e-IDs past their end date as expired (run on the same schedule as the CRL)."""
    count = 0
    for credential in Credential.objects.filter(
        status__in=[S.ISSUED, S.ACTIVE, S.SUSPENDED], not_after__lte=timezone.now()
    ).select_related("official"):
        with transaction.atomic():
            before = snapshot(credential)
            credential.status = S.EXPIRED
            credential.save(update_fields=["status", "updated_at"])
            audit_record(
                actor=actor,
                action="efos.credential.expire",
                obj=credential,
                organisation_id=credential.official.organisation_id,
                before=before,
                after=snapshot(credential),
            )
        count += 1
    return count


def publish_crl(*, actor: Actor = SYSTEM) -> CrlPublication:
    """Sign and store a new full CRL of the issuing CA."""
    started = time.perf_counter()
    revoked = revoked_for_crl()
    this_update = timezone.now().replace(microsecond=0)
    next_update = this_update + dt.timedelta(seconds=conf.crl_interval_seconds())
    with transaction.atomic():
        number = (CrlPublication.objects.aggregate(m=Max("number"))["m"] or 0) + 1
        crl = build_crl(authority(), number, revoked, this_update, next_update)
        publication = CrlPublication.objects.create(
            number=number,
            this_update=this_update,
            next_update=next_update,
            entries=len(revoked),
            der=crl.public_bytes(serialization.Encoding.DER),
            seconds=time.perf_counter() - started,
        )
        audit_record(
            actor=actor,
            action="efos.crl.publish",
            obj=publication,
            after={"number": number, "entries": len(revoked)},
        )
    return publication
