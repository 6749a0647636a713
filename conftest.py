"""Fixtures shared by every app's tests: actors of each kind, and a logged-in client for each."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

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
from samdrift.tests.live_server import install as serve_one_request_at_a_time

_original_flush = flush.Command.handle


def _flush_unsealed(self, *args, **kwargs):  # type: ignore[no-untyped-def]
    # Transactional tests empty the database between tests; only then may audit rows go.
    with unsealed_for_test_flush():
        return _original_flush(self, *args, **kwargs)


flush.Command.handle = _flush_unsealed  # type: ignore[method-assign]

_original_sql_flush = flush.sql_flush
_superuser: dict[str, bool] = {}


def _is_superuser(connection: Any) -> bool:
    if connection.alias not in _superuser:
        with connection.cursor() as cursor:
            cursor.execute("SELECT rolsuper FROM pg_roles WHERE rolname = current_user")
            _superuser[connection.alias] = bool(cursor.fetchone()[0])
    return _superuser[connection.alias]


def _sql_flush_by_delete(style: Any, connection: Any, reset_sequences: bool = True, **kwargs: Any):
    """PostgreSQL's TRUNCATE of ~300 tables makes new files for every table and index: about a
    second per transactional test, four minutes of a CI run. A test database holds a few rows, so
    DELETE empties it in a fraction of that. With triggers set aside for this one transaction
    (superuser only: the foreign keys need no order, and the audit trail's seal is the test
    runner's to lift here as on SQLite). Anything else keeps Django's TRUNCATE."""
    if connection.vendor != "postgresql" or reset_sequences or not _is_superuser(connection):
        return _original_sql_flush(style, connection, reset_sequences=reset_sequences, **kwargs)
    tables = connection.introspection.django_table_names(only_existing=True, include_views=False)
    quote = connection.ops.quote_name
    return [
        "SET LOCAL session_replication_role = replica",
        *(f"DELETE FROM {quote(table)}" for table in sorted(tables)),  # noqa: S608 (Django's tables)
    ]


flush.sql_flush = _sql_flush_by_delete
serve_one_request_at_a_time()  # on an in-memory SQLite database (samdrift.tests.live_server)


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
