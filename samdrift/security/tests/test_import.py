"""Importing scanner reports (issue 17 item 2, ADR 0951): the format is recognised from the
content; a broken, empty or unknown file is refused in Swedish and English with nothing stored;
the same report again creates nothing; a finding missing from a newer report is marked fixed."""

from __future__ import annotations

import json

import pytest

from samdrift.audit.models import AuditEvent
from samdrift.core.exceptions import ValidationFailed
from samdrift.core.i18n import in_both_languages
from samdrift.security import services
from samdrift.security.models import Finding, ImportRun

from .conftest import sample

pytestmark = pytest.mark.django_db


def _state():
    return (
        list(Finding.objects.order_by("id").values()),
        list(ImportRun.objects.order_by("id").values()),
        AuditEvent.objects.count(),
    )


def _import(soc, data, component="efos-web"):
    return services.import_report(actor=soc, component_name=component, data=data)


def _refused(soc, data, component="efos-web"):
    before = _state()
    with pytest.raises(ValidationFailed) as caught:
        _import(soc, data, component)
    assert _state() == before
    both = in_both_languages(caught.value.message, caught.value.params)
    assert both["sv"] != both["en"], both
    return both


def test_a_trivy_report_is_recognised_and_stored_with_its_fields(soc, landscape):
    outcome = _import(soc, sample("trivy/scheme_2_many_vulns.json"))
    assert (outcome.reported, outcome.created, outcome.fixed) == (5, 5, 0)
    assert outcome.run.report_format == "trivy" and outcome.run.tool == "Trivy"
    finding = Finding.objects.get(vulnerability_id="CVE-2019-12900")
    assert finding.severity == "critical"
    assert (finding.package_name, finding.package_version) == ("libbz2", "1.0.6-r6")
    assert finding.fixed_version == "1.0.6-r7"
    assert finding.status == "open" and finding.first_seen == finding.last_seen
    assert finding.location == "teamdojo:latest (alpine 3.9.4)"
    assert Finding.objects.filter(location="app/libs/commons-compress-1.14.jar").count() == 2
    event = AuditEvent.objects.get(action="security.report_imported")
    assert event.after["created"] == 5 and event.organisation_id == landscape["efos"].provider_id


def test_importing_the_same_report_again_creates_nothing(soc, landscape):
    _import(soc, sample("trivy/scheme_2_many_vulns.json"))
    before = _state()
    again = _import(soc, sample("trivy/scheme_2_many_vulns.json"))
    assert again.already_imported and again.created == 0
    assert _state() == before


def test_a_finding_missing_from_a_newer_report_of_the_scope_is_fixed(soc, landscape):
    report = json.loads(sample("trivy/scheme_2_many_vulns.json"))
    _import(soc, json.dumps(report).encode())
    dropped = report["Results"][0]["Vulnerabilities"].pop(0)
    newer = _import(soc, json.dumps(report).encode())
    assert (newer.created, newer.updated, newer.fixed) == (0, 4, 1)
    gone = Finding.objects.get(vulnerability_id=dropped["VulnerabilityID"])
    assert gone.status == "fixed" and gone.fixed_at == newer.run.imported_at
    assert Finding.objects.filter(status="open").count() == 4
    # an empty report of the same scope fixes the rest; another tool's scope is left alone
    _import(soc, sample("anchore_grype/check_all_fields.json"))
    empty = _import(soc, sample("trivy/scheme_2_no_vuln.json"))
    assert empty.fixed == 4
    assert Finding.objects.filter(tool="Grype", status="open").count() == 5
    # it comes back: reopened, the same row, first seen kept
    back = _import(soc, sample("trivy/scheme_2_many_vulns.json"))
    assert back.created == 0 and back.updated == 5
    again = Finding.objects.get(pk=gone.pk)
    assert again.status == "open" and again.fixed_at is None
    assert again.first_seen == gone.first_seen < again.last_seen


