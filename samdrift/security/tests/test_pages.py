"""The findings page and API (issue 17 items 4 and 6, ADR 0952): the SOC sees its components'
findings with where they were found and filters them; a customer agency sees those reaching it
with the deadline and without the location; another agency sees none of them."""

from __future__ import annotations

import pytest

from samdrift.security import services
from samdrift.tests.factories import MembershipFactory, UserFactory

from .conftest import sample

pytestmark = pytest.mark.django_db


@pytest.fixture
def imported(soc, landscape):
    services.import_report(
        actor=soc, component_name="efos-web", data=sample("trivy/scheme_2_many_vulns.json")
    )
    return landscape


def _user(org, name):
    user = UserFactory(username=name)
    MembershipFactory(user=user, organisation=org, role="member")
    return user


def test_the_soc_sees_every_finding_with_its_location_and_filters(
    imported, security_officer, client_for
):
    client = client_for(security_officer)
    page = client.get("/security/findings/").content.decode()
    assert "CVE-2019-12900" in page and "teamdojo:latest (alpine 3.9.4)" in page
    assert "5 fynd." in page
    critical = client.get("/security/findings/?severity=critical").content.decode()
    assert "CVE-2019-12900" in critical and "CVE-2018-1324" not in critical
    searched = client.get("/security/findings/?q=commons-compress&status=open").content.decode()
    assert "2 fynd." in searched and "libbz2" not in searched
    # a value that is not a severity is ignored, not an error
    assert client.get("/security/findings/?severity=<script>").status_code == 200


def test_a_customer_sees_what_reaches_it_without_locations(imported, client_for):
    a = client_for(_user(imported["a"], "anna"))
    page = a.get("/security/findings/").content.decode()
    assert "CVE-2019-12900" in page and "Åtgärda senast" in page and "Plats" not in page
    assert "teamdojo" not in page and "app/libs" not in page
    b = client_for(_user(imported["b"], "bertil"))
    other = b.get("/security/findings/").content.decode()
    assert "CVE-2019-12900" not in other and "0 fynd." in other


def test_the_api_answers_the_same_scope(imported, security_officer, client_for):
    soc = (
        client_for(security_officer)
        .get("/api/v1/security/findings?severity=critical")
        .json()["items"]
    )
    assert [f["vulnerability_id"] for f in soc] == ["CVE-2019-12900"]
    assert soc[0]["location"] == "teamdojo:latest (alpine 3.9.4)"
    assert soc[0]["remediate_by"] and soc[0]["package"] == "libbz2"
    anna = client_for(_user(imported["a"], "anna")).get("/api/v1/security/findings").json()["items"]
    assert len(anna) == 5 and {f["location"] for f in anna} == {""}
    bertil = (
        client_for(_user(imported["b"], "bertil")).get("/api/v1/security/findings").json()["items"]
    )
    assert bertil == []
    components = client_for(security_officer).get("/api/v1/security/components").json()["items"]
    assert components == [{"name": "efos-web", "version": "3.17", "purl": "", "kind": "image"}]
    assert (
        client_for(_user(imported["a"], "anna2")).get("/api/v1/security/components").json()["items"]
        == []
    )


def test_the_api_pages_through_every_finding_past_the_pages_200_rows(
    imported, security_officer, client_for
):
    """The page shows the first 200; the API pages through all of them, none twice or missed."""
    from samdrift.security.models import Finding

    template = Finding.objects.order_by("id").first()
    Finding.objects.bulk_create(
        Finding(
            component=template.component,
            tool=template.tool,
            dedup_key=f"{n:064x}",
            vulnerability_id=f"CVE-2026-{n:05d}",
            severity="low",
            first_seen=template.first_seen,
            last_seen=template.last_seen,
            first_run=template.first_run,
            last_run=template.last_run,
        )
        for n in range(230)
    )
    client = client_for(security_officer)
    seen: list[int] = []
    for offset in range(0, 300, 100):
        page = client.get(f"/api/v1/security/findings?limit=100&offset={offset}").json()
        assert page["count"] == 235
        seen += [f["id"] for f in page["items"]]
    assert len(seen) == 235 and len(set(seen)) == 235
