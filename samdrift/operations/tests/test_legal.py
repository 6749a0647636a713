"""Legal reporting of an incident (issue 16 item 6, ADR 0844): classification starts the
deadlines from awareness, the reached agencies are told (the processor notice is met only where
someone was told), each report is recorded once with the law's content, refusals change nothing,
and only the provider's operators read any of it — services, pages, API and the PDF/text."""

from __future__ import annotations

import datetime as dt

import pytest
from django.test import Client

from samdrift.audit.models import AuditEvent
from samdrift.core.exceptions import BusinessRuleViolation, NotFound, ValidationFailed
from samdrift.core.notifications.models import Notification
from samdrift.operations import legal, selectors, services
from samdrift.operations.models import Incident, IncidentEvent, LegalReport

from .conftest import MONDAY

H = dt.timedelta(hours=1)
FIRST = {
    "what": "Inloggningen till BASE nekades alla användare.",
    "detected": "Övervakningen larmade 07:40.",
    "handlers": "Försäkringskassans driftcentral.",
    "crime": "Nej.",
    "support": "Inget behov; kontakt via driftcentralen.",
}


def open_incident(ops) -> Incident:
    return services.incident_open(
        actor=ops.actor("operator"),
        service_code="BASE",
        title="Inloggningen fungerar inte",
        impact=1,
        urgency=1,
        now=MONDAY,
    )


def classify(ops, incident, regimes, **kw):
    kw.setdefault("now", MONDAY + H)
    return services.incident_classify(
        actor=ops.actor("operator"), incident_id=incident.id, regimes=regimes, **kw
    )


def rows(ops, incident, now):
    incident.refresh_from_db()
    return {
        r.key: r for r in legal.legal_rows(actor=ops.actor("operator"), incident=incident, now=now)
    }


def test_classifying_starts_every_deadline_and_tells_the_reached_agencies(ops):
    incident = open_incident(ops)
    aware = MONDAY - dt.timedelta(minutes=20)
    classify(ops, incident, ["cert-se", "gdpr-33"], aware_at=aware.isoformat())
    got = rows(ops, incident, MONDAY + 2 * H)
    assert got["cert-se/first"].deadline.due_at == aware + 6 * H
    assert got["cert-se/first"].deadline.status == "open"
    assert got["cert-se/final"].deadline.due_at == aware + dt.timedelta(days=28)
    assert got["gdpr-33/controller"].deadline.due_at == aware + 72 * H
    # The contacts of A were told (B has none): A's processor notice is met at once, B's is not.
    told = Notification.objects.filter(kind="incident_reportable")
    assert set(told.values_list("recipient__username", flat=True)) == {"a_contact"}
    assert got[f"gdpr-33/processor-notice:{ops.a.id}"].deadline.status == "met"
    assert got[f"gdpr-33/processor-notice:{ops.b.id}"].deadline.status == "open"
    assert got[f"gdpr-33/processor-notice:{ops.b.id}"].customer_name == "Myndighet B"
    assert IncidentEvent.objects.filter(incident=incident, kind="classified").count() == 1
    assert AuditEvent.objects.filter(action="operations.incident_classify").count() == 1
    # Six hours later without a first report: overdue.
    assert rows(ops, incident, aware + 7 * H)["cert-se/first"].deadline.status == "overdue"


def test_a_report_is_recorded_once_with_every_item_of_the_law(ops):
    incident = open_incident(ops)
    classify(ops, incident, ["cert-se"])
    operator = ops.actor("operator")
    with pytest.raises(ValidationFailed) as missing:
        services.legal_report_record(
            actor=operator,
            incident_id=incident.id,
            key="cert-se/first",
            content={**FIRST, "crime": "  "},
            now=MONDAY + 2 * H,
        )
    assert set(missing.value.errors) == {"crime"}
    with pytest.raises(ValidationFailed) as unknown:
        services.legal_report_record(
            actor=operator,
            incident_id=incident.id,
            key="cert-se/first",
            content={**FIRST, "extra": "x"},
            now=MONDAY + 2 * H,
        )
    assert "extra" in unknown.value.errors
    for when in (MONDAY - H, MONDAY + 5 * H):  # before awareness; in the future
        with pytest.raises(ValidationFailed):
            services.legal_report_record(
                actor=operator,
                incident_id=incident.id,
                key="cert-se/first",
                content=FIRST,
                met_at=when.isoformat(),
                now=MONDAY + 2 * H,
            )
    assert LegalReport.objects.count() == 0
    report = services.legal_report_record(
        actor=operator,
        incident_id=incident.id,
        key="cert-se/first",
        content=FIRST,
        reference="CERT-SE 2026-1234",
        met_at=(MONDAY + 90 * dt.timedelta(minutes=1)).isoformat(),
        now=MONDAY + 2 * H,
    )
    assert report.content == FIRST and report.reference == "CERT-SE 2026-1234"
    assert rows(ops, incident, MONDAY + 3 * H)["cert-se/first"].deadline.status == "met"
    with pytest.raises(BusinessRuleViolation) as twice:
        services.legal_report_record(
            actor=operator,
            incident_id=incident.id,
            key="cert-se/first",
            content=FIRST,
            now=MONDAY + 3 * H,
        )
    assert twice.value.code == "already_reported"
    assert LegalReport.objects.count() == 1
    assert AuditEvent.objects.filter(action="operations.legal_report").count() == 1


