"""Synapse on PostgreSQL, and with its own workers, for real (ADR 0667): each test makes its own
PostgreSQL database for the homeserver (or lets `samdrift chat start` make it) on the server at
127.0.0.1:5432 (or the one DATABASE_URL names) and drops it at the end, whichever database
samdrift's own tests use. The workers replicate over the real Redis (REDIS_URL, else
127.0.0.1:6379).

The workers' test serves samdrift over HTTP (uvicorn in a thread, same test database) so that
the homeserver's transactions really arrive, and notes for each which process opened the
connection it came on (the socket's owner in /proc): the application-service worker, never the
main process. Nothing is mocked."""

from __future__ import annotations

import json
import os
import socket
import time
import uuid
from collections.abc import Iterator
from contextlib import contextmanager
from io import StringIO
from pathlib import Path
from typing import Any
from urllib.parse import urlparse

import psycopg
import pytest
from django.core.management import CommandError, call_command
from django.test import Client

from samdrift.chat import homeserver, selectors
from samdrift.chat.models import ChatRoom, Transaction
from samdrift.chat.services import provision_workspace
from samdrift.core.engines import free_port
from samdrift.tests.asgi_server import serve

from .conftest import synapse_python
from .test_engine import _client_as, _join, _mxid, _workspace

pytestmark = pytest.mark.engine


def _server() -> dict[str, Any]:
    """Where the PostgreSQL server is (DATABASE_URL's when it names one), as psycopg's keywords."""
    url = os.environ.get("DATABASE_URL", "")
    parts = urlparse(url if url.startswith("postgres") else "postgresql://postgres@127.0.0.1:5432")
    return {
        "host": parts.hostname or "127.0.0.1", "port": parts.port or 5432,
        "user": parts.username or "postgres", "password": parts.password or None,
    }  # fmt: skip


def _url(name: str) -> str:
    where = _server()
    secret = f":{where['password']}" if where["password"] else ""
    return f"postgresql://{where['user']}{secret}@{where['host']}:{where['port']}/{name}"


def _admin(sql: str, *params: Any) -> list[tuple[Any, ...]]:
    try:
        with psycopg.connect(
            dbname="postgres", autocommit=True, connect_timeout=5, **_server()
        ) as db:
            cursor = db.execute(sql, params or None)
            return cursor.fetchall() if cursor.description else []
    except psycopg.OperationalError as error:
        pytest.fail(
            f"These tests need PostgreSQL on {_server()['host']}:{_server()['port']}: {error}"
        )


def _locale(name: str) -> tuple[str, str, str] | None:
    rows = _admin(
        "SELECT pg_encoding_to_char(encoding), datcollate, datctype FROM pg_database "
        "WHERE datname = %s", name,
    )  # fmt: skip
    return tuple(rows[0]) if rows else None  # type: ignore[return-value]


@contextmanager
def _database(*, create: str | None = "C") -> Iterator[str]:
    """A database name of this test's own: made with the locale `create` (None: left for samdrift
    to make), dropped at the end whoever made it."""
    name = f"samdrift_synapse_t{uuid.uuid4().hex[:10]}"
    if create:
        _admin(
            f"CREATE DATABASE {name} ENCODING 'UTF8' LC_COLLATE '{create}' LC_CTYPE '{create}' "
            "TEMPLATE template0"
        )
    try:
        yield name
    finally:
        _admin(f"DROP DATABASE IF EXISTS {name} WITH (FORCE)")


def _redis_url() -> str:
    url = os.environ.get("REDIS_URL") or "redis://127.0.0.1:6379/0"
    parts = urlparse(url)
    try:
        socket.create_connection((parts.hostname, parts.port or 6379), timeout=3).close()
    except OSError as error:
        pytest.fail(f"The workers' test needs Redis at {url}: {error}")
    return url


@pytest.fixture
def engine(settings, tmp_path, safos) -> str:
    """samdrift's chat settings for a homeserver of this test's own (not the session's): its own
    folder, port, namespace prefix and server name (Synapse's replication channel in Redis is
    named after the server name, so no other homeserver on the same Redis is ever heard)."""
    port = free_port()
    settings.CHAT_DIR = tmp_path / "synapse"
    settings.CHAT_SYNAPSE_PYTHON = synapse_python()
    settings.CHAT_PORT = port
    settings.CHAT_HOMESERVER_URL = f"http://127.0.0.1:{port}"
    settings.CHAT_APPSERVICE_URL = "http://127.0.0.1:9/chat/appservice"
    settings.CHAT_SERVER_NAME = f"t{uuid.uuid4().hex[:8]}.localhost"
    settings.CHAT_ENABLED = True
    settings.CHAT_LOCALPART_PREFIX = f"samdrift_t{uuid.uuid4().hex[:8]}_"
    settings.CHAT_WORKERS = ""
    return settings.CHAT_HOMESERVER_URL


