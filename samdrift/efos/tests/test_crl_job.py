"""CRL publication as a background job: `samdrift efos publish-crl --background` queues it, a
worker signs it once, and the job run again (a lost worker) uses no second CRL number."""

from __future__ import annotations

import io

import pytest
from django.core.management import call_command

from samdrift.core.jobs.models import Job
from samdrift.core.jobs.worker import Worker
from samdrift.efos import tasks
from samdrift.efos.models import CrlPublication

pytestmark = pytest.mark.django_db


def test_publish_crl_in_the_background_signs_once():
    out = io.StringIO()
    call_command("efos", "publish-crl", "--background", stdout=out)
    job = Job.objects.get()
    assert f"job {job.id} queued" in out.getvalue()
    assert not CrlPublication.objects.exists()
    assert Worker(burst=True).run() == 1
    job.refresh_from_db()
    assert job.status == "SUCCESSFUL", job.error
    assert job.result["new"] is True and job.result["number"] == 1
    # The same job once more, as after a lost worker: the CRL it asked for exists already.
    again = tasks.publish_crl.call(**job.kwargs)
    assert again == {"number": 1, "entries": 0, "new": False}
    assert CrlPublication.objects.count() == 1
    # A later request is a new publication.
    tasks.publish_crl.call(after_number=1)
    assert list(CrlPublication.objects.values_list("number", flat=True).order_by("number")) == [
        1,
        2,
    ]
