"""The report's Program 2032 and continuity section (ADR 0513): sites, the redundancy check,
what losing each site does, and the year's restore drills, all from continuity's live data."""

from __future__ import annotations

import datetime

import pytest
from django.utils import timezone

from samdrift.accounts.selectors import actor_for_user
from samdrift.continuity import placements
from samdrift.continuity.models import RestoreDrill
from samdrift.reporting.documents import render_document_html
from samdrift.reporting.selectors import government_report
from samdrift.tests.factories import OrganisationFactory, ServiceFactory, SubscriptionFactory

pytestmark = pytest.mark.django_db


def _drill(when: datetime.datetime, *, ok: bool = True, rpo: int | None = 3600, rto: float = 600):
    return RestoreDrill.objects.create(
        started_at=when, finished_at=when + datetime.timedelta(seconds=rto), backup_name="b",
        succeeded=ok, rpo_seconds=rpo, rto_seconds=rto,
    )  # fmt: skip


@pytest.fixture
def actor(provider_admin):
    return actor_for_user(provider_admin)


@pytest.fixture
def placed(actor):
    """Two sites in two regions; DOC on the northern one only, used by a preparedness agency;
    MAIL on both, with a secondary that needs 30 hours against its 8."""
    operator = OrganisationFactory(name="Fortifikationsverket")
    for code, region in (("NORD-A", "nord"), ("SYD-A", "syd")):
        placements.site_create(
            actor=actor, code=code, name=f"Hall {code}", operator_id=operator.id, region=region,
            security_class=2, capacity=5, nis_relevant=True,
        )  # fmt: skip
    doc = ServiceFactory(code="DOC", name_sv="Dokument", name_en="Documents", rto_hours=24,
                         rpo_hours=1)  # fmt: skip
    mail = ServiceFactory(code="MAIL", name_sv="E-post", name_en="Mail", rto_hours=8, rpo_hours=24)
    SubscriptionFactory(
        organisation=OrganisationFactory(name="Beredskapsverket", preparedness=True), service=doc
    )
    SubscriptionFactory(organisation=OrganisationFactory(name="Kundverket"), service=mail)
    for code, site, role, hours in [
        ("DOC", "NORD-A", "primary", 4),
        ("MAIL", "NORD-A", "primary", 2),
        ("MAIL", "SYD-A", "secondary", 30),
    ]:
        placements.place_service(
            actor=actor, service_code=code, site_code=site, role=role, rto_hours=hours
        )
    return {"doc": doc, "mail": mail}


def test_no_sites_and_no_drills_say_no_data_in_both_languages(actor):
    report = government_report(actor=actor, year=2026)
    assert report.continuity is not None
    assert not report.continuity.has_sites and report.continuity.drills is None
    sv = render_document_html(report)
    assert "Inga uppgifter: inga platser inom Program 2032 är registrerade." in sv
    assert "Inga uppgifter: ingen återställningsövning genomfördes 2026." in sv
    en = render_document_html(government_report(actor=actor, year=2026, language="en"))
    assert "No data: no Program 2032 sites are recorded." in en
    assert "No data: no restore drill was run in 2026." in en


def test_check_and_site_losses_come_from_the_live_placements(placed, provider_admin):
    actor = actor_for_user(provider_admin)  # built after the customers exist
    section = government_report(actor=actor, year=2026).continuity
    assert (section.sites, section.services, section.placed) == (2, 2, 2)
    # DOC has a preparedness customer and one site: it breaks the preparedness floor.
    assert [v.service.code for v in section.violations] == ["DOC"]
    losses = {loss.code: loss for loss in section.losses}
    north = losses["NORD-A"]
    assert north.stopped == ["Dokument"]
    assert north.late == ["E-post"]  # back from SYD-A only after 30 h against 8
    assert (north.agencies, north.preparedness) == (2, 1)
    south = losses["SYD-A"]
    assert (south.stopped, south.late, south.agencies, south.preparedness) == ([], [], 0, 0)
    html = render_document_html(government_report(actor=actor, year=2026, language="en"))
    assert "Table 8. What losing each site would do" in html
    assert "NORD-A Hall NORD-A" in html


def test_the_years_newest_drill_is_measured_against_each_service_level(placed, provider_admin):
    actor = actor_for_user(provider_admin)  # built after the customers exist
    tz = timezone.get_current_timezone()
    _drill(datetime.datetime(2025, 12, 30, 3, tzinfo=tz), rpo=60)  # another year: not counted
    _drill(datetime.datetime(2026, 3, 1, 3, tzinfo=tz), ok=False, rpo=None)
    _drill(datetime.datetime(2026, 6, 1, 3, tzinfo=tz), rpo=7200, rto=600)
    drills = government_report(actor=actor, year=2026).continuity.drills
    assert (drills.drills, drills.succeeded) == (2, 1)
    met = {t.code: (t.rpo_met, t.rto_met) for t in drills.targets}
    # Two hours old data: within MAIL's 24 h, not DOC's 1 h; ten minutes to service meets both.
    assert met == {"DOC": (False, True), "MAIL": (True, True)}
    html = render_document_html(government_report(actor=actor, year=2026, language="en"))
    assert "RPO met for 1 and RTO met for 2 of 2 services" in html
    assert government_report(actor=actor, year=2025).continuity.drills.drills == 1


def test_a_failed_newest_drill_meets_no_target(placed, provider_admin):
    actor = actor_for_user(provider_admin)  # built after the customers exist
    _drill(timezone.now() - datetime.timedelta(days=1), ok=False, rpo=None)
    drills = government_report(actor=actor, year=timezone.now().year).continuity.drills
    assert all(not t.rpo_met and not t.rto_met for t in drills.targets)
    html = render_document_html(government_report(actor=actor, year=2026, language="en"))
    assert "The newest drill failed, so it meets no target." in html
