"""The jobs pages and API over HTTP: who sees which job, and progress as a running job reports it."""

from __future__ import annotations

import re

import pytest
from django.contrib.auth import get_user_model
from django.test import Client

from samdrift.core.actor import Actor
from samdrift.core.jobs import progress, queue
from samdrift.core.jobs.models import Job, Status
from samdrift.core.jobs.origin import queued_by
from samdrift.core.jobs.worker import Worker

from . import sample_tasks

pytestmark = pytest.mark.django_db


def _queue(user, task=sample_tasks.add, *args, agency_id=None, label="Sums"):  # type: ignore[no-untyped-def]
    with queued_by(Actor(user_id=user.id, label=user.username), agency_id=agency_id, label=label):
        return Job.objects.get(id=int(task.enqueue(*args).id))


def _client(user) -> Client:  # type: ignore[no-untyped-def]
    client = Client()
    client.force_login(user)
    return client


def test_progress_of_a_running_job_shows_on_the_page_and_in_the_api(agency_contact):
    job = _queue(agency_contact, sample_tasks.counting, 10, label="Ten steps")
    claimed = queue.claim(worker_id="w", lease_seconds=30, queues=["default"])
    assert claimed is not None and claimed.id == job.id
    token = progress._running.set(progress.Running(claimed, "w", 30))
    try:
        progress.report(3, 10, "step 3")  # what the task says inside a worker
    finally:
        progress._running.reset(token)
    client = _client(agency_contact)
    page = client.get(f"/jobs/{job.id}/").content.decode()
    assert f'data-live-topic="job:{job.id}"' in page and 'id="job-region"' in page
    assert re.search(r'<label for="job-progress">', page)
    assert '<progress id="job-progress" max="10" value="3">30 %</progress>' in page
    assert "step 3" in page
    body = client.get(f"/api/v1/jobs/{job.id}").json()
    assert body["status"] == "RUNNING" and body["label"] == "Ten steps"
    assert body["progress"] == {"done": 3, "total": 10, "message": "step 3", "percent": 30}


def test_a_finished_job_links_its_result_and_a_failed_one_shows_why(agency_contact):
    done = _queue(agency_contact, sample_tasks.counting, 2)
    failed = _queue(agency_contact, sample_tasks.refused)
    Worker(burst=True).run()
    client = _client(agency_contact)
    page = client.get(f"/jobs/{done.id}/").content.decode()
    assert 'href="/jobs/"' in page and 'max="2" value="2"' in page
    page = client.get(f"/jobs/{failed.id}/").content.decode()
    assert "BusinessRuleViolation: Not allowed." in page
    assert "<details>" not in page  # the traceback is for provider staff only
    body = client.get(f"/api/v1/jobs/{failed.id}").json()
    assert body["status"] == "FAILED" and body["error"].endswith("Not allowed.")
    assert body["result"] is None and body["result_link"] == ""


def test_my_jobs_lists_mine_and_another_users_job_is_a_404(agency_contact, agency_orderer):
    mine = _queue(agency_contact, label="Mine")
    theirs = _queue(agency_orderer, label="Theirs")
    client = _client(agency_contact)
    listing = client.get("/jobs/").content.decode()
    assert "Mine" in listing and "Theirs" not in listing
    assert client.get(f"/jobs/{theirs.id}/").status_code == 404
    assert client.get("/jobs/999999/").status_code == 404
    gone = client.get(f"/api/v1/jobs/{theirs.id}")
    assert gone.status_code == 404 and gone.json() == client.get("/api/v1/jobs/999999").json()
    ids = [row["id"] for row in client.get("/api/v1/jobs").json()["items"]]
    assert ids == [mine.id]


def test_provider_staff_see_the_jobs_queued_for_their_provider_only(
    provider, provider_admin, agency_contact, other_agency
):
    for_provider = _queue(agency_contact, agency_id=provider.id, label="For the provider")
    elsewhere = _queue(agency_contact, agency_id=other_agency.id, label="Elsewhere")
    client = _client(provider_admin)
    assert client.get(f"/jobs/{for_provider.id}/").status_code == 200
    assert client.get(f"/jobs/{elsewhere.id}/").status_code == 404
    ids = {row["id"] for row in client.get("/api/v1/jobs").json()["items"]}
    assert ids == {for_provider.id}
    assert client.get("/api/v1/jobs?mine=true").json()["items"] == []
    stranger = _client(get_user_model().objects.create_user(username="stranger"))
    assert stranger.get(f"/api/v1/jobs/{for_provider.id}").status_code == 404


def test_the_api_refuses_a_bad_filter_with_the_bilingual_body(agency_contact):
    response = _client(agency_contact).get("/api/v1/jobs?status=NOPE")
    assert response.status_code == 422
    body = response.json()
    assert body["code"] == "invalid" and body["message_sv"] and body["message_en"]


def test_the_pages_need_a_login(client):
    assert client.get("/jobs/").status_code == 302
    assert client.get("/api/v1/jobs").status_code == 401


def test_job_status_values_match_django_tasks():
    from django_tasks.base import TaskResultStatus

    assert {s.value for s in Status} == {s.value for s in TaskResultStatus}


def test_the_job_topic_is_authorised_by_the_same_selector(agency_contact, agency_orderer):
    from samdrift.core import live

    job = _queue(agency_contact)
    owner = Actor(user_id=agency_contact.id, label="owner")
    other = Actor(user_id=agency_orderer.id, label="other")
    assert live.authorised(owner, f"job:{job.id}") is True
    assert live.authorised(other, f"job:{job.id}") is False
    assert live.authorised(owner, "job:999999") is False


@pytest.mark.parametrize(("language", "text"), [("sv", "Jobb"), ("en", "Jobs")])
def test_the_main_navigation_links_the_jobs_page(agency_contact, language, text):
    client = _client(agency_contact)
    client.cookies["django_language"] = language
    overview = client.get("/").content.decode()
    nav = overview.split('<ul class="nav">', 1)[1].split("</ul>", 1)[0]
    assert f'<li><a href="/jobs/">{text}</a></li>' in nav
    jobs_page = client.get("/jobs/").content.decode()
    assert '<a href="/jobs/" aria-current="page">' in jobs_page
