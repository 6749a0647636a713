"""The report's DSAM section (issue 18 item 5, ADR 0965): published evaluations from cooperation,
the solutions passing the first screening and the best score among them; "no data" otherwise."""

from __future__ import annotations

import pytest
from django.utils import timezone

from samdrift.cooperation import services
from samdrift.cooperation.tests.conftest import admin, catalogue, evaluation  # noqa: F401
from samdrift.reporting.documents import render_document_html
from samdrift.reporting.selectors import government_report

pytestmark = pytest.mark.django_db


def test_a_published_evaluation_is_in_the_report_with_its_screening_and_best_score(
    admin,  # noqa: F811
    evaluation,  # noqa: F811
):
    year = timezone.localdate().year
    before = government_report(actor=admin, year=year)
    assert before.dsam == []  # a draft is not reported
    assert "No data: no DSAM evaluation was published" in render_document_html(
        government_report(actor=admin, year=year, language="en")
    )
    services.publish(actor=admin, evaluation_code="E1")
    report = government_report(actor=admin, year=year, language="en")
    [line] = report.dsam
    assert (line.code, line.catalogue, line.solutions) == ("E1", "DSAM-2021", 3)
    assert line.passed == ["Alfa", "Gamma"]  # Beta only partly meets a skall requirement
    assert line.best == "Alfa" and line.best_score == 100.0
    html = render_document_html(report)
    assert "Table 11." in html and "Alfa: 100.0 %" in html and "Alfa, Gamma" in html
    # an evaluation begun after the report's year is not in it
    assert government_report(actor=admin, year=year - 1).dsam == []
