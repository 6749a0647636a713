"""Large Greenbone/OpenVAS reports read from their file one result at a time (issue 17: "a report
of several hundred MB, streamed, bounded memory"; ADR 0971): every XML sample reads the same whole
and streamed; a broken or dangerous large file is refused with nothing stored; a bad result at the
end stores nothing; the reader holds a small part of the file."""

from __future__ import annotations

import pytest

from samdrift.security import parsers, services
from samdrift.security.models import Finding

from .conftest import DATA
from .test_streamed import _read, findings_and_peak_memory, refused_with_nothing_stored

XML_SAMPLES = sorted(p.relative_to(DATA).as_posix() for p in DATA.rglob("*.xml"))


@pytest.fixture
def streamed(monkeypatch):
    """Every file is streamed, however small."""
    monkeypatch.setattr(parsers, "READ_WHOLE_UP_TO", 0)


def _result(n: int, oid: str | None = None) -> str:
    # A result as Greenbone writes it, with a nested <detection><result> that is not a finding.
    oid_attribute = "" if oid == "" else f' oid="{oid or f"1.3.6.1.4.1.25623.1.0.{n}"}"'
    return (
        f'<result id="r{n}"><name>Flaw {n} {"x" * 200}</name><host>10.0.{n // 250}.{n % 250}'
        f"<hostname>host{n}</hostname></host><port>{443 + n % 3}/tcp</port>"
        f'<nvt{oid_attribute}><name>NVT {n}</name><refs><ref id="CVE-2026-{n:05d}" type="cve"/>'
        '</refs><solution type="VendorFix">Update</solution></nvt><severity>7.5</severity>'
        '<detection><result id="d"><details><detail><name>product</name></detail></details>'
        "</result></detection><description>" + "y" * 300 + "</description></result>"
    )


def _greenbone(count: int, *, last_oid: str | None = None) -> str:
    results = [_result(n) for n in range(count - 1)] + [_result(count - 1, last_oid)]
    return (
        '<report id="outer"><name>scan</name><report id="inner"><ports><port>443/tcp</port>'
        "</ports><results>" + "".join(results) + "</results>"
        "<host><ip>10.0.0.1</ip><detail><name>os</name></detail></host></report></report>"
    )


@pytest.mark.parametrize("name", XML_SAMPLES)
def test_every_xml_sample_reads_the_same_whole_and_streamed(monkeypatch, name):
    whole = _read(DATA / name)
    monkeypatch.setattr(parsers, "READ_WHOLE_UP_TO", 0)
    assert _read(DATA / name) == whole


def test_a_generated_report_reads_the_same_whole_and_streamed(monkeypatch, tmp_path):
    path = tmp_path / "report.xml"
    path.write_text(_greenbone(30))
    whole = _read(path)
    monkeypatch.setattr(parsers, "READ_WHOLE_UP_TO", 0)
    streamed = _read(path)
    assert streamed == whole
    findings = streamed[2]
    assert len(findings) == 30  # the nested <detection><result> elements are not findings
    assert findings[29].location == "10.0.0.29 (host29) 445/tcp"
    assert findings[29].aliases == ("CVE-2026-00029",)


def test_a_bad_result_at_the_end_of_a_large_file_stores_nothing(
    streamed, soc, landscape, tmp_path, monkeypatch
):
    monkeypatch.setattr(services, "BATCH", 50)  # earlier batches are written before it
    path = tmp_path / "report.xml"
    path.write_text(_greenbone(300, last_oid=""))
    both = refused_with_nothing_stored(soc, path)
    assert "Greenbone results[300] has no nvt oid" in both["en"], both


@pytest.mark.django_db
def test_a_streamed_greenbone_import_is_the_import_of_the_whole_file(
    soc, landscape, tmp_path, monkeypatch
):
    path = tmp_path / "report.xml"
    path.write_text(_greenbone(120))
    whole = services.import_report(actor=soc, component_name="efos-web", path=path)
    stored = sorted(Finding.objects.values_list("dedup_key", "severity", "location", "title"))
    Finding.objects.all().delete()
    path.write_text(_greenbone(120) + "\n")  # the same report, as a file not imported before
    monkeypatch.setattr(parsers, "READ_WHOLE_UP_TO", 0)
    monkeypatch.setattr(services, "BATCH", 7)
    outcome = services.import_report(actor=soc, component_name="efos-web", path=path)
    assert (outcome.reported, outcome.created) == (whole.reported, whole.created) == (120, 120)
    assert outcome.run.report_format == "greenbone"
    assert sorted(Finding.objects.values_list("dedup_key", "severity", "location", "title")) == (
        stored
    )


def test_reading_a_large_greenbone_report_holds_a_small_part_of_it(streamed, tmp_path):
    path = tmp_path / "report.xml"
    with path.open("w") as file:  # written in pieces: the test itself holds no whole report
        file.write('<report id="r"><report id="i"><results>')
        for n in range(12_000):
            file.write(_result(n))
        file.write("</results></report></report>")
    size = path.stat().st_size
    count, peak = findings_and_peak_memory(path)
    assert count == 12_000
    assert size > 10_000_000 and peak < size / 20, (size, peak)