def test_trivy_statuses_and_kubernetes_reports(soc, landscape):
    _import(soc, sample("trivy/all_statuses.json"))
    closed = Finding.objects.get(status="not_affected")
    assert closed.justification == "Trivy: not_affected"
    assert Finding.objects.filter(status="open").count() == 7
    k8s = _import(soc, sample("trivy/kubernetes.json"))
    assert k8s.created == 10
    assert Finding.objects.filter(location__startswith="default/Deployment/").exists()


def test_a_grype_report_keeps_related_ids_and_collapses_repeated_matches(soc, landscape):
    outcome = _import(soc, sample("anchore_grype/check_all_fields.json"))
    assert outcome.run.report_format == "grype"
    # six matches, two of them the same vulnerability in the same package: five findings
    assert (outcome.reported, outcome.created) == (5, 5)
    assert set(Finding.objects.values_list("severity", flat=True)) == {"critical", "high", "info"}
    with_alias = Finding.objects.exclude(aliases=[]).first()
    assert with_alias is not None and with_alias.vulnerability_id not in with_alias.aliases
    assert _import(soc, sample("anchore_grype/no_vuln.json")).fixed == 5


def test_sarif_and_cyclonedx_reports(soc, landscape):
    sarif = _import(soc, sample("sarif/suppression_test.sarif"))
    assert sarif.run.report_format == "sarif" and sarif.run.tool == "CodeScanner"
    assert Finding.objects.filter(tool="CodeScanner", status="not_affected").count() == 3
    check = _import(soc, sample("sarif/dependency_check.sarif"))
    assert check.created == 13
    cdx = _import(soc, sample("cyclonedx/valid-vulnerability-1.4.json"))
    assert cdx.run.report_format == "cyclonedx"
    vex = Finding.objects.get(tool="CycloneDX")
    assert vex.status == "not_affected" and vex.justification
    assert vex.aliases == ["CVE-2018-7489"]
    nested = _import(soc, sample("cyclonedx/nested-component-log4j.json"))
    assert nested.created == 8
    assert Finding.objects.filter(package_name="log4j-core", severity="critical").exists()


@pytest.mark.parametrize(
    ("data", "words"),
    [
        (b"", "empty"),
        (b"   \n", "empty"),
        (b'{"SchemaVersion": 2, "Results": [', "not valid JSON"),
        (b'{"a": "\xff"}', "UTF-8"),
        (b"[]", "not a report"),
        (b'{"hello": "world"}', "not a report"),
        (b'{"SchemaVersion": 2, "Results": {"x": 1}}', "must be a list"),
        (
            b'{"SchemaVersion": 2, "Results": [{"Target": "t", "Vulnerabilities": '
            b'[{"PkgName": "p"}]}]}',
            "VulnerabilityID",
        ),
        (b'{"matches": [{"vulnerability": {"id": "CVE-1"}}], "source": {}}', "artifact"),
    ],
)
def test_broken_files_are_refused_with_the_problem_named(soc, landscape, data, words):
    both = _refused(soc, data)
    assert words in both["en"], both


@pytest.mark.parametrize(
    ("name", "words"),
    [
        ("sarif/no_runs.sarif", "no runs"),
        ("openvex/openvex_not_a_document.json", "not a report"),
        ("csaf/csaf_unsupported_version.json", "CSAF version 1.2"),
    ],
)
def test_the_broken_and_unsupported_samples_are_refused(soc, landscape, name, words):
    both = _refused(soc, sample(name))
    assert words in both["en"], both


def test_a_bad_finding_late_in_a_report_stores_nothing_of_it(soc, landscape):
    report = json.loads(sample("trivy/scheme_2_many_vulns.json"))
    report["Results"][-1]["Vulnerabilities"][-1].pop("VulnerabilityID")
    both = _refused(soc, json.dumps(report).encode())
    assert "Results[3].Vulnerabilities[2]" in both["en"] and "Results[3]" in both["sv"]


def test_an_unknown_component_or_another_providers_is_refused(soc, landscape):
    both = _refused(soc, sample("trivy/scheme_2_many_vulns.json"), component="nothing-here")
    assert "nothing-here" in both["en"]
