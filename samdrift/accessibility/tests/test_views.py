"""The checker page: upload a PDF, follow its job, read the detailed report in Swedish or
English (ADR 0110)."""

from __future__ import annotations

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile

from samdrift.audit.models import AuditEvent

from .jobs import run_checks
from .pdfs import elements, mutate

pytestmark = pytest.mark.django_db
URL = "/accessibility/"


def _no_alt() -> bytes:
    def drop(pdf):  # type: ignore[no-untyped-def]
        for figure in elements(pdf, "Figure"):
            del figure["/Alt"]

    return mutate(drop)


def checked_page(client, data: dict, **headers: str) -> str:
    """Upload, land on the job's page, let the worker run it, open the report it links."""
    response = client.post(URL, data, **headers)
    assert response.status_code == 302 and response["Location"].startswith("/jobs/")
    job_page = client.get(response["Location"], **headers)
    assert job_page.status_code == 200
    run_checks()
    job_id = int(response["Location"].strip("/").split("/")[-1])
    report = client.get(f"{URL}?job={job_id}", **headers)
    assert report.status_code == 200
    return report.content.decode()


def test_login_required(client_for) -> None:
    response = client_for().get(URL)
    assert response.status_code == 302 and "login" in response["Location"]


def test_form_in_swedish(agency_contact, client_for) -> None:
    response = client_for(agency_contact).get(URL)
    assert response.status_code == 200
    assert "Kontrollera en PDF:s tillgänglighet" in response.content.decode()


def test_upload_shows_the_detailed_report_in_swedish(agency_contact, client_for) -> None:
    data = {"file": SimpleUploadedFile("rapport.pdf", _no_alt()), "profile": "acrobat"}
    page = checked_page(client_for(agency_contact), data)
    assert "Detaljerad rapport" in page
    assert "Alternativ text för figurer" in page and "Underkänt" in page
    assert "Kräver manuell kontroll" in page and "Överhoppat" in page


def test_upload_in_english(agency_contact, client_for) -> None:
    client = client_for(agency_contact)
    client.post("/i18n/setlang/", {"language": "en", "next": URL})
    data = {"file": SimpleUploadedFile("report.pdf", _no_alt()), "profile": "acrobat"}
    page = checked_page(client, data, HTTP_ACCEPT_LANGUAGE="en")
    assert "Detailed report" in page and "Figures alternate text" in page and "Failed" in page


def test_bad_file_shows_a_clear_error(agency_contact, client_for) -> None:
    data = {"file": SimpleUploadedFile("x.pdf", b"hello"), "profile": "pdfua1"}
    page = checked_page(client_for(agency_contact), data)
    assert "Filen är inte en PDF." in page


def test_missing_file_is_a_form_error_and_nothing_is_written(agency_contact, client_for) -> None:
    before = AuditEvent.objects.count()
    response = client_for(agency_contact).post(URL, {"profile": "acrobat"})
    assert response.status_code == 422
    assert "Formuläret innehåller fel" in response.content.decode()
    assert AuditEvent.objects.count() == before


def test_other_agency_sees_only_its_own_result(
    agency_contact, other_agency_contact, client_for
) -> None:
    # The report is the job's: the second agency's page shows no trace of the first's.
    response = client_for(agency_contact).post(
        URL, {"file": SimpleUploadedFile("hemlig.pdf", _no_alt()), "profile": "acrobat"}
    )
    run_checks()
    job_id = int(response["Location"].strip("/").split("/")[-1])
    other = client_for(other_agency_contact)
    page = other.get(URL).content.decode()
    assert "hemlig.pdf" not in page and "Detaljerad rapport" not in page
    assert other.get(f"{URL}?job={job_id}").status_code == 404
    assert other.get(f"/jobs/{job_id}/").status_code == 404
