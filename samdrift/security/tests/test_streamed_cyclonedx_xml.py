"""Large CycloneDX XML BOMs read from their file one vulnerability at a time (issue 17: "a report
of several hundred MB, streamed, bounded memory"; ADR 0661): the streamed XML gives the findings
of the same BOM in JSON and of the whole XML read; a truncated, dangerous or late-broken file is
refused with nothing stored; the reader holds a small part of the file."""

from __future__ import annotations

import json
from xml.sax.saxutils import escape

import pytest

from samdrift.security import cyclonedx_xml, parsers, services
from samdrift.security.cyclonedx import cyclonedx_report
from samdrift.security.greenbone import safe_xml
from samdrift.security.models import Finding

from .conftest import DATA
from .test_streamed import _read, findings_and_peak_memory, refused_with_nothing_stored

STATES = ("not_affected", "resolved", "exploitable", "in_triage", "false_positive", None)


@pytest.fixture
def streamed(monkeypatch):
    """Every file is streamed, however small."""
    monkeypatch.setattr(parsers, "READ_WHOLE_UP_TO", 0)


# --- one BOM, in both encodings ----------------------------------------------------------------


def _component(n: int) -> dict:
    return {"bom-ref": f"pkg:npm/lib-{n}@1.{n}.0", "name": f"lib-{n}", "version": f"1.{n}.0",
            "purl": f"pkg:npm/lib-{n}@1.{n}.0"}  # fmt: skip


def _vulnerability(n: int, components: int) -> dict:
    state = STATES[n % len(STATES)]
    vulnerability = {
        "id": f"CVE-2026-{n:05d}",
        "references": [{"id": f"GHSA-{n:04d}-xxxx-yyyy"}],
        # every third only a score: the severity comes from it
        "ratings": [{"score": 9.8, "severity": "critical"} if n % 3 else {"score": 5.0 + n % 5}],
        "description": f"Flaw {n} in lib-{n % components}: " + "x" * 1500,
        "detail": "The parser trusts its input. " * 10,
        "recommendation": f"Upgrade to 1.{n % components}.1",
        "affects": [{"ref": f"pkg:npm/lib-{n % components}@1.{n % components}.0"}]
        + ([{"ref": f"pkg:npm/lib-{(n + 1) % components}@1.{(n + 1) % components}.0"}]
           if n % 4 == 0 else []),
    }  # fmt: skip
    if state:
        vulnerability["analysis"] = {"state": state, "justification": "code_not_reachable",
                                     "detail": f"Not called in service {n}"}  # fmt: skip
    return vulnerability


def _bom_json(count: int, components: int = 50) -> dict:
    return {
        "bomFormat": "CycloneDX", "specVersion": "1.6",
        "metadata": {"component": {"bom-ref": "app", "name": "efos-web", "version": "3.17"}},
        "components": [_component(n) for n in range(components)],
        "vulnerabilities": [_vulnerability(n, components) for n in range(count)],
    }  # fmt: skip


def _element(name: str, value: str) -> str:
    return f"<{name}>{escape(value)}</{name}>"


def _component_xml(component: dict) -> str:
    fields = "".join(_element(k, component[k]) for k in ("name", "version") if k in component)
    hashes = '<hashes><hash alg="SHA-256">' + "ab" * 32 + "</hash></hashes>"
    purl = _element("purl", component["purl"]) if "purl" in component else ""
    return (
        f'<component type="library" bom-ref="{escape(component["bom-ref"])}">'
        f"<group>org.example</group>{fields}{hashes}{purl}</component>"
    )


