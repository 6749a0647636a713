"""Program 2032 sites (issue 18 item 2): sites, placements and policies are validated with a
bilingual refusal that stores nothing; the check lists every violation; losing a site names what
stops, whose customers suffer, how many preparedness agencies, and which RTOs are missed."""

from __future__ import annotations

import pytest
from django.utils import translation

from samdrift.accounts.selectors import actor_for_user
from samdrift.audit.models import AuditEvent
from samdrift.continuity import placements, selectors
from samdrift.continuity.models import Placement, RedundancyPolicy, Site
from samdrift.core.exceptions import BusinessRuleViolation, NotFound, ValidationFailed
from samdrift.core.i18n import in_both_languages
from samdrift.tests.factories import (
    MembershipFactory,
    OrganisationFactory,
    SecondProviderFactory,
    ServiceFactory,
    UserFactory,
)

pytestmark = pytest.mark.django_db


def _state():
    return (
        list(Site.objects.order_by("id").values()),
        list(Placement.objects.order_by("id").values()),
        list(RedundancyPolicy.objects.order_by("id").values()),
        AuditEvent.objects.count(),
    )


def _refused(error_type, call, **kwargs):
    before = _state()
    with pytest.raises(error_type) as caught:
        call(**kwargs)
    assert _state() == before
    both = in_both_languages(caught.value.message, caught.value.params)
    assert both["sv"] != both["en"], both  # a Swedish and an English sentence
    return both


def test_a_site_placement_and_policy_are_stored_and_audited(admin, sites, provider):
    service = ServiceFactory(code="EFOS", rto_hours=8)
    placements.place_service(
        actor=admin, service_code="efos", site_code="NORR-1", role="primary", rto_hours=4
    )
    placements.place_service(
        actor=admin, service_code="EFOS", site_code="syd-1", role="secondary", rto_hours=24
    )
    policy = placements.set_policy(
        actor=admin, service_code="EFOS", min_sites=2, min_regions=2, min_security_class=3
    )
    assert policy.service_id == service.id
    assert sorted(Placement.objects.values_list("site__code", "role")) == [
        ("NORR-1", "primary"),
        ("SYD-1", "secondary"),
    ]
    actions = list(AuditEvent.objects.values_list("action", flat=True).order_by("id"))
    assert actions == ["continuity.site_created"] * 4 + ["continuity.placed"] * 2 + [
        "continuity.policy_set"
    ]


@pytest.mark.parametrize(
    ("changes", "sv_word"),
    [
        ({"code": "x"}, "platskod"),
        ({"code": "NORR-1"}, "redan"),
        ({"name": " "}, "namn"),
        ({"region": "mars"}, "region"),
        ({"security_class": 9}, "säkerhetsskyddsklass"),
        ({"capacity": 0}, "kapacitet"),
        ({"operator_id": 987654}, "myndighet"),
    ],
)
def test_a_bad_site_is_refused_in_both_languages_and_nothing_stored(admin, sites, changes, sv_word):
    operator = OrganisationFactory(name="Lantmäteriet")
    values = {
        "code": "NY-1", "name": "Ny hall", "operator_id": operator.id, "region": "mitt",
        "security_class": 1, "capacity": 5, **changes,
    }  # fmt: skip
    both = _refused(ValidationFailed, placements.site_create, actor=admin, **values)
    assert sv_word in both["sv"].lower()


def test_only_a_provider_administrator_registers_a_site(service_manager, agency_contact):
    operator = OrganisationFactory(name="Lantmäteriet")
    for user in (service_manager, agency_contact):
        with pytest.raises(NotFound):
            placements.site_create(
                actor=actor_for_user(user), code="NY-1", name="Ny", operator_id=operator.id,
                region="mitt", security_class=0, capacity=1,
            )  # fmt: skip
    assert not Site.objects.exists()


def test_bad_placements_are_refused_and_nothing_stored(admin, sites):
    ServiceFactory(code="EFOS")
    placements.place_service(
        actor=admin, service_code="EFOS", site_code="NORR-1", role="primary", rto_hours=4
    )
    place = placements.place_service
    both = _refused(ValidationFailed, place, actor=admin, service_code="EFOS",
                    site_code="MANEN-1", role="secondary", rto_hours=4)  # fmt: skip
    assert "MANEN-1" in both["en"] and "no site" in both["en"]
    both = _refused(ValidationFailed, place, actor=admin, service_code="EFOS",
                    site_code="NORR-1", role="secondary", rto_hours=4)  # fmt: skip
    assert "already placed" in both["en"]
    both = _refused(ValidationFailed, place, actor=admin, service_code="EFOS",
                    site_code="SYD-1", role="primary", rto_hours=4)  # fmt: skip
    assert "primary" in both["en"]
    for role, hours in (("tertiary", 4), ("secondary", 0), ("secondary", "x")):
        _refused(ValidationFailed, place, actor=admin, service_code="EFOS",
                 site_code="SYD-1", role=role, rto_hours=hours)  # fmt: skip
    with pytest.raises(NotFound):
        place(actor=admin, service_code="NOPE", site_code="SYD-1", role="secondary", rto_hours=4)


