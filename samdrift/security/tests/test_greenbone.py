"""Greenbone/OpenVAS XML (issue 17 item 2, ADR 0957): one finding per result (NVT on a host and
port), the NVT's CVEs as aliases, the CVSS score as severity; the same report again creates
nothing; XML with a DTD, external entities or entity expansion is refused before it is read."""

from __future__ import annotations

import pytest

from samdrift.security.models import Finding

from .conftest import sample
from .test_import import _import, _refused

pytestmark = pytest.mark.django_db


def test_a_greenbone_report_is_read_into_findings(soc, landscape):
    outcome = _import(soc, sample("openvas/one_vuln.xml"))
    assert outcome.run.report_format == "greenbone" and outcome.created == 1
    finding = Finding.objects.get()
    assert finding.vulnerability_id == "1.3.6.1.4.1.25623.1.0.832260"
    assert finding.severity == "critical"  # CVSS 10.0
    assert finding.title.startswith("Mozilla Firefox Security Update")
    assert finding.location == "10.0.101.2 general/tcp"
    assert finding.aliases and all(a.startswith("CVE-") for a in finding.aliases)
    assert _import(soc, sample("openvas/one_vuln.xml")).already_imported


def test_a_v2_report_with_host_names_and_a_clean_report(soc, landscape):
    outcome = _import(soc, sample("openvas/report_detail_v2.xml"))
    assert outcome.created >= 1
    finding = Finding.objects.get(title__startswith="Microsoft Windows Multiple")
    assert finding.location == "10.99.99.99 (server99) 42/tcp"
    assert finding.severity == "critical" and "CVE-2025-49659" in finding.aliases
    assert finding.fixed_version == "VendorFix"
    # a clean scan of the same scope: everything it no longer lists is fixed
    clean = _import(soc, sample("openvas/no_vuln.xml"))
    assert clean.reported == 0 and clean.fixed == outcome.created


XXE = b"""<?xml version="1.0"?>
<!DOCTYPE report [<!ENTITY xxe SYSTEM "file:///etc/passwd">]>
<report><results><result><name>&xxe;</name></result></results></report>"""
LAUGHS = b"""<?xml version="1.0"?>
<!DOCTYPE lolz [<!ENTITY lol "lol"><!ENTITY lol2 "&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;">
<!ENTITY lol3 "&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;">]>
<report><results><result><name>&lol3;</name></result></results></report>"""


@pytest.mark.parametrize(
    ("data", "words"),
    [
        (XXE, "document type or entities"),
        (LAUGHS, "document type or entities"),
        (b"<report><results><result>", "not valid XML"),
        (
            b'<bom xmlns="http://cyclonedx.org/schema/bom/1.5"><vulnerabilities><vulnerability>'
            b"<description>x</description></vulnerability></vulnerabilities></bom>",
            "CycloneDX vulnerabilities[1]",
        ),
        (b"<html><body>hello</body></html>", "Greenbone/OpenVAS report"),
        (b"<report><results><result><name>x</name></result></results></report>", "nvt oid"),
    ],
)
def test_dangerous_and_broken_xml_is_refused(soc, landscape, data, words):
    both = _refused(soc, data)
    assert words in both["en"], both
