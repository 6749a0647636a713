"""OpenVEX (issue 17 items 2 and 3, ADR 0955): a VEX document's statements are kept for the
component and applied to its findings — not affected closes a finding with the justification
kept, fixed fixes it, affected opens it, under investigation changes nothing — and every later
scan honours them. A statement about a product samdrift does not know, or a broken document, is
refused in Swedish and English with nothing stored."""

from __future__ import annotations

import json

import pytest

from samdrift.audit.models import AuditEvent
from samdrift.security.models import Finding, VexStatement

from .conftest import sample
from .test_import import _import, _refused

pytestmark = pytest.mark.django_db

#: The packages and vulnerabilities of DefectDojo's openvex_many_vuln.json, as a scan reports
#: them (CycloneDX JSON, so that the scan is a real import too).
PACKAGES = [
    ("apk-tools", "2.10.6-r0", "CVE-2024-10001"), ("busybox", "1.30.1-r3", "CVE-2024-10002"),
    ("alpine-baselayout", "3.1.2-r0", "CVE-2024-10003"), ("musl", "1.1.22-r3", "CVE-2024-10004"),
    ("zlib", "1.2.11-r1", "CVE-2024-10005"), ("openssl", "1.1.1k-r0", "CVE-2024-10006"),
]  # fmt: skip


def scan(packages=PACKAGES) -> bytes:
    components = [
        {"bom-ref": name, "name": name, "version": version,
         "purl": f"pkg:apk/alpine/{name}@{version}"}
        for name, version, _vuln in packages
    ]  # fmt: skip
    vulnerabilities = [
        {"id": vuln, "ratings": [{"severity": "high"}], "affects": [{"ref": name}]}
        for name, _version, vuln in packages
    ]
    return json.dumps(
        {"bomFormat": "CycloneDX", "specVersion": "1.5", "components": components,
         "vulnerabilities": vulnerabilities}
    ).encode()  # fmt: skip


def status_of(vuln: str) -> tuple[str, str]:
    finding = Finding.objects.get(vulnerability_id=vuln)
    return finding.status, finding.justification


def test_statements_close_fix_open_and_leave_findings_and_later_scans_honour_them(soc, landscape):
    _import(soc, scan())
    Finding.objects.filter(vulnerability_id="CVE-2024-10002").update(status="not_affected")
    outcome = _import(soc, sample("openvex/openvex_many_vuln.json"))
    assert outcome.run.report_format == "openvex" and outcome.reported == 6
    assert status_of("CVE-2024-10001") == ("not_affected", "vulnerable_code_not_present")
    assert status_of("CVE-2024-10002") == ("open", "")  # affected: open again
    assert status_of("CVE-2024-10003")[0] == "fixed"
    assert status_of("CVE-2024-10004") == ("open", "")  # under investigation: unchanged
    assert status_of("CVE-2024-10005") == (
        "not_affected",
        "inline_mitigations_already_exist: The affected code path is disabled at build time.",
    )
    # the v0.0.x form (a plain string vulnerability and product, no version qualifiers)
    assert status_of("CVE-2024-10006") == ("not_affected", "component_not_present")
    assert VexStatement.objects.count() == 6
    event = AuditEvent.objects.get(action="security.vex_imported")
    assert event.after["author"] == "Example Org" and event.after["closed"] == 4

    # A newer scan still lists every vulnerability: the statements hold.
    _import(soc, scan() + b" ")
    assert status_of("CVE-2024-10001")[0] == "not_affected"
    assert status_of("CVE-2024-10003")[0] == "fixed"
    assert status_of("CVE-2024-10004")[0] == "open"
    # The same VEX file again changes nothing.
    again = _import(soc, sample("openvex/openvex_many_vuln.json"))
    assert again.already_imported and VexStatement.objects.count() == 6


def _vex(**statement) -> bytes:
    base = {"vulnerability": {"name": "CVE-2024-10001"},
            "products": [{"@id": "pkg:apk/alpine/apk-tools@2.10.6-r0"}],
            "status": "not_affected", "justification": "component_not_present"}  # fmt: skip
    base.update(statement)
    return json.dumps({"@context": "https://openvex.dev/ns/v0.2.0", "statements": [base]}).encode()


@pytest.mark.parametrize(
    ("statement", "named"),
    [
        ({"products": [{"@id": "pkg:apk/alpine/left-pad@1.0"}]}, "pkg:apk/alpine/left-pad@1.0"),
        ({"products": ["not a purl"]}, "not a package URL"),
        ({"products": []}, "names no products"),
        ({"vulnerability": {}}, "names no vulnerability"),
        ({"status": "maybe"}, "has the status maybe"),
        ({"justification": "because"}, "does not define"),
        ({"justification": ""}, "without a justification"),
    ],
)
def test_a_bad_statement_is_refused_naming_it_and_nothing_is_stored(
    soc, landscape, statement, named
):
    _import(soc, scan())
    both = _refused(soc, _vex(**statement))
    assert named in both["en"] and "statements[1]" in both["en"]
    assert not VexStatement.objects.exists()
    assert status_of("CVE-2024-10001") == ("open", "")


def test_an_empty_openvex_document_is_refused(soc, landscape):
    both = _refused(soc, b'{"@context": "https://openvex.dev/ns/v0.2.0", "statements": []}')
    assert "no statements" in both["en"]


def test_a_statement_about_the_component_itself_applies_to_all_its_packages(soc, landscape):
    landscape["component"].purl = "pkg:oci/efos-web@sha256%3Aabc"
    landscape["component"].save()
    _import(soc, scan())
    _import(soc, _vex(products=[{"@id": "pkg:oci/efos-web@sha256%3Aabc"}]))
    assert status_of("CVE-2024-10001") == ("not_affected", "component_not_present")