def test_a_full_site_and_a_site_below_the_policys_class_are_refused(admin, sites):
    ServiceFactory(code="EFOS")
    ServiceFactory(code="SAFOS")
    placements.place_service(
        actor=admin, service_code="SAFOS", site_code="STHLM-1", role="primary", rto_hours=4
    )
    both = _refused(BusinessRuleViolation, placements.place_service, actor=admin,
                    service_code="EFOS", site_code="STHLM-1", role="primary", rto_hours=4)  # fmt: skip
    assert "full" in both["en"] and "full" in both["en"]
    placements.set_policy(
        actor=admin, service_code="EFOS", min_sites=1, min_regions=1, min_security_class=3
    )
    both = _refused(ValidationFailed, placements.place_service, actor=admin,
                    service_code="EFOS", site_code="NORR-2", role="primary", rto_hours=4)  # fmt: skip
    assert "security class 2" in both["en"]


def test_another_providers_service_cannot_be_placed(sites):
    second = SecondProviderFactory()
    theirs = UserFactory(username="sitssam_admin")
    MembershipFactory(user=theirs, organisation=second, role="provider_admin")
    ServiceFactory(code="EFOS")
    with pytest.raises(NotFound):
        placements.place_service(
            actor=actor_for_user(theirs), service_code="EFOS", site_code="SYD-1",
            role="primary", rto_hours=4,
        )  # fmt: skip
    assert not Placement.objects.exists()


@pytest.mark.parametrize(
    ("policy", "what"),
    [
        ({"min_sites": 5, "min_regions": 1}, "No set"),  # only four sites exist
        ({"min_sites": 3, "min_regions": 3}, "No set"),  # three civil areas, STHLM-1 is full
        ({"min_sites": 2, "min_regions": 2, "min_security_class": 3}, None),
        ({"min_sites": 3, "min_regions": 1, "min_security_class": 3}, "No set"),
        ({"min_sites": 4, "min_regions": 4, "min_security_class": 4}, "No set"),
        ({"min_sites": 1, "min_regions": 2}, "regions"),
        ({"min_sites": 0, "min_regions": 0}, "at least 1"),
        ({"min_sites": 2, "min_regions": 1, "min_security_class": 7}, "security class"),
    ],
)
def test_a_policy_no_set_of_existing_sites_can_meet_is_refused(admin, sites, policy, what):
    ServiceFactory(code="EFOS")
    ServiceFactory(code="SAFOS")
    placements.place_service(
        actor=admin, service_code="SAFOS", site_code="STHLM-1", role="primary", rto_hours=4
    )
    if what is None:
        placements.set_policy(actor=admin, service_code="EFOS", **policy)
        return
    both = _refused(ValidationFailed, placements.set_policy, actor=admin, service_code="EFOS",
                    **policy)  # fmt: skip
    assert what in both["en"]


def test_a_service_already_on_a_full_site_may_count_it(admin, sites):
    ServiceFactory(code="SAFOS")
    placements.place_service(
        actor=admin, service_code="SAFOS", site_code="STHLM-1", role="primary", rto_hours=4
    )
    placements.set_policy(actor=admin, service_code="SAFOS", min_sites=3, min_regions=3)
    assert RedundancyPolicy.objects.get().min_regions == 3


# --- the check and the loss -------------------------------------------------------------------


def _texts(violation):
    with translation.override("en"):
        return [str(m) for m in violation.missing]


def test_the_check_lists_every_violation_with_what_is_missing(provider_admin, landscape):
    admin = actor_for_user(provider_admin)  # after the subscriptions: its customers
    found = {v.service.code: v for v in selectors.check(actor=admin)}
    # EFOS: two sites, two civil areas, MSB a preparedness customer: met. KAP: no preparedness
    # customer, one site would do. SAFOS: Länsstyrelserna's counties are preparedness agencies.
    assert set(found) == {"SAFOS"}
    safos = found["SAFOS"]
    assert (safos.policy.min_sites, safos.policy.min_regions, safos.policy.source) == (
        2, 2, "preparedness",
    )  # fmt: skip
    assert _texts(safos) == [
        "1 more site(s): on 1 of at least 2.",
        "1 more region(s): in 1 of at least 2.",
    ]
    assert safos.service.preparedness_customers == 2


