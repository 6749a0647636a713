"""The invoice run page queues the run as a background job: the job page shows it, a worker runs
it with the same service, and the job links the run it made."""

from __future__ import annotations

import pytest

from samdrift.billing import services
from samdrift.billing.models import Invoice, InvoiceRun
from samdrift.core.jobs.models import Job
from samdrift.core.jobs.worker import Worker

from .builders import usage_rows
from .test_pages import member, users, world  # noqa: F401 - fixtures


@pytest.mark.django_db
def test_the_run_page_queues_a_job_that_a_worker_runs_once(world, users, client_for):  # noqa: F811
    services.record_usage(
        actor=world.finance,
        rows=[
            row
            for name in ("Myndighet A", "Myndighet B")
            for row in usage_rows(world.agencies[name], "ARBETSPLATS", 2024, 5, [3])
        ],
    )
    client = client_for(users["finance"])
    response = client.post("/billing/runs/", {"period": "2024-03"})
    job = Job.objects.get()
    assert response.status_code == 302 and response["Location"] == f"/jobs/{job.id}/"
    assert job.task_path == "samdrift.billing.tasks.run_invoices"
    assert job.created_by_id == users["finance"].id and job.agency_id == world.provider.id
    assert not InvoiceRun.objects.filter(period="2024-03-01").exists()  # not run yet
    assert job.label in ("Invoice run 2024-03", "Fakturakörning 2024-03")

    assert Worker(burst=True).run() == 1
    job.refresh_from_db()
    assert job.status == "SUCCESSFUL", job.error
    link = f"/billing/runs/2024-03/?provider={world.provider.pk}"  # the provider's run (ADR 0668)
    assert job.result["link"] == link and job.result["invoices"] == 2
    assert Invoice.objects.filter(run__period="2024-03-01").count() == 2
    page = client.get(f"/jobs/{job.id}/").content.decode()
    assert f'href="{link}"' in page

    # Queued again (a retry after a lost worker, or a second click): the same drafts, not twice.
    client.post("/billing/runs/", {"period": "2024-03"})
    Worker(burst=True).run()
    assert Invoice.objects.filter(run__period="2024-03-01").count() == 2
    assert Job.objects.filter(status="SUCCESSFUL").count() == 2


@pytest.mark.django_db
def test_a_customer_cannot_queue_a_run(world, users, client_for):  # noqa: F811
    assert client_for(users["a"]).post("/billing/runs/", {"period": "2024-03"}).status_code == 403
    assert not Job.objects.exists()
