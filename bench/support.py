"""What several benches share: the environment to run samdrift with the production settings on
loopback, a free loopback port, and one statement on a PostgreSQL server.

`config.settings.prod` refuses to start without its secrets (ADR 0067); a bench has none, so it
makes throw-away ones per run. Plain HTTP on loopback: cookies not Secure, no HTTPS redirect.
Every bench that serves or sets up with the production settings takes its environment from here,
so a new required setting is added once.
"""

from __future__ import annotations

import os
import secrets
import socket
import sys
import tempfile
from collections.abc import Callable
from pathlib import Path
from typing import Any


def _throwaway_secrets() -> None:
    """Once per bench run, into os.environ, so every process it starts (setup, server, client)
    has the same keys: the CA a setup process made must open in the server."""
    os.environ.setdefault("SAMDRIFT_SECRET_KEY", secrets.token_urlsafe(48))
    os.environ.setdefault("SAMDRIFT_AUDIT_KEY", secrets.token_urlsafe(48))
    os.environ.setdefault("SAMDRIFT_EFOS_CA_PASSPHRASE", secrets.token_urlsafe(24))


def production_env(
    data_dir: Path, *, base_url: str = "http://127.0.0.1", hosts: str = "127.0.0.1", **extra: str
) -> dict[str, str]:
    """os.environ plus what production requires; `extra` overrides (e.g. DATABASE_URL)."""
    _throwaway_secrets()
    return {
        **os.environ,
        "DJANGO_SETTINGS_MODULE": "config.settings.prod",
        "SAMDRIFT_DATA_DIR": str(data_dir),
        "SAMDRIFT_BASE_URL": os.environ.get("SAMDRIFT_BASE_URL", base_url),
        "SAMDRIFT_ALLOWED_HOSTS": hosts,
        "SAMDRIFT_SECURE_COOKIES": "0",
        **extra,
    }


def use_production_settings(data_dir: Path, **extra: str) -> None:
    """The same, for a bench that sets Django up in its own process."""
    os.environ.update(production_env(data_dir, **extra))


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def pg_execute(server: str, sql: str) -> bool:
    """One statement (CREATE/DROP DATABASE) outside a transaction; False when unreachable."""
    import psycopg

    try:
        with psycopg.connect(server, autocommit=True) as conn:
            conn.execute(sql)
    except psycopg.OperationalError:
        return False
    return True


def exit_with_throwaway_sqlite(prefix: str, run: Callable[[Any], int], options: Any) -> None:
    """Development settings on a migrated SQLite database in a temporary folder (removed at the
    end); exits with what `run(options)` returns."""
    with tempfile.TemporaryDirectory(prefix=prefix) as folder:
        os.environ["SAMDRIFT_DATA_DIR"] = folder
        os.environ["DJANGO_SETTINGS_MODULE"] = "config.settings.dev"
        sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
        import django

        django.setup()
        from django.core.management import call_command

        call_command("migrate", verbosity=0)
        code = run(options)
    sys.exit(code)


def migrated_test_database(data_dir: Path) -> None:
    """Django set up with the test settings on a fresh SQLite file in `data_dir`, migrated: the
    database a bench seeds in this process and its servers then open."""
    os.environ["SAMDRIFT_DATA_DIR"] = str(data_dir)
    os.environ["DJANGO_SETTINGS_MODULE"] = "config.settings.test"
    os.environ.pop("DATABASE_URL", None)
    import django
    from django.core.management import call_command

    django.setup()
    call_command("migrate", verbosity=0)


def login_session(user: Any, loa_rank: int | None = None) -> str:
    """A logged-in session of `user` in the database (its key, for the session cookie), at an
    e-ID level when `loa_rank` is given."""
    from django.conf import settings
    from django.contrib.auth import BACKEND_SESSION_KEY, HASH_SESSION_KEY, SESSION_KEY
    from django.contrib.sessions.backends.db import SessionStore

    from samdrift.core.tenancy import LOGIN_SESSION_KEY

    session = SessionStore()
    session[SESSION_KEY] = str(user.pk)
    session[BACKEND_SESSION_KEY] = settings.AUTHENTICATION_BACKENDS[0]
    session[HASH_SESSION_KEY] = user.get_session_auth_hash()
    if loa_rank is not None:
        session[LOGIN_SESSION_KEY] = {"user_id": user.pk, "rank": loa_rank}
    session.create()
    return str(session.session_key)


UPLOAD_BLOCK = 1024 * 1024


def upload_session() -> Any:
    """A requests session that sends a body in 1 MiB blocks (urllib3 reads 16 KiB at a time
    from a file-like body otherwise), for `post_file`."""
    import requests
    from requests.adapters import HTTPAdapter

    class LargeBlocks(HTTPAdapter):
        def init_poolmanager(self, *args: Any, **kwargs: Any) -> None:
            kwargs["blocksize"] = UPLOAD_BLOCK
            super().init_poolmanager(*args, **kwargs)

    session = requests.Session()
    session.mount("http://", LargeBlocks())
    return session


class _Multipart:
    """One file as a multipart/form-data body, read in pieces of the file's own bytes, as a
    browser sends a file. requests' `files=` builds the whole body in memory first (two copies
    of every byte: 158 ms of the client's CPU for 128 MB here), which the raw S3 PUT it is
    compared with does not pay."""

    def __init__(self, parts: list[bytes]) -> None:
        self._parts = [memoryview(part) for part in parts]
        self._length = sum(len(part) for part in parts)
        self._index = self._offset = 0

    def __len__(self) -> int:
        return self._length

    def read(self, size: int = -1) -> memoryview | bytes:
        while self._index < len(self._parts):
            part = self._parts[self._index]
            if self._offset < len(part):
                end = len(part) if size < 0 else min(len(part), self._offset + size)
                piece, self._offset = part[self._offset : end], end
                return piece
            self._index, self._offset = self._index + 1, 0
        return b""


def post_file(session: Any, url: str, name: str, body: bytes, content_type: str) -> Any:
    """POST `body` as the form field `file`, the bytes on the wire those of requests' `files=`."""
    boundary = secrets.token_hex(16)
    head = (
        f'--{boundary}\r\nContent-Disposition: form-data; name="file"; filename="{name}"\r\n'
        f"Content-Type: {content_type}\r\n\r\n"
    ).encode()
    tail = f"\r\n--{boundary}--\r\n".encode()
    return session.post(
        url,
        data=_Multipart([head, body, tail]),
        headers={"Content-Type": f"multipart/form-data; boundary={boundary}"},
    )
