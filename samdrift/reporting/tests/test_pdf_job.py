"""The report PDF as a background job: the page queues it, a worker renders and stores it once,
the job's page links it, and only those who see the job can fetch it."""

from __future__ import annotations

import pytest

from samdrift.core.files.models import StoredFile
from samdrift.core.jobs import queue
from samdrift.core.jobs.models import Job
from samdrift.core.jobs.worker import Worker, run_job

pytestmark = pytest.mark.django_db


def test_the_pdf_is_prepared_by_a_job_and_fetched_from_it(
    world, provider, provider_admin, agency_contact, client_for
):
    client = client_for(provider_admin)
    page = client.get("/reports/government/2021/").content.decode()
    assert 'action="/reports/government/2021/pdf/prepare/"' in page
    response = client.post("/reports/government/2021/pdf/prepare/")
    job = Job.objects.get()
    assert response.status_code == 302 and response["Location"] == f"/jobs/{job.id}/"
    assert (job.created_by_id, job.agency_id) == (provider_admin.id, provider.id)

    assert Worker(burst=True).run() == 1
    job.refresh_from_db()
    assert job.status == "SUCCESSFUL", job.error
    assert job.result["link"] == f"/jobs/{job.id}/file/"
    assert f'href="/jobs/{job.id}/file/"' in client.get(f"/jobs/{job.id}/").content.decode()
    download = client.get(f"/jobs/{job.id}/file/")
    assert download.status_code == 200 and download["Content-Type"] == "application/pdf"
    body = b"".join(download.streaming_content)
    assert body.startswith(b"%PDF-")
    assert f"regeringsrapport-2021-{job.id}.pdf" in download["Content-Disposition"]

    # Run again as after a lost worker: the same file, not a second one.
    Job.objects.filter(id=job.id).update(status="READY", attempts=1)
    claimed = queue.claim(worker_id="again", lease_seconds=30, queues=["default"])
    assert claimed is not None
    run_job(claimed, worker_id="again", backend=Worker(burst=True).backend)
    assert StoredFile.objects.count() == 1

    # A customer sees neither the job nor its file, and may not queue one.
    customer = client_for(agency_contact)
    assert customer.get(f"/jobs/{job.id}/file/").status_code == 404
    assert customer.post("/reports/government/2021/pdf/prepare/").status_code == 404
    assert Job.objects.count() == 1
