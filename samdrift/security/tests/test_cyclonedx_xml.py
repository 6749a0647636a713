"""CycloneDX XML (issue 17 item 2, ADR 0969): read as its JSON encoding, so the same BOM in
XML and in JSON gives the same findings with the same deduplication keys; XML with a DTD or
entities is refused like any XML; a BOM without vulnerabilities is a clean report."""

from __future__ import annotations

import pytest

from samdrift.security import parsers
from samdrift.security.models import Finding

from .conftest import sample
from .test_import import _import, _refused

pytestmark = pytest.mark.django_db


def _keys(findings):
    return sorted((p.key_fields, p.vulnerability_id, p.severity, p.status) for p in findings)


def test_the_same_bom_in_xml_and_json_gives_the_same_findings():
    xml = list(parsers.parse(sample("cyclonedx/log4j.xml")).findings)
    json_ = list(parsers.parse(sample("cyclonedx/log4j.json")).findings)
    assert len(xml) == 8
    assert _keys(xml) == _keys(json_)
    log4shell = next(p for p in xml if p.vulnerability_id == "CVE-2021-44228")
    assert log4shell.severity == "critical" and log4shell.package_name == "log4j-core"
    assert log4shell.package_version == "2.13.2"


def test_an_xml_bom_is_imported_and_again_creates_nothing(soc, landscape):
    outcome = _import(soc, sample("cyclonedx/log4j.xml"))
    assert outcome.run.report_format == "cyclonedx" and outcome.created == 8
    assert Finding.objects.filter(vulnerability_id="CVE-2021-44228").exists()
    assert _import(soc, sample("cyclonedx/log4j.xml")).already_imported
    # the JSON of the same BOM is the same findings: nothing new
    assert _import(soc, sample("cyclonedx/log4j.json")).created == 0


def test_an_sbom_without_vulnerabilities_is_a_clean_report(soc, landscape):
    _import(soc, sample("cyclonedx/log4j.xml"))
    clean = _import(soc, sample("cyclonedx/cyclonedx_bom.xml"))
    assert clean.reported == 0 and clean.fixed == 8


def test_a_bom_with_entities_is_refused_before_it_is_read(soc, landscape):
    data = (
        b'<?xml version="1.0"?><!DOCTYPE bom [<!ENTITY x SYSTEM "file:///etc/passwd">]>'
        b'<bom xmlns="http://cyclonedx.org/schema/bom/1.4"><components/></bom>'
    )
    both = _refused(soc, data)
    assert "document type or entities" in both["en"]
