"""The report's SITSSAM section (issue 18 item 5, ADR 0973): the provider agencies with their
published services, and the year's steering group decisions binding the reader's provider;
"no data" otherwise. Nothing of a decision that binds another provider alone."""

from __future__ import annotations

import datetime

import pytest

from samdrift.accounts.selectors import actor_for_user
from samdrift.cooperation import services
from samdrift.core.actor import SYSTEM
from samdrift.reporting.documents import render_document_html
from samdrift.reporting.selectors import government_report
from samdrift.tests.factories import ProviderFactory, ServiceFactory

pytestmark = pytest.mark.django_db


def _decide(provider, reference, day, bound=()):
    return services.decision_record(
        actor=SYSTEM, recorded_for=provider.id, body="sitssam", reference=reference,
        decided_on=day, title=f"Beslut {reference}", text="Beslut.", provider_ids=bound,
    )  # fmt: skip


def test_providers_services_and_the_years_decisions(provider, provider_admin):
    other = ProviderFactory(name="Institutet för rymdfysik", org_number="202100-3708")
    ServiceFactory(code="EFOS", name_sv="E-legitimation", provider=provider, lifecycle="active")
    ServiceFactory(code="INC", name_sv="Incidentsamordning", provider=other, lifecycle="active")
    ServiceFactory(code="UTKAST", provider=other, lifecycle="draft")
    admin = actor_for_user(provider_admin)
    empty = render_document_html(government_report(actor=admin, year=2025, language="en"))
    assert "No data: no steering group decision binding the provider was recorded for 2025" in empty
    _decide(provider, "S-1", datetime.date(2025, 3, 12), [other.id])
    _decide(provider, "S-0", datetime.date(2024, 12, 1))  # another year
    _decide(other, "S-2", datetime.date(2025, 4, 1))  # binds the other provider alone
    report = government_report(actor=admin, year=2025)
    assert [(p.name, p.services) for p in report.sitssam.providers] == [
        ("Försäkringskassan", ["E-legitimation (EFOS)"]),
        ("Institutet för rymdfysik", ["Incidentsamordning (INC)"]),
    ]
    [decision] = report.sitssam.decisions
    assert decision.reference == "S-1" and decision.group == "SITSSAM:s styrgrupp"
    assert decision.bound == ["Försäkringskassan", "Institutet för rymdfysik"]
    html = render_document_html(report)
    assert "Tabell 16." in html and "Tabell 17." in html and "Beslut S-1" in html
    assert "Beslut S-2" not in html and "UTKAST" not in html
