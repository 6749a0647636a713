"""One finding's page and API (issue 17 items 3, 4 and 6): the provider's SOC sees where it
was found, the services it reaches and every agency reached through its own services; a
customer agency sees it as it reaches that agency alone; anyone it does not reach gets 404."""

from __future__ import annotations

import pytest

from samdrift.catalogue.models import ServiceDependency
from samdrift.security import services
from samdrift.security.advisories import advisory_publish
from samdrift.security.models import Finding
from samdrift.tests.factories import (
    MembershipFactory,
    OrganisationFactory,
    SecondProviderFactory,
    ServiceFactory,
    SubscriptionFactory,
    UserFactory,
)

from .conftest import sample

pytestmark = pytest.mark.django_db


@pytest.fixture
def critical(soc, landscape):
    services.import_report(
        actor=soc, component_name="efos-web", data=sample("trivy/scheme_2_many_vulns.json")
    )
    return Finding.objects.get(vulnerability_id="CVE-2019-12900")


def _user(org, name):
    user = UserFactory(username=name)
    MembershipFactory(user=user, organisation=org, role="member")
    return user


def test_the_soc_sees_location_services_agencies_and_imports(
    critical, security_officer, client_for
):
    page = client_for(security_officer).get(f"/security/findings/{critical.pk}/")
    assert page.status_code == 200
    text = page.content.decode()
    assert "CVE-2019-12900" in text and critical.location in text
    # EFOS uses the component, SAFOS depends on EFOS; A subscribes to SAFOS, C to EFOS
    assert "Når 2 myndigheter" in text
    assert '<th scope="row">Myndighet A</th><td>SAFOS</td>' in text
    assert '<th scope="row">Myndighet C</th><td>EFOS</td>' in text
    assert "Myndighet B" not in text  # KAP only: not reached
    assert "scheme_2_many_vulns" not in text  # the import came as bytes without a file name
    assert "Trivy" in text


def test_a_customer_sees_its_own_agency_only_and_no_location(critical, landscape, client_for):
    a = client_for(_user(landscape["a"], "anna"))
    text = a.get(f"/security/findings/{critical.pk}/").content.decode()
    assert "CVE-2019-12900" in text and "Når Myndighet A genom SAFOS." in text
    assert critical.location not in text and "Myndighet C" not in text
    b = client_for(_user(landscape["b"], "bertil"))  # KAP only: not reached, not told it exists
    assert b.get(f"/security/findings/{critical.pk}/").status_code == 404
    assert b.get(f"/api/v1/security/findings/{critical.pk}").status_code == 404
    assert b.get("/security/findings/987654/").status_code == 404


def test_another_providers_customers_are_counted_not_named(
    critical, landscape, security_officer, client_for
):
    second = SecondProviderFactory()
    theirs = ServiceFactory(code="SITS", provider=second)
    ServiceDependency.objects.create(service=theirs, depends_on=landscape["efos"])
    SubscriptionFactory(organisation=OrganisationFactory(name="Myndighet D"), service=theirs)
    soc = client_for(security_officer)
    text = soc.get(f"/security/findings/{critical.pk}/").content.decode()
    assert "Myndighet D" not in text and "SITS" not in text
    assert "1 myndighet till nås bara genom andra leverantörers tjänster" in text
    answer = soc.get(f"/api/v1/security/findings/{critical.pk}").json()
    assert answer["reach"]["other_agencies"] == 1
    assert answer["reach"]["services"] == ["EFOS"] and answer["reach"]["through"] == ["SAFOS"]
    assert [a["name"] for a in answer["reach"]["agencies"]] == ["Myndighet A", "Myndighet C"]


def test_the_api_gives_a_customer_its_reach_and_the_advisories_sent_to_it(
    critical, soc, landscape, client_for
):
    published = advisory_publish(
        actor=soc, vulnerability_id="CVE-2019-12900", title="bzip2", summary="Uppdatera."
    )
    a = client_for(_user(landscape["a"], "anna"))
    answer = a.get(f"/api/v1/security/findings/{critical.pk}").json()
    assert answer["location"] == "" and answer["reach"] == {
        "services": [], "through": [], "other_agencies": 0,
        "agencies": [{"name": "Myndighet A", "services": ["SAFOS"]}],
    }  # fmt: skip
    assert answer["advisories"] == [published.advisory.id]
    page = a.get(f"/security/findings/{critical.pk}/").content.decode()
    assert f'href="/security/advisories/{published.advisory.id}/"' in page
