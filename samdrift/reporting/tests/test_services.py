from __future__ import annotations

import pytest

from samdrift.accounts.selectors import actor_for_user
from samdrift.audit.models import AuditEvent
from samdrift.core.exceptions import ConcurrentUpdate, NotFound, PermissionDenied, ValidationFailed
from samdrift.reporting.models import ReportText
from samdrift.reporting.services import report_text_save

pytestmark = pytest.mark.django_db

TEXTS = {
    "summary_sv": "Sammanfattning.",
    "summary_en": "Summary.",
    "background_sv": "Bakgrund.",
    "background_en": "",
}


def _state():
    return list(ReportText.objects.values()), AuditEvent.objects.count()


def test_save_creates_then_updates_with_one_audit_record_each(provider_admin):
    actor = actor_for_user(provider_admin)
    row = report_text_save(actor=actor, year=2021, texts=TEXTS)
    assert (row.version, row.summary_sv, row.updated_by_id) == (
        1,
        "Sammanfattning.",
        provider_admin.id,
    )
    event = AuditEvent.objects.get(action="reporting.text_saved")
    assert event.before is None and event.after["summary_sv"] == "Sammanfattning."
    row = report_text_save(
        actor=actor,
        year=2021,
        texts={**TEXTS, "summary_sv": "Ny.\r\n\r\nText. "},
        expected_version=1,
    )
    assert (row.version, row.summary_sv) == (2, "Ny.\n\nText.")
    assert AuditEvent.objects.filter(action="reporting.text_saved").count() == 2
    last = AuditEvent.objects.filter(action="reporting.text_saved").order_by("-id").first()
    assert last.before["summary_sv"] == "Sammanfattning." and last.after["version"] == 2


def test_service_manager_may_edit(service_manager):
    assert (
        report_text_save(actor=actor_for_user(service_manager), year=2022, texts=TEXTS).version == 1
    )


def test_stale_version_is_refused_and_changes_nothing(provider_admin):
    actor = actor_for_user(provider_admin)
    report_text_save(actor=actor, year=2021, texts=TEXTS)
    report_text_save(actor=actor, year=2021, texts=TEXTS, expected_version=1)
    before = _state()
    with pytest.raises(ConcurrentUpdate):
        report_text_save(
            actor=actor, year=2021, texts={**TEXTS, "summary_sv": "Gammal"}, expected_version=1
        )
    with pytest.raises(ConcurrentUpdate):  # "new text" while one exists
        report_text_save(actor=actor, year=2021, texts=TEXTS)
    assert _state() == before


@pytest.mark.parametrize(
    ("texts", "field"),
    [
        ({**TEXTS, "summary_sv": "x" * 20_001}, "summary_sv"),
        ({**TEXTS, "background_en": "a\x00b"}, "background_en"),
        ({**TEXTS, "title": "x"}, "__all__"),
        ({**TEXTS, "summary_en": 5}, "summary_en"),
    ],
)
def test_bad_input_is_refused_with_field_errors_and_nothing_written(provider_admin, texts, field):
    before = _state()
    with pytest.raises(ValidationFailed) as info:
        report_text_save(actor=actor_for_user(provider_admin), year=2021, texts=texts)
    assert field in info.value.errors
    assert _state() == before


def test_bad_year_is_refused(provider_admin):
    before = _state()
    with pytest.raises(ValidationFailed):
        report_text_save(actor=actor_for_user(provider_admin), year=1999, texts=TEXTS)
    assert _state() == before


@pytest.mark.parametrize(
    ("fixture_name", "error"),
    [
        ("agency_contact", NotFound),
        ("other_agency_contact", NotFound),
        ("account_manager", PermissionDenied),
        ("security_officer", PermissionDenied),
    ],
)
def test_refused_writers_change_nothing(provider_admin, request, fixture_name, error):
    report_text_save(actor=actor_for_user(provider_admin), year=2021, texts=TEXTS)
    before = _state()
    actor = actor_for_user(request.getfixturevalue(fixture_name))
    with pytest.raises(error):
        report_text_save(
            actor=actor, year=2021, texts={**TEXTS, "summary_sv": "Kapad"}, expected_version=1
        )
    assert _state() == before
