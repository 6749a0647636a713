"""The PDF is tagged PDF/UA-1: structure, language, title, bookmarks, alternative text."""

from __future__ import annotations

import pytest

from samdrift.accounts.selectors import actor_for_user
from samdrift.reporting.documents import render_pdf
from samdrift.reporting.selectors import government_report
from samdrift.reporting.services import report_text_save

from .pdf_inspect import inspect

pytestmark = pytest.mark.django_db


@pytest.fixture
def report_pdf(world, provider_admin) -> bytes:
    actor = actor_for_user(provider_admin)
    report_text_save(
        actor=actor,
        year=2021,
        texts={"summary_sv": "Sammanfattning.\n\nAndra stycket.", "background_sv": "Bakgrund."},
    )
    return render_pdf(government_report(actor=actor, year=2021))


def test_pdf_is_tagged_pdf_ua_1_in_swedish(report_pdf):
    facts = inspect(report_pdf)
    assert facts["has_struct_tree"]
    assert facts["lang"] == "sv"
    assert facts["marked"] is True
    assert facts["display_doc_title"] is True
    assert facts["ua_part"] == "1" and facts["xmp_has_pdfuaid"]
    assert facts["tabs_s"]
    assert facts["info_title"].startswith("Samordnad och säker statlig it-drift")
    assert facts["info_title"] == facts["dc_title"]


def test_every_figure_has_alternative_text_with_the_numbers(report_pdf):
    facts = inspect(report_pdf)
    alts = facts["figure_alts"]
    assert len(alts) == 2, alts
    assert all(alt.strip() for alt in alts)
    connections, services = alts
    assert "3" in connections and "Köra 1" in connections
    assert "EFOS" in services and "IT-arbetsplats" in services


def test_bookmarks_follow_the_headings(report_pdf):
    facts = inspect(report_pdf)
    assert facts["outlines"][0].startswith("Samordnad och säker statlig it-drift")
    for heading in ("Sammanfattning", "Bakgrund", "Aktuella anslutningar", "Ekonomiskt utfall"):
        assert heading in facts["outlines"], facts["outlines"]


def test_tables_and_lists_are_tagged(report_pdf):
    tags = inspect(report_pdf)["tags"]
    for tag in (
        "/H1",
        "/H2",
        "/Table",
        "/THead",
        "/TBody",
        "/TR",
        "/TH",
        "/TD",
        "/Caption",
        "/L",
        "/LI",
        "/Figure",
    ):
        assert tag in tags, tag


def test_inspector_notices_a_figure_without_alt():
    """The inspection itself can fail: an <img alt=""> becomes a Figure without /Alt."""
    from weasyprint import HTML

    html = (
        '<html lang="sv"><head><title>T</title></head><body><h1>T</h1>'
        '<img alt="" src="data:image/svg+xml;utf8,%3Csvg xmlns=%27http://www.w3.org/2000/svg%27 '
        'width=%2710%27 height=%2710%27%3E%3C/svg%3E"></body></html>'
    )
    facts = inspect(HTML(string=html).write_pdf(pdf_variant="pdf/ua-1"))
    assert facts["figure_alts"] == [""]
