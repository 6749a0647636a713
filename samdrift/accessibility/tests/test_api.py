"""POST /api/v1/accessibility/check: the CLI's JSON for one uploaded file."""

from __future__ import annotations

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile

from samdrift.audit.models import AuditEvent

from .pdfs import conforming_pdf

pytestmark = pytest.mark.django_db
URL = "/api/v1/accessibility/check"


def upload(data: bytes, name: str = "rapport.pdf") -> SimpleUploadedFile:
    return SimpleUploadedFile(name, data, content_type="application/pdf")


def test_check_returns_the_cli_shape(agency_contact, client_for) -> None:
    response = client_for(agency_contact).post(
        URL, {"file": upload(conforming_pdf()), "profile": "pdfua1"}
    )
    assert response.status_code == 200
    body = response.json()
    (entry,) = body["files"]
    assert list(entry) == ["path", "profile", "error", "results"]
    assert (
        entry["path"] == "rapport.pdf" and entry["profile"] == "pdfua1" and entry["error"] is None
    )
    assert all(r["status"] != "failed" for r in entry["results"])
    assert list(entry["results"][0]) == ["rule", "verapdf", "acrobat", "status", "count", "message"]


def test_default_profile_is_acrobat(agency_contact, client_for) -> None:
    body = client_for(agency_contact).post(URL, {"file": upload(conforming_pdf())}).json()
    assert body["files"][0]["profile"] == "acrobat" and len(body["files"][0]["results"]) == 32


def test_a_bad_file_is_a_result_with_an_error(agency_contact, client_for) -> None:
    response = client_for(agency_contact).post(URL, {"file": upload(b"not a pdf", "x.pdf")})
    assert response.status_code == 200
    entry = response.json()["files"][0]
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


def test_agencies_share_nothing_and_nothing_is_stored(
    agency_contact, other_agency_contact, client_for
) -> None:
    # Cross-agency: the checker keeps no record of a check, so one agency's upload can never be
    # read by another; a check writes no row at all (not even an audit event).
    before = AuditEvent.objects.count()
    first = client_for(agency_contact).post(URL, {"file": upload(conforming_pdf(), "a.pdf")}).json()
    second = (
        client_for(other_agency_contact)
        .post(URL, {"file": upload(b"%PDF-1.7 junk", "b.pdf")})
        .json()
    )
    assert first["files"][0]["path"] == "a.pdf" and first["files"][0]["error"] is None
    assert second["files"][0]["path"] == "b.pdf" and second["files"][0]["error"]
    assert AuditEvent.objects.count() == before


def test_abilities(agency_contact) -> None:
    from samdrift.accessibility.permissions import checker_abilities
    from samdrift.accounts.selectors import actor_for_user

    assert checker_abilities(actor=None) == {"check": False}
    assert checker_abilities(actor=actor_for_user(agency_contact)) == {"check": True}
