"""Fixtures shared by every app's tests: actors of each kind, and a logged-in client for each."""

from __future__ import annotations

from collections.abc import Callable

import pytest
from django.core.management.commands import flush
from django.test import Client

from samdrift.audit.sealing import unsealed_for_test_flush
from samdrift.tests.browser import browser  # noqa: F401  (the browser tests' Chromium fixture)
from samdrift.tests.factories import (
    MembershipFactory,
    OrganisationFactory,
    ProviderFactory,
    UserFactory,
)

_original_flush = flush.Command.handle


def _flush_unsealed(self, *args, **kwargs):  # type: ignore[no-untyped-def]
    # Transactional tests empty the database between tests; only then may audit rows go.
    with unsealed_for_test_flush():
        return _original_flush(self, *args, **kwargs)


flush.Command.handle = _flush_unsealed  # type: ignore[method-assign]


@pytest.fixture
def provider(db):
    return ProviderFactory(name="Försäkringskassan", org_number="202100-5521")


@pytest.fixture
def agency(db):
    return OrganisationFactory(name="Myndighet A")


@pytest.fixture
def other_agency(db):
    return OrganisationFactory(name="Myndighet B")


def _member(org, role, username):
    user = UserFactory(username=username)
    MembershipFactory(user=user, organisation=org, role=role)
    return user


@pytest.fixture
def provider_admin(provider):
    return _member(provider, "provider_admin", "padmin")


@pytest.fixture
def account_manager(provider):
    return _member(provider, "account_manager", "kundansvarig")


@pytest.fixture
def security_officer(provider):
    return _member(provider, "security", "sakerhet")


@pytest.fixture
def service_manager(provider):
    return _member(provider, "service_manager", "tjanstansvarig")


@pytest.fixture
def agency_contact(agency):
    return _member(agency, "contact", "kontakt_a")


@pytest.fixture
def agency_orderer(agency):
    return _member(agency, "orderer", "bestallare_a")


@pytest.fixture
def agency_member(agency):
    return _member(agency, "member", "medlem_a")


@pytest.fixture
def other_agency_contact(other_agency):
    return _member(other_agency, "contact", "kontakt_b")


@pytest.fixture
def client_for() -> Callable[..., Client]:
    def make(user=None) -> Client:
        client = Client()
        if user is not None:
            client.force_login(user)
        return client

    return make
