"""Issue 5 item 5: the report checks itself.

The yearly report, built from data and rendered to PDF exactly as users download it, goes
through the accessibility app's checker in both profiles. No rule may fail; in particular every
figure has alternative text. Acrobat's two always-manual rules (reading order, colour contrast)
and its off-by-default table summary are the only statuses other than passed/not applicable.
"""

from __future__ import annotations

import pytest

from samdrift.accessibility.services import check_pdf
from samdrift.accounts.selectors import actor_for_user
from samdrift.reporting.documents import render_document_html, render_pdf
from samdrift.reporting.selectors import government_report
from samdrift.reporting.services import report_text_save

pytestmark = pytest.mark.django_db

ACROBAT_NOT_MACHINE_CHECKED_RULES = {
    "acrobat.reading-order",
    "acrobat.color-contrast",
    "acrobat.table-summary",
}


@pytest.fixture(params=["sv", "en"])
def report_pdf(request, world, provider_admin) -> bytes:
    actor = actor_for_user(provider_admin)
    report_text_save(
        actor=actor,
        year=2021,
        texts={
            "summary_sv": "Sammanfattning.",
            "summary_en": "Summary.",
            "background_sv": "Bakgrund.",
        },
    )
    return render_pdf(government_report(actor=actor, year=2021, language=request.param))


def test_checker_finds_no_failure_in_either_profile(report_pdf):
    """One rendering per language, checked in both profiles (rendering is the slow part)."""
    for profile in ("acrobat", "pdfua1"):
        result = check_pdf(report_pdf, profile=profile, label=f"report-{profile}.pdf")
        assert result.error is None, result.error
        assert result.failed == [], (profile, [(r.rule, r.message) for r in result.failed])
        statuses = {r.rule: r.status for r in result.results}
        assert statuses, f"the checker ran no rule in {profile}"
        not_passed = {
            rule: status
            for rule, status in statuses.items()
            if status not in ("passed", "not_applicable")
        }
        if profile == "acrobat":
            # The rule the source report failed ("Alternativ text för figurer") passes here.
            assert statuses["acrobat.figures-alt"] == "passed"
            assert set(not_passed) <= ACROBAT_NOT_MACHINE_CHECKED_RULES, not_passed
            assert set(not_passed.values()) <= {"manual", "skipped"}
        else:
            assert not_passed == {}, not_passed


def test_checker_catches_a_broken_figure():
    """The same check fails on a figure without alternative text: the test above can fail."""
    from weasyprint import HTML

    html = (
        '<html lang="sv"><head><title>T</title></head><body><h1>T</h1>'
        '<img alt="" src="data:image/svg+xml;utf8,%3Csvg xmlns=%27http://www.w3.org/2000/svg%27 '
        'width=%2710%27 height=%2710%27%3E%3C/svg%3E"></body></html>'
    )
    pdf = HTML(string=html).write_pdf(pdf_variant="pdf/ua-1")
    failed = {r.rule for r in check_pdf(pdf, profile="acrobat").failed}
    assert "acrobat.figures-alt" in failed, failed


def test_a_long_report_still_passes(world, provider_admin):
    """Tables longer than a page and cells with many agencies (national scale in miniature):
    the tables must split between rows with their headers, never leave a caption alone."""
    from samdrift.tests.factories import ConnectionCaseFactory, OrganisationFactory, ServiceFactory

    for n in range(70):
        ServiceFactory(
            code=f"EXTRA{n:02d}", name_sv=f"Extratjänst {n}", name_en=f"Extra service {n}"
        )
    for n in range(70):
        org = OrganisationFactory(name=f"Myndigheten för test {n:02d}")
        ConnectionCaseFactory(
            organisation=org, scope="single" if n % 2 else "total", phase="initiate"
        )
    actor = actor_for_user(provider_admin)
    report = government_report(actor=actor, year=2021)
    pdf = render_pdf(report)
    for profile in ("acrobat", "pdfua1"):
        result = check_pdf(pdf, profile=profile)
        assert result.failed == [], (profile, [(r.rule, r.message) for r in result.failed])
    html = render_document_html(report)
    assert (
        "och 6 myndigheter till" in html and "och 5 myndigheter till" in html
    )  # 36 and 35, 30 named