def test_a_policy_above_the_floor_and_a_class_are_checked(provider_admin, landscape):
    admin = actor_for_user(provider_admin)  # after the subscriptions: its customers
    placements.set_policy(
        actor=admin, service_code="KAP", min_sites=2, min_regions=2, min_security_class=3
    )
    kap = next(v for v in selectors.check(actor=admin) if v.service.code == "KAP")
    assert kap.policy.source == "policy"
    assert _texts(kap) == [
        "Site NORR-2 is approved for security class 2, the policy needs 3.",
        "1 more site(s): on 1 of at least 2.",
        "1 more region(s): in 1 of at least 2.",
    ]


def test_an_unplaced_running_service_and_a_missing_primary_are_violations(
    provider_admin, landscape
):
    admin = actor_for_user(provider_admin)  # after the subscriptions: its customers
    ServiceFactory(code="NYTT", rto_hours=8)
    ServiceFactory(code="UTAN", rto_hours=8)
    placements.place_service(
        actor=admin, service_code="UTAN", site_code="SYD-1", role="secondary", rto_hours=12
    )
    found = {v.service.code: _texts(v) for v in selectors.check(actor=admin)}
    assert found["NYTT"][0] == "The service is placed on no site."
    assert found["UTAN"] == [
        "No site is the service's primary.",
        "No site can restore it within its RTO of 8 h (best 12 h).",
    ]
    assert "UTKAST" not in found  # a draft does not run


def test_losing_a_site_names_what_stops_whose_customers_and_missed_rtos(provider_admin, landscape):
    admin = actor_for_user(provider_admin)  # after the subscriptions: its customers
    report = selectors.lose_site(actor=admin, site_code="norr-1")
    assert [s.code for s in report.loss.stopped] == ["SAFOS"]
    assert report.loss.rto_missed == ()  # EFOS runs from SYD-1 within 6 h of its 8 h
    assert [name for _id, name in report.agencies] == ["Konsumentverket", "Länsstyrelserna"]
    assert report.preparedness == 2
    assert {(p.service_code, p.role) for p in report.placements} == {
        ("EFOS", "primary"), ("SAFOS", "primary"),
    }  # fmt: skip
    degraded = {v.service.code: _texts(v) for v in report.loss.degraded}
    assert degraded == {
        "EFOS": ["1 more site(s): on 1 of at least 2.", "1 more region(s): in 1 of at least 2."]
    }


def test_losing_a_site_where_the_rest_is_too_slow_names_the_missed_rto(provider_admin, landscape):
    admin = actor_for_user(provider_admin)  # after the subscriptions: its customers
    report = selectors.lose_site(actor=admin, site_code="NORR-2")
    assert report.loss.stopped == ()
    missed = [(m.service.code, m.target_hours, m.best_hours) for m in report.loss.rto_missed]
    assert missed == [("KAP", 8, 48)]
    assert [name for _id, name in report.agencies] == ["Konsumentverket"]
    assert report.preparedness == 0


def test_losing_an_unknown_site_is_a_bilingual_refusal(provider_admin, landscape):
    admin = actor_for_user(provider_admin)  # after the subscriptions: its customers
    with pytest.raises(ValidationFailed) as caught:
        selectors.lose_site(actor=admin, site_code="ATLANTIS")
    both = in_both_languages(caught.value.message, caught.value.params)
    assert "ATLANTIS" in both["sv"] and both["sv"] != both["en"]


def test_a_customer_sees_nothing_and_another_provider_none_of_fks(landscape, agency_contact):
    with pytest.raises(NotFound):
        selectors.check(actor=actor_for_user(agency_contact))
    with pytest.raises(NotFound):
        selectors.lose_site(actor=actor_for_user(agency_contact), site_code="NORR-1")
    second = SecondProviderFactory()
    theirs = UserFactory(username="sitssam_admin")
    MembershipFactory(user=theirs, organisation=second, role="provider_admin")
    actor = actor_for_user(theirs)
    assert selectors.check(actor=actor) == []
    report = selectors.lose_site(actor=actor, site_code="NORR-1")
    assert (report.loss.stopped, report.agencies, report.preparedness, report.placements) == (
        (), [], 0, [],
    )  # fmt: skip
    assert [s.code for s in selectors.site_list(actor=actor)] == [
        "NORR-1", "NORR-2", "STHLM-1", "SYD-1",
    ]  # fmt: skip
