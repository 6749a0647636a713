"""Large JSON (and Greenbone XML) reports streamed from their file (issue 17, ADR 0971): every sample reads to the same
findings, or the same refusal, whole and streamed; a broken large file is refused with nothing
stored; the reader holds a small part of the file; an import writes in batches with the same
outcome as at once."""

from __future__ import annotations

import json
import tracemalloc

import pytest

from samdrift.core.i18n import in_both_languages
from samdrift.security import parsers, services
from samdrift.security.models import Finding, ImportRun
from samdrift.security.refusal import ReportRefused
from samdrift.security.streamed import StreamedList

from .conftest import DATA
from .test_import import _state

JSON_SAMPLES = sorted(
    p.relative_to(DATA).as_posix()
    for p in DATA.rglob("*")
    if p.suffix in (".json", ".sarif") and p.is_file()
)


@pytest.fixture
def streamed(monkeypatch):
    """Every JSON file is streamed, however small."""
    monkeypatch.setattr(parsers, "READ_WHOLE_UP_TO", 0)


def _read(path):
    try:
        with parsers.read_report(path) as report:
            findings = getattr(report, "findings", None)
            if findings is None:  # an OpenVEX document
                return ("vex", report.tool, len(report.statements))
            return (report.report_format, report.tool, list(findings))
    except ReportRefused as refused:
        return ("refused", in_both_languages(refused.message, refused.params))


@pytest.mark.parametrize("name", JSON_SAMPLES)
def test_every_sample_reads_the_same_whole_and_streamed(monkeypatch, name):
    whole = _read(DATA / name)
    monkeypatch.setattr(parsers, "READ_WHOLE_UP_TO", 0)
    assert _read(DATA / name) == whole


def test_the_large_arrays_stay_in_the_file(streamed):
    with parsers.read_report(DATA / "trivy/scheme_2_many_vulns.json") as report:
        findings = list(report.findings)
    assert len(findings) == 5
    from samdrift.security.streamed import ReportStream

    with ReportStream(DATA / "trivy/scheme_2_many_vulns.json") as stream:
        results = stream.document["Results"]
        assert [type(r.get("Vulnerabilities")) for r in results] == [
            StreamedList,
            type(None),
            StreamedList,
        ]
        assert [len(r.get("Vulnerabilities") or []) for r in results] == [3, 0, 2]
        # read out of order: the last result's items, then the first's again
        last = [v["VulnerabilityID"] for v in results[2]["Vulnerabilities"]]
        first = [v["VulnerabilityID"] for v in results[0]["Vulnerabilities"]]
    assert len(last) == 2 and len(first) == 3 and not set(last) & set(first)


def refused_with_nothing_stored(soc, path) -> dict[str, str]:
    """The refusal of importing the file, in both languages; the database as it was."""
    before = _state()
    with pytest.raises(ReportRefused) as caught:
        services.import_report(actor=soc, component_name="efos-web", path=path)
    assert _state() == before
    return in_both_languages(caught.value.message, caught.value.params)


def _trivy(count: int, **overrides) -> dict:
    vulns = [
        {"VulnerabilityID": f"CVE-2026-{n:06d}", "PkgName": f"pkg-{n}", "InstalledVersion": "1.0",
         "FixedVersion": "1.1", "Severity": "HIGH", "Title": f"Flaw {n} " + "x" * 100}
        for n in range(count)
    ]  # fmt: skip
    return {"SchemaVersion": 2, "ArtifactName": "big", "Results": [
        {"Target": "layer", "Vulnerabilities": vulns}], **overrides}  # fmt: skip


