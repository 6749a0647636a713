"""The checker page: upload a PDF, read the detailed report in Swedish or English."""

from __future__ import annotations

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile

from samdrift.audit.models import AuditEvent

from .pdfs import elements, mutate

pytestmark = pytest.mark.django_db
URL = "/accessibility/"


def _no_alt() -> bytes:
    def drop(pdf):  # type: ignore[no-untyped-def]
        for figure in elements(pdf, "Figure"):
            del figure["/Alt"]

    return mutate(drop)


def test_login_required(client_for) -> None:
    response = client_for().get(URL)
    assert response.status_code == 302 and "login" in response["Location"]


def test_form_in_swedish(agency_contact, client_for) -> None:
    response = client_for(agency_contact).get(URL)
    assert response.status_code == 200
    assert "Kontrollera en PDF:s tillgänglighet" in response.content.decode()


def test_upload_shows_the_detailed_report_in_swedish(agency_contact, client_for) -> None:
    data = {"file": SimpleUploadedFile("rapport.pdf", _no_alt()), "profile": "acrobat"}
    page = client_for(agency_contact).post(URL, data).content.decode()
    assert "Detaljerad rapport" in page
    assert "Alternativ text för figurer" in page and "Underkänt" in page
    assert "Kräver manuell kontroll" in page and "Överhoppat" in page


def test_upload_in_english(agency_contact, client_for) -> None:
    client = client_for(agency_contact)
    client.post("/i18n/setlang/", {"language": "en", "next": URL})
    data = {"file": SimpleUploadedFile("report.pdf", _no_alt()), "profile": "acrobat"}
    page = client.post(URL, data, HTTP_ACCEPT_LANGUAGE="en").content.decode()
    assert "Detailed report" in page and "Figures alternate text" in page and "Failed" in page


def test_bad_file_shows_a_clear_error(agency_contact, client_for) -> None:
    data = {"file": SimpleUploadedFile("x.pdf", b"hello"), "profile": "pdfua1"}
    page = client_for(agency_contact).post(URL, data).content.decode()
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
    # Nothing is kept between requests: the second agency's page shows no trace of the first's.
    client_for(agency_contact).post(URL, {"file": SimpleUploadedFile("hemlig.pdf", _no_alt())})
    page = client_for(other_agency_contact).get(URL).content.decode()
    assert "hemlig.pdf" not in page and "Detaljerad rapport" not in page
