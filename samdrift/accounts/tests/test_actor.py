"""The actor built on every request (`actor_for_user`): roles per agency, a parent contact's
sub-agencies, a provider's customers with their sub-agencies and the prospects, in a fixed
number of queries whatever the size of the agency tree."""

from __future__ import annotations

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from samdrift.accounts.selectors import actor_for_user
from samdrift.tests.factories import (
    MembershipFactory,
    OrganisationFactory,
    ProviderFactory,
    SecondProviderFactory,
    ServiceFactory,
    ServiceRequestFactory,
    SubscriptionFactory,
    UserFactory,
)

pytestmark = pytest.mark.django_db


def _member(org, role):
    user = UserFactory()
    MembershipFactory(user=user, organisation=org, role=role)
    return user


def _customer_tree(provider, name, *, children):
    """A customer agency (subscribing to the provider's service) with sub-agencies."""
    customer = OrganisationFactory(name=name)
    for n in range(children):
        OrganisationFactory(name=f"{name} enhet {n}", parent=customer)
    SubscriptionFactory(organisation=customer, service=ServiceFactory(provider=provider))
    return customer


def _built(user):
    with CaptureQueriesContext(connection) as queries:
        actor = actor_for_user(user)
    return actor, len(queries)


def test_provider_staff_see_their_customers_with_sub_agencies_and_the_prospects():
    provider = ProviderFactory(name="Försäkringskassan", org_number="202100-5521")
    other = SecondProviderFactory()
    customer = _customer_tree(provider, "Kund", children=2)
    theirs = OrganisationFactory(name="Den andras kund")
    ServiceRequestFactory(organisation=theirs, service=ServiceFactory(provider=other))
    prospect = OrganisationFactory(name="Ännu ingen leverantör")
    admin = _member(provider, "provider_admin")

    actor, _ = _built(admin)

    assert actor.provider_org_ids == {provider.id}
    assert actor.customer_org_ids == {customer.id, *customer.children.values_list("id", flat=True)}
    assert prospect.id in actor.prospect_org_ids
    assert theirs.id not in actor.customer_org_ids | actor.prospect_org_ids
    assert customer.id not in actor.prospect_org_ids


def test_a_provider_role_in_a_customer_agency_grants_nothing():
    agency = OrganisationFactory(name="Kund")
    actor, _ = _built(_member(agency, "provider_admin"))
    assert not actor.provider_org_ids
    assert not actor.roles_by_org
    assert not actor.customer_org_ids


def test_a_parent_contact_is_contact_of_every_sub_agency():
    parent = OrganisationFactory(name="Domstolsverket")
    court = OrganisationFactory(name="Tingsrätt", parent=parent)
    chamber = OrganisationFactory(name="Avdelning", parent=court)
    actor, _ = _built(_member(parent, "contact"))
    assert set(actor.roles_by_org) == {parent.id, court.id, chamber.id}
    assert all(roles == {"contact"} for roles in actor.roles_by_org.values())


def test_a_providers_actor_takes_the_same_queries_however_large_the_tree():
    """Memberships, the customer relations (onboarding's one source) and the agency tree: three
    queries for a provider's staff, with one customer or with twenty and their sub-agencies."""
    provider = ProviderFactory(name="Försäkringskassan", org_number="202100-5521")
    _customer_tree(provider, "Kund 0", children=1)
    admin = _member(provider, "provider_admin")
    _, small = _built(admin)
    for n in range(1, 20):
        _customer_tree(provider, f"Kund {n}", children=3)
    actor, large = _built(admin)
    assert len(actor.customer_org_ids) == 20 * 4 - 2
    assert small == large == 3
