"""Desktop access over WebDAV (issue 11 item 7, ADRs 0613–0616), through a real server: uvicorn
serving `config.asgi` on a port of 127.0.0.1, driven by a real WebDAV client (Debian's rclone,
installed by `scripts/ensure-rclone.sh`) and, for what rclone will not send (names it would
encode), by plain HTTP requests. Each request is checked against what the services recorded."""

from __future__ import annotations

import shutil
import socket
import threading
import time
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import pytest
import requests
import uvicorn

from samdrift.accounts.app_passwords import app_password_create
from samdrift.audit.models import AuditEvent
from samdrift.collaboration import selectors, services
from samdrift.collaboration.models import Document
from samdrift.core.exceptions import ValidationFailed

from .conftest import stored_objects

pytestmark = pytest.mark.django_db(transaction=True)

RCLONE = shutil.which("rclone")


@contextmanager
def served() -> Iterator[str]:
    """`config.asgi.application` (Django and the `/dav/` mount) on a free port."""
    from config.asgi import application

    sock = socket.socket()
    sock.bind(("127.0.0.1", 0))
    port = sock.getsockname()[1]
    server = uvicorn.Server(
        uvicorn.Config(application, lifespan="off", log_level="warning", ws="none")
    )
    thread = threading.Thread(target=server.run, kwargs={"sockets": [sock]}, daemon=True)
    thread.start()
    deadline = time.monotonic() + 10
    while not server.started:
        if time.monotonic() > deadline or not thread.is_alive():
            raise RuntimeError("uvicorn did not start")
        time.sleep(0.02)
    try:
        yield f"http://127.0.0.1:{port}"
    finally:
        server.should_exit = True
        thread.join(timeout=10)
        sock.close()


@pytest.fixture
def server() -> Iterator[str]:
    with served() as url:
        yield url


def _member(safos, workspace, who: str, role: str = "editor") -> None:
    services.invite(
        actor=safos.actor("owner"), workspace_id=workspace.id, email=f"{who}@example.se", role=role
    )
    invitation = selectors.my_invitations(actor=safos.actor(who)).get()
    services.invitation_accept(actor=safos.actor(who), invitation_id=invitation.id)


@pytest.fixture
def spaces(safos):
    owner = safos.actor("owner")
    low = services.workspace_create(actor=owner, name="Samverkan", classification=1)
    high = services.workspace_create(actor=owner, name="Känsligt", classification=2)
    _member(safos, low, "editor")
    _member(safos, low, "reader", role="reader")
    foreign = services.workspace_create(
        actor=safos.actor("editor"), name="Myndighet B yta", classification=0
    )
    return low, high, foreign


def _password(safos, who: str = "owner", max_class: int = 1, loa: int = 3) -> str:
    _row, secret = app_password_create(
        actor=safos.actor(who, loa=loa), name="Filhanteraren", max_class=max_class
    )
    return secret


def seg(workspace) -> str:
    return f"{workspace.name} ({workspace.id})"


def test_a_password_above_the_login_level_is_refused_and_changes_nothing(safos):
    with pytest.raises(ValidationFailed) as refused:
        app_password_create(actor=safos.actor("owner", loa=2), name="x", max_class=3)
    assert refused.value.code == "class_above_login"
    assert "class 2" in str(refused.value)
    with pytest.raises(ValidationFailed):
        app_password_create(actor=safos.actor("owner", loa=0), name="x", max_class=1)
    assert not AuditEvent.objects.filter(action="accounts.app_password_created").exists()
    row, _secret = app_password_create(actor=safos.actor("owner", loa=0), name="x", max_class=0)
    assert (row.max_class, row.loa_rank) == (0, 0)


def test_plain_http_wrong_password_names_and_other_agency(safos, spaces, server):
    low, high, foreign = spaces
    secret = _password(safos)
    auth = ("safos_owner", secret)
    base = f"{server}/dav/"
    assert (
        requests.request(
            "PROPFIND", base, auth=("safos_owner", "sdp_wrong"), headers={"Depth": "1"}, timeout=10
        ).status_code
        == 401
    )
    assert (
        requests.request(
            "PROPFIND", base, auth=("safos_editor", secret), headers={"Depth": "1"}, timeout=10
        ).status_code
        == 401
    )
    listing = requests.request("PROPFIND", base, auth=auth, headers={"Depth": "1"}, timeout=10)
    assert listing.status_code == 207, listing.text
    assert seg(low) in requests.utils.unquote(listing.text)
    assert seg(high) not in requests.utils.unquote(listing.text)  # class 2 > the password's 1
    assert seg(foreign) not in requests.utils.unquote(listing.text)
    # another agency's workspace, named exactly: 404, as for one that does not exist
    for name in (seg(foreign), f"Inget ({foreign.id + 100})"):
        answer = requests.request(
            "PROPFIND",
            base + requests.utils.quote(name),
            auth=auth,
            headers={"Depth": "1"},
            timeout=10,
        )
        assert answer.status_code == 404, (name, answer.status_code)
        put = requests.put(
            base + requests.utils.quote(name) + "/x.txt", data=b"x\n", auth=auth, timeout=10
        )
        assert put.status_code in (404, 409), put.status_code
    # a class above the password's limit: refused, in Swedish and English
    above = requests.request(
        "PROPFIND",
        base + requests.utils.quote(seg(high)),
        auth=auth,
        headers={"Depth": "1"},
        timeout=10,
    )
    assert above.status_code == 403
    assert "lower confidentiality class" in above.text and "konfidentialitetsklass" in above.text
    # bad names: control characters, bidi override, reserved Windows names; nothing stored
    before = stored_objects(safos_files(safos))
    for bad in ("a\x01b.txt", "evil\u202etxt.exe.txt", "CON.txt", "a:b.txt"):
        answer = requests.put(
            base + requests.utils.quote(seg(low)) + "/" + requests.utils.quote(bad),
            data=b"x\n",
            auth=auth,
            timeout=10,
        )
        assert answer.status_code == 422, (bad, answer.status_code, answer.text)
    dotdot = requests.put(
        base + requests.utils.quote(seg(low)) + "/..%2F..%2Fetc.txt",
        data=b"x\n",
        auth=auth,
        timeout=10,
    )
    assert dotdot.status_code in (400, 403, 404, 409, 422), dotdot.status_code
    assert not Document.objects.exists()
    assert stored_objects(safos_files(safos)) == before


def safos_files(safos):
    from django.conf import settings

    return Path(settings.MEDIA_ROOT)