def test_a_report_measured_from_another_waits_for_it(ops):
    incident = open_incident(ops)
    classify(ops, incident, ["nis2"])
    got = rows(ops, incident, MONDAY + 2 * H)
    assert (
        got["nis2/final"].deadline.status == "waiting" and got["nis2/final"].deadline.due_at is None
    )
    with pytest.raises(BusinessRuleViolation) as order:
        services.legal_report_record(
            actor=ops.actor("operator"),
            incident_id=incident.id,
            key="nis2/final",
            content={"description": "x", "cause": "x", "mitigation": "x", "cross-border": "x"},
            now=MONDAY + 2 * H,
        )
    assert order.value.code == "report_order"
    services.legal_report_record(
        actor=ops.actor("operator"),
        incident_id=incident.id,
        key="nis2/notification",
        content={"severity": "Hög", "impact": "Ingen inloggning", "indicators": "Inga"},
        met_at=(MONDAY + 30 * H).isoformat(),
        now=MONDAY + 31 * H,
    )
    final = rows(ops, incident, MONDAY + 32 * H)["nis2/final"].deadline
    assert final.status == "open" and final.due_at == (MONDAY + 30 * H).replace(year=2027, month=1)


def test_refusals_leave_the_classification_as_it_was(ops):
    incident = open_incident(ops)
    with pytest.raises(ValidationFailed) as unknown:
        classify(ops, incident, ["cert-se", "dora"])
    assert unknown.value.errors == {"regimes": ["dora"]}
    with pytest.raises(ValidationFailed):
        classify(ops, incident, ["cert-se"], aware_at=(MONDAY + 3 * H).isoformat())
    with pytest.raises(ValidationFailed):
        classify(ops, incident, ["cert-se"], aware_at="yesterday")
    incident.refresh_from_db()
    assert incident.regimes == [] and incident.aware_at is None
    classify(ops, incident, ["cert-se"])
    services.legal_report_record(
        actor=ops.actor("operator"),
        incident_id=incident.id,
        key="cert-se/first",
        content=FIRST,
        now=MONDAY + 2 * H,
    )
    with pytest.raises(BusinessRuleViolation) as dropped:
        classify(ops, incident, [])
    assert dropped.value.code == "regime_reported"
    with pytest.raises(BusinessRuleViolation) as moved:
        classify(ops, incident, ["cert-se"], aware_at=(MONDAY - H).isoformat())
    assert moved.value.code == "aware_fixed"
    incident.refresh_from_db()
    assert incident.regimes == ["cert-se"] and incident.aware_at == MONDAY
    # A per-customer notice needs an agency the incident reaches.
    classify(ops, incident, ["cert-se", "gdpr-33"], now=MONDAY + 3 * H)
    for key in ("gdpr-33/processor-notice", f"gdpr-33/processor-notice:{ops.c.id}"):
        with pytest.raises(ValidationFailed):
            services.legal_report_record(
                actor=ops.actor("operator"),
                incident_id=incident.id,
                key=key,
                content={"informed": "Telefon"},
                now=MONDAY + 4 * H,
            )
    with pytest.raises(BusinessRuleViolation):
        services.legal_report_record(
            actor=ops.actor("operator"),
            incident_id=incident.id,
            key="nis2/early-warning",
            content={"malicious": "x", "cross-border": "x"},
            now=MONDAY + 4 * H,
        )


@pytest.mark.parametrize("name", ["finance", "a_member", "a_contact", "b_member", "second_admin"])
def test_only_the_providers_operators_read_or_write_it(ops, name):
    incident = open_incident(ops)
    classify(ops, incident, ["cert-se"])
    actor = ops.actor(name)
    with pytest.raises(NotFound):
        legal.legal_rows(
            actor=actor,
            incident=selectors.incident_get(actor=ops.actor("operator"), incident_id=incident.id),
        )
    with pytest.raises(NotFound):
        services.incident_classify(actor=actor, incident_id=incident.id, regimes=[])
    with pytest.raises(NotFound):
        services.legal_report_record(
            actor=actor, incident_id=incident.id, key="cert-se/first", content=FIRST
        )
    incident.refresh_from_db()
    assert incident.regimes == ["cert-se"] and LegalReport.objects.count() == 0
    client = Client()
    client.force_login(ops.users[name])
    base = f"/operations/incidents/{incident.id}/legal"
    assert client.get(f"{base}/cert-se/first/").status_code == 404
    assert client.get(f"{base}/cert-se/first/report.pdf").status_code == 404
    assert client.get(f"/api/v1/operations/incidents/{incident.id}/legal").status_code == 404
    page = client.get(f"/operations/incidents/{incident.id}/")
    assert b"legal-heading" not in page.content


