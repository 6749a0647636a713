"""Token reads do not need the write lock; a locked database gives 503 with Retry-After
(issue 19 item 2). A raw sqlite3 connection on the same file database holds the write lock
(`BEGIN IMMEDIATE`) as another process's long import would."""

from __future__ import annotations

import sqlite3
import threading
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

import pytest
from django.core.cache import cache
from django.db import connection, connections
from django.test import Client

from samdrift.accounts.models import ApiToken
from samdrift.accounts.selectors import actor_for_user
from samdrift.accounts.services import token_create
from samdrift.organisations.models import Invitation
from samdrift.tests.factories import UserFactory

pytestmark = pytest.mark.django_db(transaction=True)


@contextmanager
def file_database(tmp_path: Path, *, busy_timeout: float) -> Iterator[Path]:
    """The in-memory test database (shared cache) copied into a file database that the test's
    connection then uses with the production options (WAL, IMMEDIATE, busy timeout); the busy
    timeout is shortened so that the refused write does not take 20 s."""
    if connection.vendor != "sqlite":
        pytest.skip("holds SQLite's file write lock; PostgreSQL's lock timeout is mapped alike")
    settings = connections.settings["default"]
    target = tmp_path / "locked.sqlite3"
    with sqlite3.connect(target) as copy:
        connection.ensure_connection()
        connection.connection.backup(copy)
        copy.execute("PRAGMA journal_mode=WAL")  # as production's file has been since creation
    original_name, original_options = settings["NAME"], dict(settings["OPTIONS"])
    settings["NAME"] = str(target)
    settings["OPTIONS"] = {**original_options, "timeout": busy_timeout}
    try:
        yield target
    finally:
        settings["NAME"], settings["OPTIONS"] = original_name, original_options


def in_thread(work: Callable[[], Any]) -> Any:
    """Run `work` in a fresh thread, so with a fresh connection to the file database (closing
    this thread's connection would drop the in-memory test database)."""
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


@contextmanager
def write_lock_held(path: Path) -> Iterator[None]:
    holder = sqlite3.connect(path, isolation_level=None)
    holder.execute("BEGIN IMMEDIATE")
    try:
        yield
    finally:
        holder.execute("ROLLBACK")
        holder.close()


def test_token_read_answers_and_write_is_503_while_the_write_lock_is_held(
    tmp_path, agency, agency_contact
):
    _token, secret = token_create(actor=actor_for_user(agency_contact), name="probe")
    newcomer = UserFactory(username="nykomling")
    bearer = {"HTTP_AUTHORIZATION": f"Bearer {secret}"}
    cache.clear()
    with file_database(tmp_path, busy_timeout=1.0) as path, write_lock_held(path):
        client = Client()
        read = in_thread(lambda: client.get("/api/v1/agencies", **bearer))
        write = in_thread(
            lambda: client.post(
                f"/api/v1/agencies/{agency.id}/invitations",
                {"email": "nykomling@example.se", "role": "member"},
                content_type="application/json",
                **bearer,
            )
        )
    assert read.status_code == 200, read.content
    assert any(row["id"] == agency.id for row in read.json()["items"])
    assert write.status_code == 503, write.content
    assert write["Retry-After"] == "5"
    body = write.json()
    assert body["code"] == "busy"
    assert "upptagen" in body["message_sv"] and "busy" in body["message_en"]
    assert not Invitation.objects.exists()  # nothing written
    assert not newcomer.memberships.exists()


def test_last_use_is_recorded_once_a_minute_when_the_database_is_free(account_manager):
    token, secret = token_create(actor=actor_for_user(account_manager), name="probe")
    cache.clear()
    client = Client()
    assert client.get("/api/v1/agencies", HTTP_AUTHORIZATION=f"Bearer {secret}").status_code == 200
    first = ApiToken.objects.get(pk=token.pk).last_used_at
    assert first is not None
    ApiToken.objects.filter(pk=token.pk).update(last_used_at=None)  # would be rewritten if asked
    assert client.get("/api/v1/agencies", HTTP_AUTHORIZATION=f"Bearer {secret}").status_code == 200
    assert ApiToken.objects.get(pk=token.pk).last_used_at is None  # within the minute: no write


def test_a_page_write_while_locked_is_a_bilingual_503_page(tmp_path, agency_contact):
    client = Client()
    client.force_login(agency_contact)
    with file_database(tmp_path, busy_timeout=1.0) as path, write_lock_held(path):
        page = in_thread(lambda: client.post("/accounts/tokens/", {"name": "skript"}))
    assert page.status_code == 503
    assert page["Retry-After"] == "5"
    text = page.content.decode()
    assert "upptagen" in text and "busy" in text
    assert not ApiToken.objects.filter(user=agency_contact).exists()