@pytest.mark.parametrize(
    ("text", "words"),
    [
        (b'{"SchemaVersion": 2, "Results": [{"Target": "t", "Vulnerabilities": [{"a": 1}', "ends too early"),
        (b'{"SchemaVersion": 2, "Results": [{"Target": "t", "Vulnerabilities": [}]}', "not valid JSON"),
        (b'{"SchemaVersion": 2, "Title": "\xff\xfe"}', "UTF-8"),
        (b'{"SchemaVersion": 2, "Results": []} trailing', "not valid JSON"),
        (b'{"hello": "world"}', "not a report"),
        # Greenbone XML, streamed too (test_streamed_xml.py)
        (b'<report><results><result><nvt oid="1"/></result><result>', "not valid XML"),
        (b'<?xml version="1.0"?><!DOCTYPE r [<!ENTITY a "aaaa">]><report>&a;</report>',
         "document type or entities"),
        (b'<html><body><results><result><nvt oid="1"/></result></results></body></html>',
         "Greenbone/OpenVAS report"),
        (b"<report><results></results></report><report/>", "not valid XML"),
    ],
)  # fmt: skip
def test_a_broken_streamed_file_is_refused_and_nothing_is_stored(
    streamed, soc, landscape, tmp_path, text, words
):
    path = tmp_path / "report"
    path.write_bytes(text)
    both = refused_with_nothing_stored(soc, path)
    assert words in both["en"] and both["sv"] != both["en"], both


def test_a_bad_finding_at_the_end_of_a_large_file_stores_nothing(
    streamed, soc, landscape, tmp_path, monkeypatch
):
    monkeypatch.setattr(services, "BATCH", 50)  # earlier batches are written before it
    report = _trivy(500)
    report["Results"][0]["Vulnerabilities"][-1].pop("PkgName")
    path = tmp_path / "report.json"
    path.write_text(json.dumps(report))
    assert "Vulnerabilities[500]" in refused_with_nothing_stored(soc, path)["en"]


@pytest.mark.django_db
def test_a_streamed_import_in_batches_is_the_import_at_once(
    streamed, soc, landscape, tmp_path, monkeypatch
):
    report = _trivy(120)
    doubled = report["Results"][0]["Vulnerabilities"]
    doubled.append(dict(doubled[3], Title="the same key again: the first counts"))
    path = tmp_path / "report.json"
    path.write_text(json.dumps(report))
    monkeypatch.setattr(services, "BATCH", 7)
    first = services.import_report(actor=soc, component_name="efos-web", path=path)
    assert (first.reported, first.created, first.fixed) == (120, 120, 0)
    assert Finding.objects.get(vulnerability_id="CVE-2026-000003").title.startswith("Flaw 3")
    assert first.run.file_name == "report.json"
    again = services.import_report(actor=soc, component_name="efos-web", path=path)
    assert again.already_imported and ImportRun.objects.count() == 1
    # a newer report: ten gone, one changed, the rest only seen again
    newer = _trivy(110)
    newer["Results"][0]["Vulnerabilities"][0]["Severity"] = "CRITICAL"
    path.write_text(json.dumps(newer))
    outcome = services.import_report(actor=soc, component_name="efos-web", path=path)
    assert (outcome.reported, outcome.created, outcome.updated, outcome.fixed) == (110, 0, 110, 10)
    assert Finding.objects.filter(status="fixed").count() == 10
    assert Finding.objects.get(vulnerability_id="CVE-2026-000000").severity == "critical"
    seen = Finding.objects.filter(status="open").order_by().values_list("last_run", flat=True)
    seen = seen.distinct()
    assert list(seen) == [outcome.run.pk]


def test_reading_a_large_report_holds_a_small_part_of_it(streamed, tmp_path):
    path = tmp_path / "report.json"
    path.write_text(json.dumps(_trivy(40_000)))
    size = path.stat().st_size
    count, peak = findings_and_peak_memory(path)
    assert count == 40_000
    assert size > 6_000_000 and peak < size / 10, (size, peak)


def findings_and_peak_memory(path) -> tuple[int, int]:
    """How many findings the file holds, read through, and the reading's peak memory in bytes."""
    tracemalloc.start()
    try:
        with parsers.read_report(path) as report:
            count = sum(1 for _ in report.findings)
        _now, peak = tracemalloc.get_traced_memory()
    finally:
        tracemalloc.stop()
    return count, peak
