"""Threat feeds (issue 17 item 3, ADR 0956): CISA's KEV catalogue shortens a finding's deadline
to three days from when it was first seen or added, whichever is later; FIRST's EPSS scores order
findings within a severity. Both are read whole from their published formats, offline; a broken
file is refused naming the row, and the data already kept stays as it was."""

from __future__ import annotations

import datetime
import gzip
import json

import pytest
from django.core.management import call_command
from django.utils import timezone

from samdrift.audit.models import AuditEvent
from samdrift.core.exceptions import PermissionDenied, ValidationFailed
from samdrift.core.i18n import in_both_languages
from samdrift.security import selectors, services
from samdrift.security.models import EpssScore, Finding, KnownExploited

from .conftest import member_of, sample

pytestmark = pytest.mark.django_db


def kev(*entries: tuple[str, str]) -> bytes:
    return json.dumps({
        "title": "CISA Catalog of Known Exploited Vulnerabilities", "catalogVersion": "2026.12.04",
        "dateReleased": "2026-12-04T14:00:00.000Z", "count": len(entries),
        "vulnerabilities": [
            {"cveID": cve, "vendorProject": "x", "product": "y", "vulnerabilityName": f"{cve} flaw",
             "dateAdded": added, "shortDescription": "", "requiredAction": "Apply updates.",
             "dueDate": "2026-12-25", "knownRansomwareCampaignUse": "Known", "notes": ""}
            for cve, added in entries
        ],
    }).encode()  # fmt: skip


def epss(*rows: str, header: str = "cve,epss,percentile") -> bytes:
    first = "#model_version:v2025.03.14,score_date:2026-12-04T00:00:00+0000"
    return "\n".join([first, header, *rows]).encode()


@pytest.fixture
def imported(soc, landscape):
    services.import_report(
        actor=soc, component_name="efos-web", data=sample("trivy/scheme_2_many_vulns.json")
    )
    return landscape


def test_a_known_exploited_vulnerability_gets_three_days(soc, imported):
    today = timezone.localdate()
    critical = Finding.objects.get(vulnerability_id="CVE-2019-12900")
    high = Finding.objects.filter(severity="high").order_by("id").first()
    deadlines = {f.id: r for f, r in _deadlines(soc).items()}
    assert deadlines[critical.id] == today + datetime.timedelta(days=7)
    added = today + datetime.timedelta(days=1)  # relative to today: a fixed date ages into the past
    assert services.import_kev(actor=soc, data=kev(("CVE-2019-12900", "2019-07-01"),
                                                    (high.vulnerability_id, added.isoformat()))) == 2  # fmt: skip
    deadlines = {f.id: r for f, r in _deadlines(soc).items()}
    assert deadlines[critical.id] == today + datetime.timedelta(days=3)
    # added to the catalogue after it was first seen here: three days from the day it was added
    assert deadlines[high.id] == added + datetime.timedelta(days=3)
    assert KnownExploited.objects.get(cve_id="CVE-2019-12900").ransomware
    rows = _api(soc)
    assert rows["CVE-2019-12900"]["known_exploited"] is True
    assert AuditEvent.objects.filter(action="security.kev_imported").count() == 1


def _deadlines(soc):
    return {r.finding: r.deadline for r in selectors.finding_rows(actor=soc)[0]}


def _api(soc):
    from django.test import Client

    from samdrift.tests.factories import UserFactory  # noqa: F401

    client = Client()
    client.force_login(_user_of(soc))
    items = client.get("/api/v1/security/findings?limit=100").json()["items"]
    return {item["vulnerability_id"]: item for item in items}


def _user_of(actor):
    from django.contrib.auth import get_user_model

    return get_user_model().objects.get(pk=actor.user_id)


def test_epss_orders_findings_within_a_severity_and_gzip_is_read(soc, imported):
    two = list(Finding.objects.exclude(severity="critical").order_by("id")[:2])
    Finding.objects.filter(id__in=[f.id for f in two]).update(severity="high")
    low_first, high_later = two[0].vulnerability_id, two[1].vulnerability_id
    order = [r.finding.vulnerability_id for r in selectors.finding_rows(actor=soc)[0]]
    assert order.index(low_first) < order.index(high_later)  # oldest first without EPSS
    data = gzip.compress(epss(f"{low_first},0.00100,0.20000", f"{high_later},0.97000,0.99900"))
    assert services.import_epss(actor=soc, data=data) == 2
    order = [r.finding.vulnerability_id for r in selectors.finding_rows(actor=soc)[0]]
    assert order.index(high_later) < order.index(low_first)
    assert _api(soc)[high_later]["epss"] == pytest.approx(0.97)
    assert EpssScore.objects.get(cve_id=high_later).score_date == datetime.date(2026, 12, 4)


@pytest.mark.parametrize(
    ("feed", "data", "named"),
    [
        ("kev", b"", "empty"),
        ("kev", b'{"vulnerabilities": []}', "KEV catalogue"),
        (
            "kev",
            kev(("CVE-2019-12900", "2019-07-01"), ("CVE-19-1", "2019-07-01")),
            "vulnerabilities[2]",
        ),
        ("kev", kev(("CVE-2019-12900", "not a date")), "dateAdded"),
        ("epss", epss(header="id,score"), "cve, epss, percentile"),
        ("epss", epss("CVE-2019-12900,0.5,0.5", "CVE-2019-1,abc,0.1"), "Row 4"),
        ("epss", epss("CVE-2019-12900,1.5,0.5"), "Row 3"),
        ("epss", epss(), "no scores"),
        ("epss", b"\x1f\x8b broken", "gzip"),
    ],
)
def test_a_broken_feed_is_refused_naming_the_problem_and_changes_nothing(soc, imported, feed, data, named):  # fmt: skip
    services.import_kev(actor=soc, data=kev(("CVE-2019-12900", "2019-07-01")))
    services.import_epss(actor=soc, data=epss("CVE-2019-12900,0.5,0.5"))
    before = (list(KnownExploited.objects.values()), list(EpssScore.objects.values()))
    importer = services.import_kev if feed == "kev" else services.import_epss
    with pytest.raises(ValidationFailed) as caught:
        importer(actor=soc, data=data)
    both = in_both_languages(caught.value.message, caught.value.params)
    assert named in both["en"] and both["sv"] != both["en"], both
    assert (list(KnownExploited.objects.values()), list(EpssScore.objects.values())) == before


def test_only_a_soc_imports_feeds_and_the_cli_reads_files(soc, imported, tmp_path):
    customer = member_of(imported["a"], "anna")
    with pytest.raises(PermissionDenied):
        services.import_kev(actor=customer, data=kev(("CVE-2019-12900", "2019-07-01")))
    assert not KnownExploited.objects.exists()
    path = tmp_path / "known_exploited_vulnerabilities.json"
    path.write_bytes(kev(("CVE-2019-12900", "2019-07-01")))
    call_command("security", "kev", str(path))
    scores = tmp_path / "epss_scores-2026-12-04.csv.gz"
    scores.write_bytes(gzip.compress(epss("CVE-2019-12900,0.5,0.5")))
    call_command("security", "epss", str(scores))
    assert KnownExploited.objects.count() == 1 and EpssScore.objects.count() == 1