def _vulnerability_xml(v: dict) -> str:
    ratings = "".join(
        "<rating><source><name>NVD</name></source>"
        + (_element("score", str(r["score"])) if "score" in r else "")
        + (_element("severity", r["severity"]) if "severity" in r else "")
        + "<method>CVSSv31</method><vector>CVSS:3.1/AV:N/AC:L/PR:N/UI:N/S:U/C:H/I:H/A:H</vector>"
        "</rating>"
        for r in v["ratings"]
    )
    references = "".join(
        f"<reference>{_element('id', r['id'])}<source><name>GitHub</name></source></reference>"
        for r in v["references"]
    )
    affects = "".join(
        f"<target>{_element('ref', a['ref'])}<versions><version><version>1.0</version>"
        "<status>affected</status></version></versions></target>"
        for a in v["affects"]
    )
    analysis = v.get("analysis")
    analysis_xml = (
        "<analysis>" + "".join(_element(k, analysis[k]) for k in analysis) + "</analysis>"
        if analysis
        else ""
    )
    return (
        f'<vulnerability bom-ref="{v["id"]}">{_element("id", v["id"])}'
        "<source><name>NVD</name><url>https://nvd.nist.gov/</url></source>"
        f"<references>{references}</references><ratings>{ratings}</ratings>"
        f"<cwes><cwe>79</cwe></cwes>{_element('description', v['description'])}"
        f"{_element('detail', v['detail'])}{_element('recommendation', v['recommendation'])}"
        "<advisories><advisory><url>https://example.org/advisory</url></advisory></advisories>"
        f"<published>2026-01-01T00:00:00Z</published>{analysis_xml}"
        f"<affects>{affects}</affects></vulnerability>"
    )


