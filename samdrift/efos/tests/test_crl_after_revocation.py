"""The CRL after a revocation is a background job: the revocation queues one publication after
commit, and the CRL that a worker then signs lists the certificate. The scheduled publication
(every half interval) signs only when the newest CRL is not fresh."""

from __future__ import annotations

import datetime as dt

import pytest
from cryptography import x509

from samdrift.core.actor import SYSTEM
from samdrift.core.jobs.models import Job
from samdrift.core.jobs.worker import Worker
from samdrift.efos import services, tasks
from samdrift.efos.models import CrlPublication
from samdrift.efos.selectors import latest_crl

from .conftest import issue_token

pytestmark = pytest.mark.django_db


def test_a_revocation_queues_one_crl_publication_that_the_worker_signs(
    ca, agency, django_capture_on_commit_callbacks
):
    _official, credential, result = issue_token(agency)
    cert = result.certificates["authentication"]
    Job.objects.all().delete()  # (what issuing queued; this test is about the revocation)
    with django_capture_on_commit_callbacks(execute=True) as callbacks:
        services.revoke_credential(actor=SYSTEM, credential=credential, reason="key_compromise")
        assert not Job.objects.exists()  # queued after commit, not inside the transaction
    assert len(callbacks) == 1
    job = Job.objects.get()
    assert job.task_path == "samdrift.efos.tasks.publish_crl"
    assert job.kwargs == {"after_number": 0}
    assert not CrlPublication.objects.exists()  # nothing signed in the request any more

    assert Worker(burst=True).run() == 1
    job.refresh_from_db()
    assert job.status == "SUCCESSFUL", job.error
    assert job.result["new"] is True
    crl = x509.load_der_x509_crl(bytes(latest_crl().der))
    assert crl.get_revoked_certificate_by_serial_number(cert.serial_number) is not None
    assert crl.is_signature_valid(ca.issuing_cert.public_key())


def test_the_scheduled_publication_signs_only_when_the_newest_crl_is_not_fresh(ca, settings):
    settings.EFOS_CRL_INTERVAL = 3600
    first = tasks.publish_scheduled_crl.call()
    assert first["new"] is True and first["number"] == 1
    again = tasks.publish_scheduled_crl.call()  # a second run of the same slot
    assert again == {"number": 1, "entries": 0, "new": False}
    # A quarter interval later the newest is stale for the schedule: a new number.
    CrlPublication.objects.update(this_update=dt.datetime.now(dt.UTC) - dt.timedelta(seconds=901))
    assert tasks.publish_scheduled_crl.call()["number"] == 2
    assert CrlPublication.objects.count() == 2