def _chat(*args: str) -> str:
    out = StringIO()
    call_command("chat", *args, stdout=out)
    return out.getvalue()


def _synapse_pids(folder: Path) -> list[int]:
    """Every process on this machine whose command line names this test's chat folder."""
    found = []
    for entry in Path("/proc").iterdir():
        if not entry.name.isdigit():
            continue
        try:
            argv = (entry / "cmdline").read_bytes().split(b"\0")
        except OSError:
            continue
        if any(str(folder).encode() in part for part in argv):
            found.append(int(entry.name))
    return found


def _exchange(safos, base: str) -> tuple[str, str]:
    """A workspace room provisioned through samdrift, a message from its owner read by the
    editor through Synapse's client API, each with their own login; (room id, workspace id)."""
    workspace = _workspace(safos)
    _join(safos, workspace, "editor", role="editor")
    provision_workspace(workspace_id=workspace.id)
    room_id = ChatRoom.objects.get(workspace=workspace).room_id
    owner = _client_as(selectors.matrix_localpart(safos.users["owner"].id), base)
    editor = _client_as(selectors.matrix_localpart(safos.users["editor"].id), base)
    said = owner.put(
        f"{base}/_matrix/client/v3/rooms/{room_id}/send/m.room.message/{uuid.uuid4().hex}",
        json={"msgtype": "m.text", "body": "Hej från PostgreSQL",
              "m.mentions": {"user_ids": [_mxid(safos, "editor")]}},
    )  # fmt: skip
    assert said.status_code == 200, said.text
    read = editor.get(f"{base}/_matrix/client/v3/rooms/{room_id}/messages", params={"dir": "b"})
    assert read.status_code == 200
    bodies = [
        e["content"].get("body") for e in read.json()["chunk"] if e["type"] == "m.room.message"
    ]
    assert bodies == ["Hej från PostgreSQL"]
    return room_id, str(workspace.id)


def _rows(name: str, sql: str, *params: Any) -> list[tuple[Any, ...]]:
    with psycopg.connect(dbname=name, connect_timeout=5, **_server()) as db:
        return db.execute(sql, params or None).fetchall()


@pytest.mark.django_db
def test_samdrift_makes_the_missing_database_and_synapse_runs_on_it(safos, engine, settings):
    with _database(create=None) as name:
        settings.CHAT_DATABASE_URL = _url(name)
        assert _locale(name) is None
        try:
            said = _chat("start")
            assert f"on {engine}" in said
            # Made by samdrift as Synapse needs it: UTF8, collation and character type C.
            assert _locale(name) == ("UTF8", "C", "C")
            room_id, _workspace_id = _exchange(safos, engine)
            # The room and the message are in PostgreSQL, not in an SQLite file.
            assert _rows(name, "SELECT room_id FROM rooms WHERE room_id = %s", room_id)
            events = _rows(name, "SELECT json FROM event_json WHERE room_id = %s", room_id)
            bodies = [json.loads(e)["content"].get("body") for (e,) in events]
            assert bodies.count("Hej från PostgreSQL") == 1
            assert not (settings.CHAT_DIR / "homeserver.db").exists()
            # Started again against the database it made: it is kept, not made again.
            assert homeserver.ensure_database() == "exists"
        finally:
            assert "stopped" in _chat("stop")
        assert not _synapse_pids(settings.CHAT_DIR)


@pytest.mark.django_db
def test_a_database_of_another_locale_is_refused_in_both_languages_and_left_alone(engine, settings):
    with _database(create="C.utf8") as name:
        settings.CHAT_DATABASE_URL = _url(name)
        with pytest.raises(CommandError) as refused:
            _chat("start")
        said = str(refused.value)
        assert f"database {name} has encoding UTF8, collation C.utf8" in said
        assert "Synapse needs UTF8 with collation and character type C" in said
        assert "Synapse kräver UTF8 med sortering och teckentyp C" in said
        assert "TEMPLATE template0" in said
        assert _locale(name) == ("UTF8", "C.utf8", "C.utf8")
        assert not _rows(name, "SELECT 1 FROM pg_tables WHERE schemaname = 'public'")
        assert not (settings.CHAT_DIR / "homeserver.pid").exists()
        assert not _synapse_pids(settings.CHAT_DIR)


