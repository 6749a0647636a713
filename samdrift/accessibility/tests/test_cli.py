"""`samdrift a11y check`: the JSON shape of the issue, the text and HTML reports, the PDF."""

from __future__ import annotations

import io
import json
from pathlib import Path

import pytest
from django.core.management import call_command
from django.core.management.base import CommandError

from samdrift.accessibility.services import check_pdf

from .pdfs import conforming_pdf, elements, mutate


@pytest.fixture
def failing(tmp_path: Path) -> Path:
    def drop(pdf):  # type: ignore[no-untyped-def]
        for figure in elements(pdf, "Figure"):
            del figure["/Alt"]

    path = tmp_path / "rapport.pdf"
    path.write_bytes(mutate(drop))
    return path


def run(*args: str) -> str:
    out = io.StringIO()
    call_command("a11y", "check", *args, stdout=out)
    return out.getvalue()


def test_json_is_exactly_the_issue_shape(failing: Path) -> None:
    data = json.loads(run(str(failing), "--profile", "pdfua1", "--format", "json"))
    assert list(data) == ["files"]
    (entry,) = data["files"]
    assert list(entry) == ["path", "profile", "error", "results"]
    assert entry["path"] == str(failing) and entry["profile"] == "pdfua1" and entry["error"] is None
    for result in entry["results"]:
        assert list(result) == ["rule", "verapdf", "acrobat", "status", "count", "message"]
        assert result["status"] in {"passed", "failed", "manual", "skipped", "not_applicable"}
    figure = next(r for r in entry["results"] if r["verapdf"] == "7.3-1")
    assert figure["status"] == "failed" and figure["count"] == 1


def test_text_report_in_swedish_and_english(failing: Path) -> None:
    sv = run(str(failing))
    assert "Godkänt: 28, Underkänt: 1, Kräver manuell kontroll: 2, Överhoppat: 1" in sv
    assert "[Underkänt] Alternativ text för figurer" in sv
    en = run(str(failing), "--lang", "en")
    assert "Passed: 28, Failed: 1, Needs manual check: 2, Skipped: 1" in en
    assert "[Failed] Figures alternate text" in en


def test_strict_exits_non_zero_on_failure(failing: Path) -> None:
    with pytest.raises(CommandError):
        run(str(failing), "--strict", "--format", "json")


def test_html_and_pdf_reports_and_the_pdf_passes_its_own_check(
    failing: Path, tmp_path: Path
) -> None:
    html = run(str(failing), "--format", "html")
    assert '<html lang="sv">' in html and "Detaljerad rapport" in html
    assert "Alternativ text för figurer" in html
    target = tmp_path / "report.pdf"
    run(str(failing), "--format", "pdf", "--output", str(target), "--lang", "en")
    for profile in ("acrobat", "pdfua1"):
        result = check_pdf(target, profile=profile)
        assert result.error is None and result.failed == [], [r.message for r in result.failed]


def test_conforming_file_prints_no_failure(tmp_path: Path) -> None:
    path = tmp_path / "ok.pdf"
    path.write_bytes(conforming_pdf())
    assert "Underkänt: 0" in run(str(path), "--strict")
