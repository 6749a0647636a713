"""The report signed by the deciding official (issue 18 item 5, ADR 0516): filed with EFOS as it
stands, signed with PAdES through EFOS's own re-authentication, then sealed: neither its prose nor
its decision can change, and every reader of the report can download the signed PDF."""

from __future__ import annotations

import datetime
import subprocess

import pytest

from samdrift.accounts.selectors import actor_for_user
from samdrift.audit.models import AuditEvent
from samdrift.core.exceptions import BusinessRuleViolation
from samdrift.efos import services as efos
from samdrift.efos.models import SignableDocument
from samdrift.efos.signing import validate_pdf
from samdrift.efos.tests.conftest import ca, efos_ca_dir, efos_settings, issue_token  # noqa: F401
from samdrift.efos.tests.test_signing import sign_through_pages
from samdrift.reporting.models import ReportDecision, ReportText
from samdrift.reporting.services import report_decision_save, report_text_save

pytestmark = pytest.mark.django_db
YEAR = 2026
MESSAGE = (
    "Jag beslutar Rapport till regeringen 2026, diarienummer Fi2017/03226/DF, beslutad 2026-11-30."
)


@pytest.fixture
def decided(ca, provider, provider_admin, service_manager):  # noqa: F811
    """Maria (the administrator) decided the 2026 report, Olof presented it; Maria has an e-ID."""
    provider_admin.first_name, provider_admin.last_name = "Maria", "Beslutsfattare"
    provider_admin.save()
    _official, _credential, result = issue_token(provider, "Maria", "Beslutsfattare",
                                                user=provider_admin)  # fmt: skip
    report_decision_save(
        actor=actor_for_user(provider_admin), year=YEAR, reference="Fi2017/03226/DF",
        decided_on=datetime.date(2026, 11, 30), decided_by=provider_admin.id,
        presented_by=service_manager.id,
    )  # fmt: skip
    return result.certificates["authentication"]


def pdf_text(data: bytes) -> str:
    return subprocess.run(
        ["pdftotext", "-", "-"], input=data, capture_output=True, check=True
    ).stdout.decode()


def test_the_deciding_official_signs_and_the_report_is_sealed(
    decided, provider_admin, service_manager, client_for
):
    client = client_for(provider_admin)
    page = client.get(f"/reports/government/{YEAR}/").content.decode()
    assert "Signera rapporten med EFOS" in page
    response = client.post(f"/reports/government/{YEAR}/sign/")
    document = SignableDocument.objects.get()
    assert response.status_code == 302
    assert response["Location"] == f"/efos/documents/{document.pk}/"
    assert document.sign_message == MESSAGE
    assert "Fi2017/03226/DF" in pdf_text(bytes(document.pdf))
    assert sign_through_pages(client, decided, document, message=MESSAGE).status_code == 302

    page = client_for(service_manager).get(f"/reports/government/{YEAR}/").content.decode()
    assert "Signerad av Maria Beslutsfattare" in page and "Signera rapporten" not in page
    signed = client_for(service_manager).get(f"/reports/government/{YEAR}/signed.pdf")
    assert signed.status_code == 200
    report = validate_pdf(signed.content, issuing_crl_der=bytes(efos.current_crl().der))
    assert report.ok, [s.summary for s in report.signatures]
    assert AuditEvent.objects.filter(action="reporting.signing_started").count() == 1
    assert AuditEvent.objects.filter(object_type="reporting.signedreport").exists()

    # Sealed: neither the prose, nor the decision, nor a second signing changes anything.
    admin = actor_for_user(provider_admin)
    decision_before = ReportDecision.objects.values().get()
    with pytest.raises(BusinessRuleViolation, match="kan inte längre ändras"):
        report_text_save(actor=admin, year=YEAR, texts={"summary_sv": "Ändrad"})
    with pytest.raises(BusinessRuleViolation):
        report_decision_save(
            actor=admin, year=YEAR, reference="Fi2025/01234", decided_on=datetime.date(2026, 12, 1),
            decided_by=provider_admin.id, presented_by=service_manager.id,
        )  # fmt: skip
    refused = client.post(f"/reports/government/{YEAR}/sign/", follow=True).content.decode()
    assert "kan inte längre ändras" in refused
    assert not ReportText.objects.exists()
    assert ReportDecision.objects.values().get() == decision_before
    assert SignableDocument.objects.count() == 1


def test_only_the_deciding_official_may_start_and_without_e_id_nothing_is_filed(
    decided, provider, service_manager, provider_admin, client_for
):
    other = client_for(service_manager).post(f"/reports/government/{YEAR}/sign/", follow=True)
    assert "Endast den tjänsteperson som beslutade rapporten" in other.content.decode()
    assert not SignableDocument.objects.exists()
    # The decider without an e-ID (the official unlinked): told to ask the EFOS administrator.
    from samdrift.efos.models import Official

    Official.objects.update(user=None)
    response = client_for(provider_admin).post(f"/reports/government/{YEAR}/sign/", follow=True)
    assert "EFOS-administratör" in response.content.decode()
    assert not SignableDocument.objects.exists()
    assert ReportDecision.objects.get().signing_document_id is None


def test_a_report_without_a_decision_cannot_be_signed_and_unsigned_has_no_pdf(
    provider_admin, client_for
):
    client = client_for(provider_admin)
    response = client.post(f"/reports/government/{YEAR}/sign/", follow=True)
    assert "Registrera beslutet innan rapporten signeras" in response.content.decode()
    assert client.get(f"/reports/government/{YEAR}/signed.pdf").status_code == 404
