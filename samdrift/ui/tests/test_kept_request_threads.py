"""An ASGI request runs in a thread an earlier request used, with its database connection
(ADR 0669, `samdrift.core.lent_threads`)."""

from __future__ import annotations

import threading

import pytest
import requests
from django.db import connections
from django.db.backends.signals import connection_created

from samdrift.accounts.selectors import actor_for_user
from samdrift.accounts.services import token_create
from samdrift.tests.asgi_server import asgi_server
from samdrift.tests.factories import MembershipFactory, OrganisationFactory, UserFactory


@pytest.mark.django_db(transaction=True)
def test_asgi_requests_reuse_their_threads_and_database_connections(monkeypatch):
    # given: production's persistent connections (the test settings close them after each
    # request), a token of an agency's contact, and a count of the connections opened
    monkeypatch.setitem(connections.settings["default"], "CONN_MAX_AGE", 60)
    user = UserFactory(username="lent")
    MembershipFactory(user=user, organisation=OrganisationFactory(), role="contact")
    _token, secret = token_create(actor=actor_for_user(user), name="lent")
    opened: list[str] = []

    def count(sender, connection, **kwargs):  # type: ignore[no-untyped-def]
        opened.append(threading.current_thread().name)

    connection_created.connect(count)
    try:
        with asgi_server() as base, requests.Session() as http:
            http.headers["Authorization"] = f"Bearer {secret}"
            # when: ten requests one after the other, each reading the database
            answers = [http.get(f"{base}/api/v1/cases") for _ in range(10)]
    finally:
        connection_created.disconnect(count)
    # then: all answered, by kept threads with their connections, not a new one per request (a
    # request may begin while the one before is still closing: two threads take turns)
    assert [answer.status_code for answer in answers] == [200] * 10
    assert len(opened) <= 2, f"connections for 10 requests: {opened}"