def test_pages_classify_record_and_download(ops):
    incident = open_incident(ops)
    client = Client()
    client.force_login(ops.users["operator"])
    page = client.get(f"/operations/incidents/{incident.id}/")
    assert page.status_code == 200 and b"legal-heading" in page.content
    saved = client.post(
        f"/operations/incidents/{incident.id}/legal/", {"regimes": ["cert-se"], "aware_at": ""}
    )
    assert saved.status_code == 302
    incident.refresh_from_db()
    assert incident.regimes == ["cert-se"] and incident.aware_at == incident.opened_at
    form = client.get(f"/operations/incidents/{incident.id}/legal/cert-se/first/")
    assert form.status_code == 200
    assert "Inloggningen fungerar inte" in form.content.decode()  # the draft from the incident
    draft = client.get(f"/operations/incidents/{incident.id}/legal/cert-se/first/report.txt")
    text = draft.content.decode()
    assert "UTKAST" in text and "Vad har hänt?" in text and "Myndighet A" in text
    refused = client.post(
        f"/operations/incidents/{incident.id}/legal/cert-se/first/",
        {f"item_{k}": v for k, v in FIRST.items() if k != "support"},
    )
    assert refused.status_code == 422 and LegalReport.objects.count() == 0
    made = client.post(
        f"/operations/incidents/{incident.id}/legal/cert-se/first/",
        {**{f"item_{k}": v for k, v in FIRST.items()}, "reference": "CERT-SE 77"},
    )
    assert made.status_code == 302 and LegalReport.objects.get().reference == "CERT-SE 77"
    english = client.get(
        f"/operations/incidents/{incident.id}/legal/cert-se/first/report.txt?language=en"
    ).content.decode()
    assert "What happened?" in english and FIRST["crime"] in english and "DRAFT" not in english
    pdf = client.get(f"/operations/incidents/{incident.id}/legal/cert-se/first/report.pdf")
    assert pdf.status_code == 200 and pdf.content.startswith(b"%PDF")
    assert (
        client.get(
            f"/operations/incidents/{incident.id}/legal/cert-se/first/report.doc"
        ).status_code
        == 404
    )
    assert client.get(f"/operations/incidents/{incident.id}/legal/nis2/first/").status_code == 404


def test_api_reads_classifies_and_records(ops):
    incident = open_incident(ops)
    client = Client()
    client.force_login(ops.users["operator"])
    url = f"/api/v1/operations/incidents/{incident.id}/legal"
    assert client.get(url).json() == {"regimes": [], "aware_at": None, "deadlines": []}
    bad = client.post(f"{url}/classify", {"regimes": ["x"]}, content_type="application/json")
    assert bad.status_code == 422 and "Unknown reporting regime" in bad.json()["message_en"]
    body = client.post(
        f"{url}/classify", {"regimes": ["cert-se"]}, content_type="application/json"
    ).json()
    assert [d["key"] for d in body["deadlines"]] == ["cert-se/first", "cert-se/final"]
    assert body["deadlines"][0]["checklist"][0] == {
        "key": "what",
        "sv": "Vad har hänt?",
        "en": "What happened?",
    }
    missing = client.post(
        f"{url}/reports",
        {"key": "cert-se/first", "content": {"what": "x"}},
        content_type="application/json",
    )
    assert missing.status_code == 422 and LegalReport.objects.count() == 0
    made = client.post(
        f"{url}/reports",
        {"key": "cert-se/first", "content": FIRST},
        content_type="application/json",
    )
    assert made.status_code == 201
    first = made.json()["deadlines"][0]
    # Recorded now, days after the incident of MONDAY: made, but late.
    assert first["status"] == "late" and first["report"]["content"] == FIRST
    assert first["met_at"] is not None


def test_cli_lists_the_deadlines_and_writes_a_report(ops, tmp_path):
    from io import StringIO

    from django.core.management import CommandError, call_command

    incident = open_incident(ops)
    classify(ops, incident, ["cert-se"])
    out = StringIO()
    call_command("operations", "legal", str(incident.id), stdout=out)
    lines = out.getvalue().splitlines()
    assert [line.split("\t")[0] for line in lines] == ["cert-se/first", "cert-se/final"]
    target = tmp_path / "first.pdf"
    call_command(
        "operations", "legal", str(incident.id), "--key", "cert-se/first", "--format", "pdf",
        "--language", "en", "--output", str(target),
    )  # fmt: skip
    assert target.read_bytes().startswith(b"%PDF")
    with pytest.raises(CommandError):
        call_command("operations", "legal", str(incident.id), "--key", "nis2/final")
