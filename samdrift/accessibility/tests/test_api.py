"""POST /api/v1/accessibility/check: 202 and a job to poll, whose result is the CLI's JSON for
the uploaded file (ADR 0110). Limits and the upload's lifetime: test_check_jobs.py."""

from __future__ import annotations

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile

from samdrift.audit.models import AuditEvent

from .jobs import job_json, run_checks
from .pdfs import conforming_pdf

pytestmark = pytest.mark.django_db
URL = "/api/v1/accessibility/check"


def upload(data: bytes, name: str = "rapport.pdf") -> SimpleUploadedFile:
    return SimpleUploadedFile(name, data, content_type="application/pdf")


def checked(client, data: dict) -> dict:
    """Queue through the API, run the worker, and read the finished job's result."""
    response = client.post(URL, data)
    assert response.status_code == 202, response.content
    queued = response.json()
    assert queued["job_url"] == f"/api/v1/jobs/{queued['job_id']}"
    assert queued["status"] == "READY"
    run_checks()
    job = job_json(client, queued["job_id"])
    assert job["status"] == "SUCCESSFUL", job
    return job["result"]


def test_check_returns_the_cli_shape(agency_contact, client_for) -> None:
    body = checked(
        client_for(agency_contact), {"file": upload(conforming_pdf()), "profile": "pdfua1"}
    )
    (entry,) = body["files"]
    # (key order is not kept by PostgreSQL's jsonb, where the job's result lives)
    assert set(entry) == {"path", "profile", "error", "results"}
    assert (
        entry["path"] == "rapport.pdf" and entry["profile"] == "pdfua1" and entry["error"] is None
    )
    assert all(r["status"] != "failed" for r in entry["results"])
    assert set(entry["results"][0]) == {"rule", "verapdf", "acrobat", "status", "count", "message"}


def test_default_profile_is_acrobat(agency_contact, client_for) -> None:
    body = checked(client_for(agency_contact), {"file": upload(conforming_pdf())})
    assert body["files"][0]["profile"] == "acrobat" and len(body["files"][0]["results"]) == 32


def test_a_bad_file_is_a_result_with_an_error(agency_contact, client_for) -> None:
    entry = checked(client_for(agency_contact), {"file": upload(b"not a pdf", "x.pdf")})["files"][0]
    assert entry["error"] and entry["results"] == []


def test_unknown_profile_is_refused_in_both_languages(agency_contact, client_for) -> None:
    response = client_for(agency_contact).post(
        URL, {"file": upload(conforming_pdf()), "profile": "wcag"}
    )
    assert response.status_code == 422
    body = response.json()
    # The closed set is in the schema (Literal), so the error names the field and both profiles.
    assert body["message_sv"] and body["message_en"]
    assert "profile" in str(body["errors"]) and "pdfua1" in str(body["errors"])


def test_missing_file_is_refused(agency_contact, client_for) -> None:
    assert client_for(agency_contact).post(URL, {"profile": "acrobat"}).status_code == 422


def test_anonymous_is_refused(client_for) -> None:
    assert client_for().post(URL, {"file": upload(conforming_pdf())}).status_code == 401


def test_agencies_share_nothing_and_only_the_owner_reads_the_result(
    agency_contact, other_agency_contact, client_for
) -> None:
    # The result is kept in the job row (ADR 0110 supersedes 0101): only whoever queued the check
    # reads it; another agency's contact gets the same 404 as for a missing job. A check writes
    # no audit event.
    before = AuditEvent.objects.count()
    mine, theirs = client_for(agency_contact), client_for(other_agency_contact)
    first = mine.post(URL, {"file": upload(conforming_pdf(), "a.pdf")}).json()
    second = theirs.post(URL, {"file": upload(b"%PDF-1.7 junk", "b.pdf")}).json()
    run_checks()
    assert job_json(mine, first["job_id"])["result"]["files"][0]["path"] == "a.pdf"
    assert job_json(theirs, second["job_id"])["result"]["files"][0]["error"]
    for client, job_id in ((theirs, first["job_id"]), (mine, second["job_id"])):
        assert client.get(f"/api/v1/jobs/{job_id}").status_code == 404
        assert client.get(f"/accessibility/?job={job_id}").status_code == 404
    assert AuditEvent.objects.count() == before


def test_abilities(agency_contact) -> None:
    from samdrift.accessibility.permissions import checker_abilities
    from samdrift.accounts.selectors import actor_for_user

    assert checker_abilities(actor=None) == {"check": False}
    assert checker_abilities(actor=actor_for_user(agency_contact)) == {"check": True}
