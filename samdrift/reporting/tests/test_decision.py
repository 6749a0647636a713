"""The report's decision block (ADR 0514): who decided, who presented, when and the government's
reference number; validated, audited, shown in the page, the HTML document and the PDF."""

from __future__ import annotations

import datetime
import subprocess

import pytest
from django.utils import timezone, translation

from samdrift.accounts.selectors import actor_for_user
from samdrift.audit.models import AuditEvent
from samdrift.core.exceptions import NotFound, PermissionDenied, ValidationFailed
from samdrift.reporting.documents import render_document_html, render_pdf
from samdrift.reporting.models import ReportDecision
from samdrift.reporting.selectors import decision_officials, government_report
from samdrift.reporting.services import report_decision_save

pytestmark = pytest.mark.django_db


def pdf_text(data: bytes) -> str:
    return subprocess.run(
        ["pdftotext", "-", "-"], input=data, capture_output=True, check=True
    ).stdout.decode()


@pytest.fixture
def people(provider_admin, service_manager):
    provider_admin.first_name, provider_admin.last_name = "Maria", "Beslutsfattare"
    service_manager.first_name, service_manager.last_name = "Olof", "Föredragande"
    provider_admin.save()
    service_manager.save()
    return actor_for_user(provider_admin), provider_admin, service_manager


def _save(actor, **changes):
    values = {
        "year": 2026, "reference": "Fi2017/03226/DF", "decided_on": datetime.date(2026, 11, 30),
        "decided_by": None, "presented_by": None,
    }  # fmt: skip
    values.update(changes)
    return report_decision_save(actor=actor, **values)


def test_a_valid_decision_is_stored_audited_and_shown(people):
    actor, decider, presenter = people
    assert [name for _id, name in decision_officials(actor=actor)] == [
        "Maria Beslutsfattare",
        "Olof Föredragande",
    ]
    row = _save(actor, decided_by=decider.id, presented_by=presenter.id)
    assert (row.reference, row.decided_by_id, row.presented_by_id) == (
        "Fi2017/03226/DF", decider.id, presenter.id,
    )  # fmt: skip
    event = AuditEvent.objects.get(action="reporting.decision_saved")
    assert event.before is None and event.after["reference"] == "Fi2017/03226/DF"
    report = government_report(actor=actor, year=2026, language="en")
    html = render_document_html(report)
    for text in (
        "Maria Beslutsfattare",
        "Olof Föredragande",
        "30 November 2026",
        "Fi2017/03226/DF",
    ):
        assert text in html
    sv = render_document_html(government_report(actor=actor, year=2026))
    assert "Beslutat av" in sv and "30 november 2026" in sv
    text = pdf_text(render_pdf(report))
    assert "Maria Beslutsfattare" in text and "Fi2017/03226/DF" in text
    # A correction replaces it and is audited with the value before.
    _save(actor, decided_by=decider.id, presented_by=presenter.id, reference="Fi2025/01234")
    assert ReportDecision.objects.get().reference == "Fi2025/01234"
    last = AuditEvent.objects.filter(action="reporting.decision_saved").order_by("-id").first()
    assert last.before["reference"] == "Fi2017/03226/DF"


@pytest.mark.parametrize(
    ("changes", "field", "en", "sv"),
    [
        ({"reference": "2017/3226"}, "reference", "reference number", "diarienummer"),
        ({"reference": "Fi2017-03226"}, "reference", "reference number", "diarienummer"),
        ({"reference": ""}, "reference", "reference number", "diarienummer"),
        ({"decided_on": "tomorrow"}, "decided_on", "date of the decision", "beslutsdatum"),
        ({"decided_on": "future"}, "decided_on", "cannot be in the future", "kan inte ligga i"),
        ({"decided_on": datetime.date(2025, 12, 31)}, "decided_on", "before its year", "innan"),
        ({"presented_by": "same"}, "presented_by", "someone other", "någon annan"),
        (
            {"presented_by": "outsider"},
            "presented_by",
            "provider agency",
            "leverantörsmyndighetens",
        ),
        ({"decided_by": "x"}, "decided_by", "provider agency", "leverantörsmyndighetens"),
    ],
)
def test_bad_input_is_refused_in_both_languages_and_stores_nothing(
    people, agency_contact, changes, field, en, sv
):
    actor, decider, presenter = people
    values = {"decided_by": decider.id, "presented_by": presenter.id, **changes}
    if values.get("decided_on") == "future":
        values["decided_on"] = timezone.localdate() + datetime.timedelta(days=1)
    values["presented_by"] = {"same": decider.id, "outsider": agency_contact.id}.get(
        values["presented_by"], values["presented_by"]
    )
    for language, expected in (("en", en), ("sv", sv)):
        with translation.override(language), pytest.raises(ValidationFailed) as caught:
            _save(actor, **values)
        assert expected in " ".join(caught.value.errors[field])
    assert not ReportDecision.objects.exists()
    assert not AuditEvent.objects.filter(action="reporting.decision_saved").exists()


def test_only_the_administrator_records_it_and_customers_get_404(
    people, service_manager, agency_contact
):
    _actor, decider, presenter = people
    with pytest.raises(PermissionDenied):
        _save(actor_for_user(service_manager), decided_by=decider.id, presented_by=presenter.id)
    with pytest.raises(NotFound):
        _save(actor_for_user(agency_contact), decided_by=decider.id, presented_by=presenter.id)
    assert not ReportDecision.objects.exists()


def test_the_page_records_it_and_shows_field_errors(people, client_for, service_manager):
    _actor, decider, presenter = people
    client = client_for(decider)
    page = client.get("/reports/government/2026/decision/", HTTP_ACCEPT_LANGUAGE="en")
    assert page.status_code == 200 and "Olof Föredragande" in page.content.decode()
    bad = client.post(
        "/reports/government/2026/decision/",
        {"reference": "nope", "decided_on": "2026-11-30", "decided_by": decider.id,
         "presented_by": decider.id},
        HTTP_ACCEPT_LANGUAGE="sv",
    )  # fmt: skip
    assert bad.status_code == 200
    assert "diarienummer" in bad.content.decode() and not ReportDecision.objects.exists()
    good = client.post(
        "/reports/government/2026/decision/",
        {"reference": "Fi2017/03226/DF", "decided_on": "2026-11-30", "decided_by": decider.id,
         "presented_by": presenter.id},
    )  # fmt: skip
    assert good.status_code == 302 and ReportDecision.objects.get().reference == "Fi2017/03226/DF"
    shown = client.get("/reports/government/2026/", HTTP_ACCEPT_LANGUAGE="en").content.decode()
    assert "Olof Föredragande" in shown and 'href="/reports/government/2026/decision/"' in shown
    assert client_for(service_manager).get("/reports/government/2026/decision/").status_code == 403
