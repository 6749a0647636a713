"""schemathesis over /api/v1/openapi.json against a served samdrift with the demo data (ADR 0039).

Builds a fresh SQLite database in a temporary folder, loads the demo, gives the demo provider
administrator a personal API token, serves samdrift (uvicorn, config.asgi) on a free port of
127.0.0.1 and runs `st run` with every phase (examples, coverage, fuzzing, stateful) and every
check but one. Exits with schemathesis' status: any server error, schema violation, undocumented
status code or invalid request accepted fails. "Valid request refused" (positive_data_acceptance)
is left out of the gate unless ST_STRICT=1: what is left of it are rules about data (an unknown
agency or service in a row, an empty file) that no OpenAPI schema can state; each is listed in
docs/development/security.md. Usage: `make schemathesis` (ST_MAX_EXAMPLES, ST_ARGS, ST_STRICT, ST_PASSES=token,session).
"""

from __future__ import annotations

import os
import secrets
import socket
import subprocess
import sys
import tempfile
import time
import urllib.request
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
BIN = Path(sys.executable).parent
# Code that makes a token (printed once, for this run only), not a secret.
MINT_CODE = """
from samdrift.accounts.models import User
from samdrift.accounts.selectors import actor_for_user
from samdrift.accounts.services import token_create
user = User.objects.get(username="admin")
print(token_create(actor=actor_for_user(user), name="schemathesis")[1])
"""

# A session of the same administrator after an e-ID login at loa3: a token is never an e-ID login
# (loa 0), so SAFOS and the EFOS operator's operations answer a token with a step-up only. The
# second pass reaches them with this session and a CSRF pair (the API checks CSRF on a session).
MINT_SESSION_CODE = """
from django.conf import settings
from django.contrib.auth import BACKEND_SESSION_KEY, HASH_SESSION_KEY, SESSION_KEY
from django.contrib.sessions.backends.db import SessionStore
from samdrift.accounts.models import User
from samdrift.core.tenancy import LOGIN_SESSION_KEY
user = User.objects.get(username="admin")
session = SessionStore()
session[SESSION_KEY] = str(user.pk)
session[BACKEND_SESSION_KEY] = settings.AUTHENTICATION_BACKENDS[0]
session[HASH_SESSION_KEY] = user.get_session_auth_hash()
session[LOGIN_SESSION_KEY] = {"user_id": user.pk, "rank": 3}
session.create()
print(settings.SESSION_COOKIE_NAME, session.session_key, settings.CSRF_COOKIE_NAME)
"""
LOA3_PATHS = r"^/api/v1/(collaboration|efos|calendars|live)/"


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def manage(env: dict[str, str], *args: str) -> str:
    result = subprocess.run(  # noqa: S603 (our own manage.py)
        [sys.executable, "manage.py", *args],
        cwd=ROOT,
        env=env,
        check=True,
        capture_output=True,
        text=True,
    )
    return result.stdout


def wait_for(url: str, server: subprocess.Popen[bytes], seconds: float = 60) -> None:
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        if server.poll() is not None:
            raise SystemExit(f"samdrift stopped before serving (exit {server.returncode})")
        try:
            with urllib.request.urlopen(url, timeout=2):  # noqa: S310 (our own loopback URL)
                return
        except OSError:
            time.sleep(0.3)
    raise SystemExit(f"samdrift did not answer at {url}")


def main() -> int:
    started = time.monotonic()
    with tempfile.TemporaryDirectory(prefix="samdrift-st-") as data:
        # Test settings: the same stack as production, a fast hasher, and the login and rate
        # throttles lifted, since schemathesis sends thousands of calls, wrong tokens included.
        env = {
            **os.environ,
            "DJANGO_SETTINGS_MODULE": "config.settings.test",
            "SAMDRIFT_DATA_DIR": data,
            "DATABASE_URL": f"sqlite:///{data}/st.sqlite3",
            "SAMDRIFT_EMAIL_HOST": "",
        }
        env.pop("REDIS_URL", None)
        manage(env, "migrate", "--noinput", "-v0")
        manage(env, "demo")
        token = manage(env, "shell", "-c", MINT_CODE).strip().splitlines()[-1]
        session_cookie, session_key, csrf_cookie = (
            manage(env, "shell", "-c", MINT_SESSION_CODE).strip().splitlines()[-1].split()
        )
        port = free_port()
        base = f"http://127.0.0.1:{port}"
        server = subprocess.Popen(  # noqa: S603 (uvicorn from our venv)
            [
                str(BIN / "uvicorn"),
                "config.asgi:application",
                "--host",
                "127.0.0.1",
                "--port",
                str(port),
                "--log-level",
                "warning",
            ],
            cwd=ROOT,
            env=env,
        )
        try:
            wait_for(f"{base}/healthz", server)
            prepared = time.monotonic()
            common = [
                "--phases", "examples,coverage,fuzzing,stateful",
                "--checks", "all",
                "--max-examples", os.environ.get("ST_MAX_EXAMPLES", "25"),
                "--seed", os.environ.get("ST_SEED", "20261204"),
                "--workers", "1",
                "--request-timeout", "30",
                "--no-color",
                "--generation-database", "none",  # each run from its seed; nothing left behind
                *os.environ.get("ST_ARGS", "").split(),
            ]  # fmt: skip
            lenient = [] if os.environ.get("ST_STRICT") == "1" else ["positive_data_acceptance"]
            with_token = [
                str(BIN / "st"), "run", f"{base}/api/v1/openapi.json",
                "--header", f"Authorization: Bearer {token}",
                # The stateful phase would list the run's own token and revoke it, and every
                # later call would be a 401: revoking is covered by accounts' tests instead.
                "--exclude-path-regex", r"^/api/v1/me/tokens/\{token_id\}$",
                *(["--exclude-checks", ",".join(lenient)] if lenient else []),
                *common,
            ]  # fmt: skip
            passes = os.environ.get("ST_PASSES", "token,session").split(",")
            status = second = 0
            if "token" in passes:
                status = subprocess.run(with_token, cwd=ROOT, env=env, check=False).returncode  # noqa: S603
            csrf = secrets.token_hex(16)  # Django takes a 32-character secret as it is
            with_session = [
                str(BIN / "st"), "run", f"{base}/api/v1/openapi.json",
                "--header", f"Cookie: {session_cookie}={session_key}; {csrf_cookie}={csrf}",
                "--header", f"X-CSRFToken: {csrf}",
                "--include-path-regex", LOA3_PATHS,
                # schemathesis spoils only the Authorization header, while the cookie still logs
                # in; the first pass checks a wrong or missing token on these operations too.
                "--exclude-checks", ",".join([*lenient, "ignored_auth"]),
                *common,
            ]  # fmt: skip
            if "session" in passes:
                print("schemathesis, second pass: a loa3 session for", LOA3_PATHS)  # noqa: T201
                second = subprocess.run(with_session, cwd=ROOT, env=env, check=False).returncode  # noqa: S603
            status = status or second
        finally:
            server.terminate()
            server.wait(timeout=30)
    finished = time.monotonic()
    print(  # noqa: T201 (the run's timing, for CI's log)
        f"schemathesis: set-up {prepared - started:.0f} s, run {finished - prepared:.0f} s, "
        f"exit {status}"
    )
    return status


if __name__ == "__main__":
    sys.exit(main())