def _socket_owner(local_port: int, remote_port: int) -> int | None:
    """The process holding the loopback TCP connection from `local_port` to `remote_port`."""
    inode = ""
    for line in Path("/proc/net/tcp").read_text().splitlines()[1:]:
        fields = line.split()
        local, remote = fields[1].split(":"), fields[2].split(":")
        if int(local[1], 16) == local_port and int(remote[1], 16) == remote_port:
            inode = fields[9]
    if not inode:
        return None
    wanted = f"socket:[{inode}]"
    for entry in Path("/proc").iterdir():
        if not entry.name.isdigit():
            continue
        try:
            if any(os.readlink(fd) == wanted for fd in (entry / "fd").iterdir()):
                return int(entry.name)
        except OSError:
            continue
    return None


def _recording(app: Any, senders: list[tuple[int | None, str]]) -> Any:
    """samdrift's application as it is, noting which process sent each transaction (its id too:
    the homeserver sends a transaction again under the same id when an answer was not 200)."""
    marker = "/_matrix/app/v1/transactions/"

    async def recorded(scope: dict[str, Any], receive: Any, send: Any) -> None:
        if scope["type"] == "http" and marker in scope["path"]:
            txn_id = scope["path"].rsplit(marker, 1)[1]
            senders.append((_socket_owner(scope["client"][1], scope["server"][1]), txn_id))
        await app(scope, receive, send)

    return recorded


def _until(check: Any, seconds: float = 30.0) -> Any:
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        found = check()
        if found:
            return found
        time.sleep(0.2)
    return check()


@pytest.mark.django_db(transaction=True)
def test_with_workers_the_appservice_worker_pushes_to_samdrift_and_stop_ends_them_all(
    safos, engine, settings
):
    from django.contrib.staticfiles.handlers import ASGIStaticFilesHandler

    from config.asgi import django_application
    from samdrift.collaboration.models import ActiveUser
    from samdrift.core import health
    from samdrift.core.notifications.models import Notification

    senders: list[tuple[int | None, str]] = []
    app = _recording(ASGIStaticFilesHandler(django_application), senders)
    with _database() as name, serve(app) as site:
        settings.CHAT_DATABASE_URL = _url(name)
        settings.CHAT_WORKERS = "all"
        settings.CHAT_REDIS_URL = _redis_url()
        settings.CHAT_APPSERVICE_URL = f"{site}/chat/appservice"
        try:
            started = _chat("start")
            workers = {w.name: w for w in homeserver.status().workers}
            assert sorted(workers) == [
                "appservice1", "background1", "federation_sender1", "pusher1",
            ]  # fmt: skip
            assert all(w.running and w.pid for w in workers.values())
            main_pid = homeserver.status().pid
            for worker in workers.values():
                assert f"{worker.name}: answers / svarar (pid {worker.pid})" in started
            status = _chat("status")
            assert "appservice1: answers / svarar" in status and "pusher1: answers" in status

            _room, workspace_id = _exchange(safos, engine)

            # The message reached samdrift in the homeserver's transaction: the mentioned
            # editor has the note in samdrift's inbox, the writer counts as active.
            editor = safos.users["editor"]
            note = _until(
                lambda: Notification.objects.filter(kind="chat_mention", recipient=editor).first()
            )
            assert note is not None, f"no transaction with the message arrived: {senders}"
            assert note.link.endswith(f"/chat/workspaces/{workspace_id}/#conversation")
            assert ActiveUser.objects.filter(user=safos.users["owner"]).exists()
            listed = safos.client("editor").get(
                f"/api/v1/chat/workspaces/{workspace_id}/room/messages"
            )
            assert [m["text"] for m in listed.json()] == ["Hej från PostgreSQL"]
            # Every transaction came from the application-service worker's own process, and
            # each was kept once, a retry included (in the SQLite pass this test's own reads can
            # make a write answer 503 at once: the in-memory test database's shared cache).
            assert Transaction.objects.count() == len({txn for _pid, txn in senders}) >= 1
            sending = {pid for pid, _txn in senders}
            assert sending == {workers["appservice1"].pid}, (senders, workers, main_pid)

            # The status page shows the workers up.
            health.forget("chat_workers")
            page = Client().get("/operations/status/").content.decode()
            row = page[page.index("Chattens arbetsprocesser (Synapse)") :][:80]
            assert "I drift" in row
            pids = _synapse_pids(settings.CHAT_DIR)
            assert set(pids) == {main_pid, *(w.pid for w in workers.values())}
        finally:
            stopped = _chat("stop")
        assert "stopped" in stopped
        # Every process is gone, none left over; the status says so.
        assert not _synapse_pids(settings.CHAT_DIR)
        assert not any(w.pid or w.running for w in homeserver.status().workers)
        health.forget("chat_workers")
        page = Client().get("/operations/status/").content.decode()
        assert "<strong>Avbrott</strong>" in page[page.index("Chattens arbetsprocesser") :][:80]
