"""Two people advance the same case at the same moment: exactly one wins, the other is told
(409 `concurrent_update`) and nothing of theirs is written."""

from __future__ import annotations

import sqlite3
import threading
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

import pytest
from django.db import connection, connections
from django.test import Client

from samdrift.audit.models import AuditEvent
from samdrift.onboarding.models import CaseEvent, ConnectionCase, PhasePeriod
from samdrift.tests.factories import MembershipFactory, ServiceFactory, UserFactory
from tests.api.support import call, checklist_templates, complete_phase, open_case


def _ready_case(agency, security_officer) -> ConnectionCase:
    checklist_templates(per_phase=1)
    ServiceFactory(code="EFOS")
    return complete_phase(open_case(agency.id, ["EFOS"]), security_officer)


def _second_account_manager(provider):
    user = UserFactory(username="kundansvarig2")
    MembershipFactory(user=user, organisation=provider, role="account_manager")
    return user


def _assert_advanced_exactly_once(case: ConnectionCase, version: int) -> None:
    case.refresh_from_db()
    assert (case.phase, case.version) == ("plan", version + 1)
    assert CaseEvent.objects.filter(case=case, kind="advanced").count() == 1
    assert PhasePeriod.objects.filter(case=case, phase="plan").count() == 1
    assert (
        AuditEvent.objects.filter(action="onboarding.case_advanced", object_id=str(case.id)).count()
        == 1
    )


@pytest.mark.django_db
def test_same_version_twice_one_wins(
    client_for, provider, agency, account_manager, security_officer
):
    # given: two account managers looked at the same case
    case = _ready_case(agency, security_officer)
    first, second = client_for(account_manager), client_for(_second_account_manager(provider))
    version = call(first, "GET", f"/cases/{case.id}").json()["version"]
    assert call(second, "GET", f"/cases/{case.id}").json()["version"] == version
    # when
    won = call(first, "POST", f"/cases/{case.id}/advance", {"version": version})
    lost = call(second, "POST", f"/cases/{case.id}/advance", {"version": version})
    # then
    assert won.status_code == 200
    assert lost.status_code == 409
    assert lost.json()["code"] == "concurrent_update"
    assert lost.json()["message_en"].startswith("Someone else changed this case")
    _assert_advanced_exactly_once(case, version)


@contextmanager
def _database_for_threads(tmp_path: Path) -> Iterator[None]:
    """Where the threads meet. PostgreSQL: the test database itself (row locks).

    SQLite: the in-memory test database uses a shared cache, in which a second writer fails at
    once ("database table is locked") instead of waiting, so it cannot show queueing at all. The
    data is copied into a file database that new connections then use with the production
    options (WAL, BEGIN IMMEDIATE, busy timeout): the configuration samdrift really runs on.
    """
    settings = connections.settings["default"]
    if connection.vendor != "sqlite":
        yield
        return
    target = tmp_path / "threads.sqlite3"
    with sqlite3.connect(target) as copy:
        connection.ensure_connection()
        connection.connection.backup(copy)
    original = settings["NAME"]
    settings["NAME"] = str(target)
    try:
        yield
    finally:
        settings["NAME"] = original


def _in_thread(work: Callable[[], Any]) -> Any:
    """Run `work` in a fresh thread (so with a fresh connection) and give back its result."""
    outcome: dict[str, Any] = {}

    def run() -> None:
        try:
            outcome["value"] = work()
        except BaseException as exc:  # re-raised in the test's thread below
            outcome["error"] = exc
        finally:
            connection.close()

    thread = threading.Thread(target=run)
    thread.start()
    thread.join(timeout=60)
    if "error" in outcome:
        raise outcome["error"]
    return outcome["value"]


@pytest.mark.django_db(transaction=True)
def test_two_threads_at_the_same_moment_one_wins(
    tmp_path, provider, agency, account_manager, security_officer
):
    # given: two logged-in account managers, each in its own thread with its own connection
    case = _ready_case(agency, security_officer)
    version = case.version
    clients = []
    for user in (account_manager, _second_account_manager(provider)):
        client = Client()
        client.force_login(user)
        clients.append(client)
    start = threading.Barrier(len(clients))
    statuses: list[int] = []
    codes: list[str] = []
    errors: list[BaseException] = []

    def advance(client: Client) -> None:
        try:
            start.wait(timeout=10)
            response = call(client, "POST", f"/cases/{case.id}/advance", {"version": version})
            statuses.append(response.status_code)
            codes.append(response.json().get("code", ""))
        except BaseException as exc:  # surfaced below: a thread's failure must fail the test
            errors.append(exc)
        finally:
            connection.close()

    with _database_for_threads(tmp_path):
        threads = [threading.Thread(target=advance, args=(client,)) for client in clients]
        # when
        for thread in threads:
            thread.start()
        for thread in threads:
            thread.join(timeout=60)
        # then
        assert errors == []
        assert sorted(statuses) == [200, 409]
        assert "concurrent_update" in codes
        _in_thread(lambda: _assert_advanced_exactly_once(case, version))
