"""Synapse's admin API, for the one thing the application service may not do: purge a room's
old history once samdrift has archived it (ADR 0655).

The admin account (the "archivist") is made with Synapse's shared-secret registration (the
same HMAC `register_new_matrix_user` uses) outside the application service's namespace; its
access token is kept beside the homeserver's other secrets. Password login stays off.
"""

from __future__ import annotations

import hashlib
import hmac
import time
from pathlib import Path
from urllib.parse import quote

import requests

from samdrift.core.engines import write_private

from . import conf, homeserver
from .matrix import TIMEOUT, MatrixError

ARCHIVIST = "samdrift-archivist"


def _token_path() -> Path:
    return conf.chat_dir() / "secrets" / "archivist_token"


def _register(base: str, localpart: str) -> str:
    nonce = requests.get(f"{base}/_synapse/admin/v1/register", timeout=TIMEOUT).json()["nonce"]
    password = hashlib.sha256(homeserver.secret("registration_shared_secret").encode()).hexdigest()
    message = b"\x00".join([nonce.encode(), localpart.encode(), password.encode(), b"admin"])
    mac = hmac.new(
        homeserver.secret("registration_shared_secret").encode(), message, hashlib.sha1
    ).hexdigest()
    answer = requests.post(
        f"{base}/_synapse/admin/v1/register",
        json={"nonce": nonce, "username": localpart, "password": password, "admin": True,
              "mac": mac},
        timeout=TIMEOUT,
    )  # fmt: skip
    data = answer.json() if answer.content else {}
    if not answer.ok:
        raise MatrixError(answer.status_code, str(data.get("errcode", "")), str(data.get("error")))
    return str(data["access_token"])


def archivist_token(base_url: str | None = None) -> str:
    """The admin account's token, registering the account on first use. A token lost with the
    chat folder while the homeserver's database lives on (PostgreSQL) gets a new account."""
    path = _token_path()
    if path.exists():
        return path.read_text().strip()
    base = (base_url or conf.homeserver_url()).rstrip("/")
    for attempt in range(1, 20):
        localpart = ARCHIVIST if attempt == 1 else f"{ARCHIVIST}-{attempt}"
        try:
            token = _register(base, localpart)
        except MatrixError as error:
            if error.errcode == "M_USER_IN_USE":
                continue
            raise
        write_private(path, token + "\n")
        return token
    raise MatrixError(409, "M_USER_IN_USE", "no free name for the archivist account")


def purge_history(room_id: str, up_to_ms: int, *, wait_seconds: float = 120.0) -> None:
    """Delete the room's events older than `up_to_ms` on the homeserver (local ones included)
    and wait until Synapse says the purge is complete; raise if it failed or took too long."""
    base = conf.homeserver_url().rstrip("/")
    session = requests.Session()
    session.headers["Authorization"] = f"Bearer {archivist_token(base)}"
    answer = session.post(
        f"{base}/_synapse/admin/v1/purge_history/{quote(room_id)}",
        json={"delete_local_events": True, "purge_up_to_ts": up_to_ms},
        timeout=TIMEOUT,
    )
    data = answer.json() if answer.content else {}
    if not answer.ok:
        raise MatrixError(answer.status_code, str(data.get("errcode", "")), str(data.get("error")))
    purge_id = data["purge_id"]
    deadline = time.monotonic() + wait_seconds
    while time.monotonic() < deadline:
        status = session.get(
            f"{base}/_synapse/admin/v1/purge_history_status/{quote(purge_id)}", timeout=TIMEOUT
        ).json()
        if status.get("status") == "complete":
            return
        if status.get("status") == "failed":
            raise MatrixError(500, "M_UNKNOWN", f"purge {purge_id} failed")
        time.sleep(0.2)
    raise MatrixError(504, "M_UNKNOWN", f"purge {purge_id} did not finish")


def logout_everywhere(user_id: str) -> int:
    """End every session (device and its access tokens) of a Matrix user of this homeserver;
    a user the homeserver does not know has none. Returns how many were ended."""
    base = conf.homeserver_url().rstrip("/")
    session = requests.Session()
    session.headers["Authorization"] = f"Bearer {archivist_token(base)}"
    listed = session.get(
        f"{base}/_synapse/admin/v2/users/{quote(user_id)}/devices", timeout=TIMEOUT
    )
    if listed.status_code == 404:
        return 0
    data = listed.json() if listed.content else {}
    if not listed.ok:
        raise MatrixError(listed.status_code, str(data.get("errcode", "")), str(data.get("error")))
    devices = [str(d["device_id"]) for d in data.get("devices", [])]
    if devices:
        ended = session.post(
            f"{base}/_synapse/admin/v2/users/{quote(user_id)}/delete_devices",
            json={"devices": devices},
            timeout=TIMEOUT,
        )
        if not ended.ok:
            body = ended.json() if ended.content else {}
            raise MatrixError(
                ended.status_code, str(body.get("errcode", "")), str(body.get("error"))
            )
    return len(devices)


def quarantine_media(server: str, media_id: str) -> None:
    """Quarantine one file of the media store: the homeserver gives its bytes to no one any
    more (a file the virus scanner found malicious, ADR 0663)."""
    base = conf.homeserver_url().rstrip("/")
    answer = requests.post(
        f"{base}/_synapse/admin/v1/media/quarantine/{quote(server)}/{quote(media_id)}",
        headers={"Authorization": f"Bearer {archivist_token(base)}"}, json={}, timeout=TIMEOUT,
    )  # fmt: skip
    if not answer.ok:
        data = answer.json() if answer.content else {}
        raise MatrixError(answer.status_code, str(data.get("errcode", "")), str(data.get("error")))
