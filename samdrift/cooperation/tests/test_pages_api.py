"""Pages, API and CLI of the DSAM evaluations: the same rules as the services, bad input
refused in Swedish and English with nothing changed."""

from __future__ import annotations

import io
import json

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.core.management import CommandError, call_command

from samdrift.audit.models import AuditEvent
from samdrift.cooperation.models import Assessment, Catalogue, Requirement

from .conftest import CSV

pytestmark = pytest.mark.django_db


def test_the_owner_sees_the_draft_and_a_customer_gets_404(
    client_for, provider_admin, agency_contact, evaluation
):
    owner = client_for(provider_admin)
    body = owner.get("/cooperation/evaluations/E1/").content.decode()
    assert "Alfa" in body and "Registrera en bedömning" in body
    assert "Utvärdering 2021" in owner.get("/cooperation/").content.decode()
    customer = client_for(agency_contact)
    assert customer.get("/cooperation/evaluations/E1/").status_code == 404
    assert customer.get("/cooperation/catalogues/DSAM-2021/").status_code == 404
    # The draft's title and link, not the bare code: a random CSRF token can hold "E1".
    listing = customer.get("/cooperation/").content.decode()
    assert "Utvärdering 2021" not in listing and "/cooperation/evaluations/E1/" not in listing
    assert customer.post("/cooperation/evaluations/E1/publish/").status_code == 404
    assert not Catalogue.objects.get().published
    owner.post("/cooperation/evaluations/E1/publish/")
    page = customer.get("/cooperation/evaluations/E1/").content.decode()
    assert "Beta" in page and "Registrera en bedömning" not in page


def test_importing_on_the_page(client_for, provider_admin):
    client = client_for(provider_admin)
    good = SimpleUploadedFile("krav.csv", CSV.encode())
    answer = client.post("/cooperation/import/", {"file": good, "code": "K1", "name": "Krav"})
    assert answer.status_code == 302 and answer["Location"] == "/cooperation/catalogues/K1/"
    assert Requirement.objects.filter(catalogue__code="K1").count() == 5
    bad = SimpleUploadedFile("krav.csv", CSV.replace(";bör;", ";kanske;").encode())
    refused = client.post("/cooperation/import/", {"file": bad, "code": "K2"})
    assert refused.status_code == 422
    assert "Rad 5: okänd kravnivå ”kanske”" in refused.content.decode()
    assert not Catalogue.objects.filter(code="K2").exists()


def test_a_bad_verdict_on_the_page_changes_nothing(client_for, provider_admin, evaluation):
    client = client_for(provider_admin)
    beta = evaluation.solutions.get(name="Beta")
    before = (list(Assessment.objects.values()), AuditEvent.objects.count())
    answer = client.post("/cooperation/evaluations/E1/assess/",
                         {"solution": beta.id, "requirement": "V1", "verdict": "met",
                          "evidence": ""})  # fmt: skip
    assert answer.status_code == 422
    assert "Ange underlaget för bedömningen av V1." in answer.content.decode()
    client.cookies["django_language"] = "en"
    english = client.post("/cooperation/evaluations/E1/assess/",
                          {"solution": beta.id, "requirement": "V1", "verdict": "met",
                           "evidence": ""})  # fmt: skip
    assert "Give the evidence for the verdict on V1." in english.content.decode()
    assert (list(Assessment.objects.values()), AuditEvent.objects.count()) == before
    client.post("/cooperation/evaluations/E1/assess/",
                {"solution": beta.id, "requirement": "V1", "verdict": "met", "evidence": "Ok"})  # fmt: skip
    assert Assessment.objects.get(solution=beta, requirement__ref="V1").verdict == "met"


