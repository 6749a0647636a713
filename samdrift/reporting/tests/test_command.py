from __future__ import annotations

import io
import json

import pytest
from django.core.management import call_command
from django.core.management.base import CommandError

from .pdf_inspect import inspect

pytestmark = pytest.mark.django_db


def test_government_pdf_and_html_to_files(world, tmp_path):
    pdf_path, html_path = tmp_path / "r.pdf", tmp_path / "r.html"
    call_command(
        "report",
        "government",
        "--year",
        "2021",
        "--format",
        "pdf",
        "--out",
        str(pdf_path),
        stderr=io.StringIO(),
    )
    call_command(
        "report",
        "government",
        "--year",
        "2021",
        "--format",
        "html",
        "--out",
        str(html_path),
        stderr=io.StringIO(),
    )
    assert inspect(pdf_path.read_bytes())["lang"] == "sv"
    html = html_path.read_text()
    assert html.startswith("<!DOCTYPE html>") and '<html lang="sv">' in html
    assert "Domstolsverket" in html and 'role="img"' in html


def test_government_in_english(world, tmp_path):
    out = tmp_path / "r.html"
    call_command(
        "report",
        "government",
        "--year",
        "2021",
        "--format",
        "html",
        "--language",
        "en",
        "--out",
        str(out),
        stderr=io.StringIO(),
    )
    assert '<html lang="en">' in out.read_text()


def test_government_refuses_bad_year_and_unwritable_out(world, tmp_path):
    with pytest.raises(CommandError, match="2017"):
        call_command("report", "government", "--year", "20x1", "--format", "html")
    with pytest.raises(CommandError):
        call_command(
            "report",
            "government",
            "--year",
            "2021",
            "--format",
            "html",
            "--out",
            str(tmp_path / "no" / "r.html"),
        )


def _demand(*args: str) -> str:
    out = io.StringIO()
    call_command("report", "demand", "--year", "2021", *args, stdout=out)
    return out.getvalue()


def test_demand_json_csv_and_table(world):
    rows = json.loads(_demand("--format", "json"))["rows"]
    efos = next(r for r in rows if r["service_code"] == "EFOS")
    assert (efos["requested"], efos["connected"], efos["connected_legal"]) == (3, 1, 3)
    csv_text = _demand("--format", "csv")
    assert csv_text.splitlines()[0].startswith("service_code,name_sv,name_en,requested,connected")
    assert "EFOS,EFOS,EFOS,3,1,5,3," in csv_text
    assert csv_text.splitlines()[0].endswith(",provider")
    table = _demand()
    assert "EFOS" in table and "basis assignment" in table
    all_bases = json.loads(_demand("--format", "json", "--basis", "all"))["rows"]
    assert next(r for r in all_bases if r["service_code"] == "EFOS")["connected"] == 2


def test_demand_refuses_unknown_basis():
    with pytest.raises(CommandError, match="basis"):
        _demand("--basis", "everything")
