"""The report's vulnerability management section (issue 17 item 6, ADR 0966): per severity what
was found and fixed in the year, fixed by the deadline, open at the year's end and past the
deadline; counts only, for the provider's own components."""

from __future__ import annotations

import datetime

import pytest
from django.utils import timezone

from samdrift.reporting.documents import render_document_html
from samdrift.reporting.selectors import government_report
from samdrift.security import services
from samdrift.security.models import Finding
from samdrift.security.tests.conftest import landscape, sample, soc  # noqa: F401

pytestmark = pytest.mark.django_db


def test_the_year_counts_found_fixed_in_time_and_open_past_the_deadline(
    soc,  # noqa: F811
    landscape,  # noqa: F811
):
    services.import_report(
        actor=soc, component_name="efos-web", data=sample("trivy/scheme_2_many_vulns.json")
    )
    now = timezone.now()
    year = timezone.localdate().year
    critical = Finding.objects.get(vulnerability_id="CVE-2019-12900")
    critical.first_seen = now - datetime.timedelta(days=20)  # due after 7 days: late now
    critical.save()
    others = list(Finding.objects.exclude(pk=critical.pk).order_by("id"))
    quick = others[0]
    quick.first_seen = now - datetime.timedelta(days=3)
    quick.status, quick.fixed_at = "fixed", now - datetime.timedelta(days=2)
    quick.save()
    report = government_report(actor=soc, year=year, language="en")
    rows = {r.severity: r for r in report.security.rows}
    assert (rows["critical"].found, rows["critical"].open_at_end) == (1, 1)
    assert rows["critical"].overdue_at_end == 1
    assert rows[quick.severity].fixed == 1 and rows[quick.severity].fixed_in_time == 1
    assert round(report.security.mean_days_to_fix) == 1
    html = render_document_html(report)
    assert "Table 12." in html and "Vulnerability management" in html
    assert "efos-web" not in html and "CVE-2019-12900" not in html  # counts only
    # A year before anything was found: no data, said so.
    empty = government_report(actor=soc, year=year - 1, language="en")
    assert not empty.security.has_data
    assert "No data: no vulnerability finding" in render_document_html(empty)