def _write_bom_xml(path, bom: dict, *, cut_at: int | None = None) -> None:
    """The BOM as CycloneDX 1.6 XML, written in pieces; with `cut_at`, the file stops in the
    middle of that vulnerability."""
    meta = bom["metadata"]["component"]
    with path.open("w") as file:
        file.write(
            '<?xml version="1.0" encoding="UTF-8"?>\n<bom xmlns="http://cyclonedx.org/schema/bom/'
            '1.6" serialNumber="urn:uuid:3e671687-395b-41f5-a30f-a58921a69b79" version="1">'
            "<metadata><timestamp>2026-12-07T10:00:00Z</timestamp><tools><components><component"
            ' type="application"><name>trivy</name></component></components></tools>'
            f"{_component_xml(meta)}</metadata><components>"
        )
        for component in bom["components"]:
            file.write(_component_xml(component))
        file.write(
            '</components><dependencies><dependency ref="app"><dependency ref="lib-0"/>'
            "</dependency></dependencies><vulnerabilities>"
        )
        for number, vulnerability in enumerate(bom["vulnerabilities"]):
            piece = _vulnerability_xml(vulnerability)
            if number == cut_at:
                file.write(piece[: len(piece) // 2])
                return
            file.write(piece)
        file.write("</vulnerabilities></bom>\n")


def _findings(path) -> list:
    kind, tool, findings = _read(path)
    assert (kind, tool) == ("cyclonedx", "CycloneDX"), (kind, tool, findings)
    return findings


def _whole(path) -> list:
    """The BOM read whole, as a file under 4 MB is (`as_json` of the parsed tree)."""
    root = safe_xml(path.read_bytes())
    return list(cyclonedx_report(cyclonedx_xml.as_json(root)).findings)


# --- the same findings ---------------------------------------------------------------------------


def test_a_streamed_xml_bom_gives_the_findings_of_the_same_bom_in_json(streamed, tmp_path):
    bom = _bom_json(300, components=40)
    xml, json_ = tmp_path / "bom.xml", tmp_path / "bom.json"
    _write_bom_xml(xml, bom)
    json_.write_text(json.dumps(bom))
    from_xml = _findings(xml)
    assert len(from_xml) == 375  # one finding per affected component
    assert from_xml == _findings(json_) == _whole(xml)
    assert {p.status for p in from_xml} == {"open", "fixed", "not_affected"}
    assert {p.severity for p in from_xml} == {"critical", "medium", "high"}


def test_the_log4j_sample_streamed_gives_the_findings_of_its_json(streamed):
    xml = _findings(DATA / "cyclonedx/log4j.xml")
    assert len(xml) == 8
    assert xml == list(parsers.parse((DATA / "cyclonedx/log4j.json").read_bytes()).findings)


UNUSUAL_BOM = """<?xml version="1.0"?>
<b:bom xmlns:b="http://cyclonedx.org/schema/bom/1.2" version="1">
  <b:components>
    <b:component bom-ref="outer"><b:name> outer </b:name><b:version>1</b:version>
      <b:pedigree><b:ancestors>
        <b:component bom-ref="a"><b:name>ancestor, not a component</b:name></b:component>
      </b:ancestors></b:pedigree>
      <b:components>
        <b:component bom-ref="inner"><b:name>inner</b:name><b:name>second name</b:name>
          <b:purl>pkg:generic/inner@2</b:purl><b:version/></b:component>
        <b:component bom-ref="outer"><b:name>the same ref again, nested: it wins</b:name>
        </b:component>
      </b:components>
      <b:components><b:component bom-ref="x"><b:name>a second list</b:name></b:component>
      </b:components>
    </b:component>
    <b:component><b:name>no bom-ref</b:name></b:component>
  </b:components>
  <b:components><b:component bom-ref="y"><b:name>second list, not read</b:name></b:component>
  </b:components>
  <b:metadata><b:component bom-ref="meta"><b:name>metadata after components</b:name>
    <b:components><b:component bom-ref="a"><b:name>nested in the metadata</b:name>
    </b:component></b:components></b:component>
    <b:component bom-ref="y"><b:name>a second metadata component</b:name></b:component>
  </b:metadata>
  <b:vulnerabilities>
    <b:vulnerability><b:id>V-1</b:id><b:affects><b:target><b:ref>outer</b:ref></b:target>
      <b:target><b:ref>inner</b:ref></b:target><b:target><b:ref>a</b:ref></b:target>
      <b:target><b:ref>x</b:ref></b:target><b:target><b:ref>y</b:ref></b:target>
      <b:target><b:ref>meta</b:ref></b:target></b:affects>
      <b:ratings><b:rating><b:score>not a number</b:score></b:rating>
        <b:rating><b:score>7.1</b:score></b:rating></b:ratings></b:vulnerability>
    <b:other><b:vulnerability><b:id>nested elsewhere: not read</b:id></b:vulnerability></b:other>
    <b:vulnerability><b:id>V-2</b:id><b:analysis><b:state>false_positive</b:state>
      <b:detail>test code</b:detail></b:analysis></b:vulnerability>
  </b:vulnerabilities>
  <b:vulnerabilities><b:vulnerability><b:id>a second list, not read</b:id></b:vulnerability>
  </b:vulnerabilities>
</b:bom>
"""


def test_an_unusual_bom_reads_the_same_streamed_as_whole(streamed, tmp_path):
    """Nested components, a ref given twice, elements repeated where the reader takes the first,
    components outside the lists the reader reads, metadata after the components."""
    path = tmp_path / "bom.xml"
    path.write_text(UNUSUAL_BOM)
    findings = _findings(path)
    assert findings == _whole(path)
    packages = [(p.key_fields[0], p.package_name, p.package_version) for p in findings]
    assert packages == [
        ("outer", "the same ref again, nested: it wins", ""),
        ("pkg:generic/inner@2", "inner", ""),
        ("a", "nested in the metadata", ""),
        ("x", "x", ""),
        ("y", "y", ""),
        ("meta", "metadata after components", ""),
        ("", "", ""),
    ]
    assert [p.vulnerability_id for p in findings] == ["V-1"] * 6 + ["V-2"]
    assert findings[0].severity == "high"
    assert (findings[-1].status, findings[-1].justification) == ("not_affected", "test code")


@pytest.mark.django_db
def test_a_streamed_xml_import_is_the_import_of_its_json(soc, landscape, tmp_path, monkeypatch):
    bom = _bom_json(150, components=20)
    json_ = tmp_path / "bom.json"
    json_.write_text(json.dumps(bom))
    first = services.import_report(actor=soc, component_name="efos-web", path=json_)
    stored = sorted(Finding.objects.values_list("dedup_key", "severity", "status", "title"))
    xml = tmp_path / "bom.xml"
    _write_bom_xml(xml, bom)
    monkeypatch.setattr(parsers, "READ_WHOLE_UP_TO", 0)
    monkeypatch.setattr(services, "BATCH", 7)
    outcome = services.import_report(actor=soc, component_name="efos-web", path=xml)
    assert outcome.run.report_format == "cyclonedx" and not outcome.already_imported
    assert (outcome.reported, outcome.created, outcome.fixed) == (first.reported, 0, 0)
    assert first.reported == 188
    assert sorted(Finding.objects.values_list("dedup_key", "severity", "status", "title")) == (
        stored
    )


# --- refusals -----------------------------------------------------------------------------------


def test_a_bom_cut_off_in_the_middle_of_its_vulnerabilities_stores_nothing(
    streamed, soc, landscape, tmp_path
):
    path = tmp_path / "bom.xml"
    _write_bom_xml(path, _bom_json(400), cut_at=300)
    both = refused_with_nothing_stored(soc, path)
    assert "not valid XML" in both["en"] and "no element found" in both["en"], both
    assert both["sv"] != both["en"]


def test_a_vulnerability_without_id_at_the_end_of_a_large_bom_stores_nothing(
    streamed, soc, landscape, tmp_path, monkeypatch
):
    monkeypatch.setattr(services, "BATCH", 50)  # earlier batches are written before it
    bom = _bom_json(300)
    bom["vulnerabilities"][-1]["id"] = ""
    path = tmp_path / "bom.xml"
    _write_bom_xml(path, bom)
    both = refused_with_nothing_stored(soc, path)
    assert "CycloneDX vulnerabilities[300] has no id" in both["en"], both


def _laughs() -> bytes:
    entities = '<!ENTITY lol0 "lol">' + "".join(
        f'<!ENTITY lol{n} "{f"&lol{n - 1};" * 10}">' for n in range(1, 10)
    )
    return (
        f'<?xml version="1.0"?><!DOCTYPE bom [{entities}]>'
        '<bom xmlns="http://cyclonedx.org/schema/bom/1.5"><vulnerabilities><vulnerability>'
        "<id>&lol9;</id></vulnerability></vulnerabilities></bom>"
    ).encode()


@pytest.mark.parametrize(
    "data",
    [
        _laughs(),
        b'<?xml version="1.0"?><!DOCTYPE bom [<!ENTITY x SYSTEM "file:///etc/passwd">]>'
        b'<bom xmlns="http://cyclonedx.org/schema/bom/1.6"><vulnerabilities><vulnerability>'
        b"<id>&x;</id></vulnerability></vulnerabilities></bom>",
    ],
    ids=["billion-laughs", "external-entity"],
)
def test_a_bom_with_a_document_type_or_entities_is_refused(
    streamed, soc, landscape, tmp_path, data
):
    path = tmp_path / "bom.xml"
    path.write_bytes(data)
    both = refused_with_nothing_stored(soc, path)
    assert "document type or entities" in both["en"] and both["sv"] != both["en"], both


# --- memory ---------------------------------------------------------------------------------------


def test_reading_a_large_xml_bom_holds_a_small_part_of_it(tmp_path):
    """Streamed because it is over 4 MB, as any such file is: no setting changed."""
    path = tmp_path / "bom.xml"
    _write_bom_xml(path, _bom_json(12_000, components=200))
    size = path.stat().st_size
    count, peak = findings_and_peak_memory(path)
    assert count == 15_000
    assert size > 30_000_000 and peak < size / 20, (size, peak)
