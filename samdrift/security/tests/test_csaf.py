"""CSAF 2.0 advisories (issue 17 item 2, ADR 0958): each (product, vulnerability) a finding —
known affected open with the vendor's fix, known not affected closed with the vendor's reason,
fixed fixed; each advisory its own scope; broken advisories refused with nothing stored."""

from __future__ import annotations

import copy
import json

import pytest

from samdrift.security.models import Finding

from .conftest import sample
from .test_import import _import, _refused

pytestmark = pytest.mark.django_db


def advisory() -> dict:
    return json.loads(sample("csaf/csaf_one_vuln.json"))


def test_a_vendor_advisory_becomes_findings_of_its_products(soc, landscape):
    outcome = _import(soc, sample("csaf/csaf_one_vuln.json"))
    assert outcome.run.report_format == "csaf" and outcome.run.tool == "CSAF EXAMPLE-2026-0001"
    finding = Finding.objects.get()
    assert (finding.vulnerability_id, finding.severity, finding.status) == (
        "CVE-2026-10001", "critical", "open",
    )  # fmt: skip
    assert finding.package_name == "Generic App 1.0.0"
    assert finding.fixed_version == "Upgrade to Generic App 1.0.1."
    assert finding.aliases == ["EXAMPLE-2026-0001"]
    # A clean advisory with another id is another scope: it fixes nothing of the first.
    assert _import(soc, sample("csaf/csaf_no_vuln.json")).fixed == 0
    assert Finding.objects.get().status == "open"


def test_a_revision_saying_fixed_and_a_not_affected_product_with_its_reason(soc, landscape):
    _import(soc, sample("csaf/csaf_one_vuln.json"))
    revised = advisory()
    revised["document"]["tracking"]["version"] = "2"
    revised["product_tree"]["full_product_names"].append(
        {"product_id": "CSAFPID-0002", "name": "Generic App 2.0.0"}
    )
    vuln = revised["vulnerabilities"][0]
    vuln["product_status"] = {"fixed": ["CSAFPID-0001"], "known_not_affected": ["CSAFPID-0002"]}
    vuln["flags"] = [{"label": "vulnerable_code_not_present", "product_ids": ["CSAFPID-0002"]}]
    _import(soc, json.dumps(revised).encode())
    statuses = dict(Finding.objects.values_list("package_name", "status"))
    assert statuses == {"Generic App 1.0.0": "fixed", "Generic App 2.0.0": "not_affected"}
    assert Finding.objects.get(package_name="Generic App 2.0.0").justification == (
        "vulnerable_code_not_present"
    )


def _broken(change) -> bytes:
    document = copy.deepcopy(advisory())
    change(document)
    return json.dumps(document).encode()


@pytest.mark.parametrize(
    ("change", "words"),
    [
        (lambda d: d["document"].update(csaf_version="2.1"), "CSAF version 2.1"),
        (lambda d: d["document"]["tracking"].pop("id"), "tracking.id"),
        (lambda d: d["vulnerabilities"][0].pop("cve"), "vulnerabilities[1]"),
        (
            lambda d: d["vulnerabilities"][0]["product_status"].update(known_affected=["NOPE"]),
            "NOPE",
        ),
        (
            lambda d: d["vulnerabilities"][0].update(
                product_status={"known_not_affected": ["CSAFPID-0001"]}
            ),
            "without a flag or threat",
        ),
    ],
)
def test_a_broken_advisory_is_refused_naming_the_problem(soc, landscape, change, words):
    both = _refused(soc, _broken(change))
    assert words in both["en"], both
