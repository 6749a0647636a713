"""Reach and deadlines (issue 17 item 3, ADR 0953) and who sees what (ADR 0952): a finding
reaches the services using its component, those depending on them, and every agency with an
active subscription to one of them; each gets a remediation deadline from the severity. A
customer agency sees only what reaches it, never the location, never another agency."""

from __future__ import annotations

import datetime

import pytest
from django.utils import timezone

from samdrift.accounts.selectors import actor_for_user
from samdrift.core.exceptions import NotFound, ValidationFailed
from samdrift.security import selectors, services
from samdrift.security.models import Finding
from samdrift.tests.factories import (
    MembershipFactory,
    SecondProviderFactory,
    SubscriptionFactory,
    UserFactory,
)

from .conftest import member_of, sample

pytestmark = pytest.mark.django_db


@pytest.fixture
def imported(soc, landscape):
    services.import_report(
        actor=soc, component_name="efos-web", data=sample("trivy/scheme_2_many_vulns.json")
    )
    return Finding.objects.get(vulnerability_id="CVE-2019-12900")  # critical


def test_a_finding_reaches_users_dependants_and_their_subscribers(imported, landscape):
    reach = selectors.reach_of(imported)
    assert reach.direct == [landscape["efos"].id]
    assert reach.through == [landscape["safos"].id]
    # A through SAFOS (which depends on EFOS), C directly; C's ended SAFOS subscription does not
    # count, and B (KAP only) is not reached
    assert reach.agencies == {
        landscape["a"].id: [landscape["safos"].id],
        landscape["c"].id: [landscape["efos"].id],
    }
    assert reach.deadline == timezone.localtime(imported.first_seen).date() + datetime.timedelta(
        days=7
    )


def test_the_reach_follows_the_graph_transitively_and_new_subscriptions_at_once(
    imported, landscape
):
    from samdrift.catalogue.models import ServiceDependency

    ServiceDependency.objects.create(service=landscape["kap"], depends_on=landscape["safos"])
    reach = selectors.reach_of(imported)
    assert set(reach.through) == {landscape["safos"].id, landscape["kap"].id}
    assert landscape["b"].id in reach.agencies


def test_deadlines_follow_severity_and_the_configured_days(imported, landscape, settings):
    by_severity = {f.severity: selectors.remediation_deadline(f) for f in Finding.objects.all()}
    first = timezone.localtime(imported.first_seen).date()
    assert by_severity["critical"] == first + datetime.timedelta(days=7)
    assert by_severity["high"] == first + datetime.timedelta(days=30)
    assert by_severity["medium"] == first + datetime.timedelta(days=90)
    settings.SECURITY_REMEDIATION_DAYS = {"critical": 2}
    assert selectors.remediation_deadline(imported) == first + datetime.timedelta(days=2)
    info = Finding(severity="info", first_seen=imported.first_seen)
    assert selectors.remediation_deadline(info) is None


def test_a_customer_sees_only_what_reaches_its_agency_without_locations(imported, landscape, soc):
    a = member_of(landscape["a"], "anna")
    b = member_of(landscape["b"], "bertil")
    assert selectors.finding_list(actor=a).count() == 5
    assert selectors.finding_list(actor=b).count() == 0
    assert not selectors.shows_location(a, imported)
    assert selectors.shows_location(soc, imported)
    with pytest.raises(NotFound):
        selectors.finding_get(actor=b, finding_id=imported.id)
    # an agency's findings with deadlines, for its own people; another agency's are refused
    rows = selectors.agency_findings(actor=a, organisation_id=landscape["a"].id)
    assert [row.finding.severity for row in rows][:2] == ["critical", "high"]
    assert rows[0].deadline == timezone.localtime(imported.first_seen).date() + datetime.timedelta(
        days=7
    )
    with pytest.raises(NotFound):
        selectors.agency_findings(actor=a, organisation_id=landscape["c"].id)
    assert selectors.agency_findings(actor=b, organisation_id=landscape["b"].id) == []
    # the reach names every agency: the SOC's, never a customer's
    assert selectors.finding_reach(actor=soc, finding_id=imported.id).agencies
    with pytest.raises(NotFound):
        selectors.finding_reach(actor=a, finding_id=imported.id)


def test_another_providers_soc_sees_nothing_and_cannot_import(imported, landscape):
    other = SecondProviderFactory()
    user = UserFactory(username="annan-soc")
    MembershipFactory(user=user, organisation=other, role="security")
    theirs = actor_for_user(user)
    assert selectors.finding_list(actor=theirs).count() == 0
    assert selectors.component_list(actor=theirs).count() == 0
    with pytest.raises(NotFound):
        selectors.finding_get(actor=theirs, finding_id=imported.id)
    with pytest.raises(ValidationFailed, match="efos-web"):
        services.import_report(
            actor=theirs, component_name="efos-web", data=sample("trivy/scheme_2_no_vuln.json")
        )
    assert Finding.objects.filter(status="open").count() == 5


def test_filters_of_the_soc_list(imported, soc):
    assert selectors.finding_list(actor=soc, severity="medium").count() == 3
    assert selectors.finding_list(actor=soc, search="libbz2").get() == imported
    assert selectors.finding_list(actor=soc, status="fixed").count() == 0
    assert selectors.finding_list(actor=soc, component="efos-web").count() == 5


def test_a_subscription_taken_later_reaches_at_once(imported, landscape):
    b = member_of(landscape["b"], "bertil")
    SubscriptionFactory(organisation=landscape["b"], service=landscape["efos"])
    assert selectors.finding_list(actor=b).count() == 5
