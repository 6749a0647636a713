"""Checks as background jobs (issue 19 item 4, ADR 0110): per-person and system-wide limits on
checks under way (429 with Retry-After, bilingual, nothing stored), page and processor-time limits
in the child process, and the upload kept only until its job ends. Real worker, real child
processes, real files."""

from __future__ import annotations

import io
from functools import lru_cache

import pikepdf
import pytest
from django.core.files.uploadedfile import SimpleUploadedFile

from samdrift.accessibility.tasks import upload_dir
from samdrift.core.jobs.models import Job
from samdrift.tests.factories import UserFactory

from .jobs import job_json, run_checks
from .pdfs import conforming_pdf

pytestmark = pytest.mark.django_db
API = "/api/v1/accessibility/check"
PAGE = "/accessibility/"


@pytest.fixture(autouse=True)
def own_data_dir(settings, tmp_path):
    settings.DATA_DIR = tmp_path
    settings.ACCESSIBILITY_CHECKS_PER_USER = 2
    settings.ACCESSIBILITY_CHECKS_GLOBAL = 6


@lru_cache(maxsize=1)
def many_pages(count: int = 20_000) -> bytes:
    """Blank pages: 20,000 take about a second of processor time to check in full here."""
    pdf = pikepdf.new()
    for _ in range(count):
        pdf.add_blank_page()
    out = io.BytesIO()
    pdf.save(out)
    return out.getvalue()


def _upload(data: bytes | None = None, name: str = "rapport.pdf") -> SimpleUploadedFile:
    return SimpleUploadedFile(name, data or conforming_pdf(), content_type="application/pdf")


def _stored() -> list[str]:
    folder = upload_dir()
    return sorted(p.name for p in folder.iterdir()) if folder.exists() else []


def test_a_person_has_at_most_two_checks_under_way(agency_contact, agency_member, client_for):
    client = client_for(agency_contact)
    for name in ("a.pdf", "b.pdf"):
        assert client.post(API, {"file": _upload(name=name)}).status_code == 202
    assert len(_stored()) == 2
    jobs_before = Job.objects.count()
    refused = client.post(API, {"file": _upload(name="c.pdf")})
    assert refused.status_code == 429
    assert refused["Retry-After"] == "30"
    body = refused.json()
    assert body["code"] == "checker_busy"
    assert (
        "redan 2 kontroller" in body["message_sv"] and "already have 2 checks" in body["message_en"]
    )
    # nothing stored: no job, no file
    assert Job.objects.count() == jobs_before and len(_stored()) == 2
    # someone else may still check
    assert client_for(agency_member).post(API, {"file": _upload()}).status_code == 202
    # once the worker has run them, the first person may again
    run_checks()
    assert _stored() == []
    assert client.post(API, {"file": _upload()}).status_code == 202


def test_the_system_has_at_most_the_global_number_under_way(settings, client_for):
    settings.ACCESSIBILITY_CHECKS_GLOBAL = 3
    people = [UserFactory(username=f"granskare{i}") for i in range(4)]
    for person in people[:3]:
        assert client_for(person).post(API, {"file": _upload()}).status_code == 202
    refused = client_for(people[3]).post(API, {"file": _upload()})
    assert refused.status_code == 429 and refused["Retry-After"] == "30"
    body = refused.json()
    assert "upptagen" in body["message_sv"] and "busy" in body["message_en"]
    assert len(_stored()) == 3


def test_the_page_refuses_with_429_and_says_why(agency_contact, client_for):
    client = client_for(agency_contact)
    for _ in range(2):
        assert client.post(PAGE, {"file": _upload(), "profile": "acrobat"}).status_code == 302
    refused = client.post(PAGE, {"file": _upload(), "profile": "acrobat"})
    assert refused.status_code == 429 and refused["Retry-After"] == "30"
    assert "Du har redan 2 kontroller på gång" in refused.content.decode()
    assert len(_stored()) == 2


def test_the_upload_is_kept_only_until_its_job_ends(agency_contact, client_for):
    client = client_for(agency_contact)
    good = client.post(API, {"file": _upload()}).json()
    bad = client.post(API, {"file": _upload(b"not a pdf at all", "x.pdf")}).json()
    assert len(_stored()) == 2  # waiting for the worker
    assert run_checks() == 2
    assert _stored() == []
    assert job_json(client, good["job_id"])["result"]["files"][0]["error"] is None
    assert job_json(client, bad["job_id"])["result"]["files"][0]["error"]


def test_a_file_over_the_page_limit_is_refused_by_the_child(settings, agency_contact, client_for):
    settings.ACCESSIBILITY_CHECK_MAX_PAGES = 100
    client = client_for(agency_contact)
    queued = client.post(API, {"file": _upload(many_pages(), "lang.pdf")}).json()
    run_checks()
    result = job_json(client, queued["job_id"])["result"]
    entry = result["files"][0]
    assert "20000 pages" in entry["error"] and entry["results"] == []
    assert result["report"]["error_code"] == "too_many_pages"
    assert _stored() == []


def test_the_processor_time_limit_stops_the_child(settings, agency_contact, client_for):
    """RLIMIT_CPU of one second: the kernel stops the child. 60,000 pages take about three
    seconds to check in full on this machine (20,000 took 1.1 s: too close to the limit)."""
    settings.ACCESSIBILITY_CHECK_CPU_SECONDS = 1
    settings.ACCESSIBILITY_CHECK_MAX_PAGES = 100_000
    client = client_for(agency_contact)
    queued = client.post(API, {"file": _upload(many_pages(60_000), "lang.pdf")}).json()
    run_checks()
    result = job_json(client, queued["job_id"])["result"]
    assert result["report"]["error_code"] == "cpu_time"
    assert "processor time" in result["files"][0]["error"]
    assert _stored() == []
    # the report page says it in Swedish
    page = client.get(f"{PAGE}?job={queued['job_id']}").content.decode()
    assert "för mycket processortid" in page