def test_api_reads_and_imports(client_for, provider_admin, agency_contact, evaluation):
    owner = client_for(provider_admin)
    listed = owner.get("/api/v1/cooperation/evaluations").json()["items"]
    assert [e["code"] for e in listed] == ["E1"]
    detail = owner.get("/api/v1/cooperation/evaluations/E1").json()
    assert [r["solution"] for r in detail["results"]] == ["Alfa", "Gamma", "Beta"]
    assert detail["results"][2]["failed_skall"] == ["V1"]
    assert client_for(agency_contact).get("/api/v1/cooperation/evaluations/E1").status_code == 404
    body = {"code": "API1", "name": "Via API", "requirements": [
        {"id": "W1", "area": "Whiteboard", "text": "Rita tillsammans", "grade": "skall"},
        {"id": "W1", "area": "Whiteboard", "text": "", "grade": "kanske"},
    ]}  # fmt: skip
    refused = owner.post("/api/v1/cooperation/catalogues", json.dumps(body),
                         content_type="application/json")  # fmt: skip
    assert refused.status_code == 422
    rows = refused.json()["errors"]["rows"]
    assert rows[0] == "Rad 2: id W1 används redan på rad 1."
    assert rows[2].startswith("Rad 2: okänd kravnivå")
    assert not Catalogue.objects.filter(code="API1").exists()
    body["requirements"] = body["requirements"][:1]
    made = owner.post("/api/v1/cooperation/catalogues", json.dumps(body),
                      content_type="application/json")  # fmt: skip
    assert made.status_code == 201 and made.json()["requirements"][0]["grade"] == "skall"
    assessed = owner.post("/api/v1/cooperation/evaluations/E1/assessments", json.dumps(
        {"solution": "Beta", "requirement": "V1", "verdict": "met", "evidence": "Omtest"}
    ), content_type="application/json")  # fmt: skip
    assert assessed.status_code == 200
    assert all(r["passed"] for r in assessed.json()["results"])


def test_cli_import_names_rows_in_both_languages(tmp_path, provider):
    bad = tmp_path / "krav.csv"
    bad.write_text(CSV.replace(";bör;", ";kanske;"), encoding="utf-8")
    err = io.StringIO()
    with pytest.raises(CommandError, match=r"importerades inte .* not imported"):
        call_command("dsam", "import", str(bad), "--owner", provider.org_number, stderr=err)
    assert ("Rad 5: okänd kravnivå ”kanske” (ange skall, bör eller önskvärd). / "
            "Row 5: unknown grade “kanske” (use skall, bör or önskvärd).") in err.getvalue()  # fmt: skip
    assert not Catalogue.objects.exists()
    good = tmp_path / "krav.csv"
    good.write_text(CSV, encoding="utf-8")
    out = io.StringIO()
    call_command("dsam", "import", str(good), "--owner", provider.org_number, "--code", "C",
                 stdout=out)  # fmt: skip
    assert out.getvalue().strip() == "C: 5 krav / requirements"


def test_cli_report_as_text(evaluation):
    out = io.StringIO()
    call_command("dsam", "report", "E1", stdout=out)
    lines = out.getvalue().splitlines()
    assert lines[1] == "1. Alfa: 100.0 %; godkänd i första gallringen / passed the first screening"
    assert lines[3] == "3. Beta: 100.0 %; utesluten / out: V1"
    with pytest.raises(CommandError, match="Not found"):
        call_command("dsam", "report", "NOPE")


def test_cli_report_as_pdf_and_the_page_download(evaluation, tmp_path, client_for, provider_admin):
    import pikepdf

    target = tmp_path / "e1.pdf"
    call_command("dsam", "report", "E1", "--pdf", str(target), "--language", "en")
    with pikepdf.open(target) as document:
        assert str(document.Root.Lang) == "en"
        assert str(document.docinfo.Title) == "DSAM evaluation E1: Utvärdering 2021"
    page = client_for(provider_admin).get("/cooperation/evaluations/E1/report.pdf")
    assert page["Content-Type"] == "application/pdf" and page.content.startswith(b"%PDF")
