"""WebDAV LOCK and UNLOCK as check-outs (issue 11 items 3 and 7, ADR 0687), through a real server
(uvicorn serving `config.asgi` on 127.0.0.1) and plain HTTP requests, each checked against the
rows and the audit the services wrote."""

from __future__ import annotations

import io
import re
from datetime import timedelta

import pytest
import requests
from django.utils import timezone

from samdrift.accounts.app_passwords import app_password_create
from samdrift.audit.models import AuditEvent
from samdrift.collaboration import services
from samdrift.collaboration.models import DavLock, Document, Version
from samdrift.collaboration.services.common import Refused
from samdrift.collaboration.services.dav_locks import MAX_SECONDS, NAME_LOCKED

from .test_webdav import _member, seg, served

pytestmark = pytest.mark.django_db(transaction=True)

LOCKINFO = (
    '<?xml version="1.0" encoding="utf-8"?>'
    '<D:lockinfo xmlns:D="DAV:"><D:lockscope><D:exclusive/></D:lockscope>'
    "<D:locktype><D:write/></D:locktype><D:owner><D:href>{who}</D:href></D:owner></D:lockinfo>"
)


@pytest.fixture
def server():
    with served() as url:
        yield url


@pytest.fixture
def space(safos):
    workspace = services.workspace_create(
        actor=safos.actor("owner"), name="Samverkan", classification=1
    )
    _member(safos, workspace, "editor")
    _member(safos, workspace, "reader", role="reader")
    return workspace


@pytest.fixture
def plan(safos, space):
    return services.upload(
        actor=safos.actor("owner"), workspace_id=space.id, stream=io.BytesIO(b"ett\n"),
        name="Plan.txt", content_type="text/plain",
    ).document  # fmt: skip


class Dav:
    """One person's WebDAV client: plain HTTP with their app password."""

    def __init__(self, safos, server, space, who: str) -> None:
        _row, secret = app_password_create(
            actor=safos.actor(who), name="Kontorsprogram", max_class=1
        )
        self.auth = (f"safos_{who}", secret)
        self.who = who
        self.base = f"{server}/dav/{requests.utils.quote(seg(space))}/"

    def __call__(self, method: str, name: str, **kwargs) -> requests.Response:
        return requests.request(
            method, self.base + requests.utils.quote(name), auth=self.auth, timeout=10, **kwargs
        )

    def lock(self, name: str, timeout: str = "Second-3600", **headers: str) -> requests.Response:
        return self(
            "LOCK",
            name,
            data=LOCKINFO.format(who=self.who).encode(),
            headers={"Timeout": timeout, "Content-Type": "application/xml", **headers},
        )


def _token(answer: requests.Response) -> str:
    return answer.headers["Lock-Token"].strip("<>")


def _audits(action: str, document: Document) -> int:
    return AuditEvent.objects.filter(
        action=action, object_type="collaboration.document", object_id=str(document.id)
    ).count()


def test_options_says_class_2(safos, space, server):
    owner = Dav(safos, server, space, "owner")
    answer = owner("OPTIONS", "")
    assert answer.status_code == 200
    assert "2" in [part.strip() for part in answer.headers["DAV"].split(",")]


def test_a_lock_is_the_check_out_of_its_person(safos, space, plan, server):
    owner = Dav(safos, server, space, "owner")
    editor = Dav(safos, server, space, "editor")
    locked = owner.lock("Plan.txt")
    assert locked.status_code == 200, locked.text
    token = _token(locked)
    assert token.startswith("opaquelocktoken:")
    assert "<D:href>owner</D:href>" in locked.text or "owner" in locked.text
    plan.refresh_from_db()
    assert plan.locked_by_id == safos.users["owner"].id  # the web shows the check-out
    assert _audits("collaboration.document_lock", plan) == 1
    row = DavLock.objects.get(token=token)
    assert row.made_checkout and row.document_id == plan.id and row.timeout == 3600

    # someone else: refused over WebDAV (lock and write) and on the web
    assert editor.lock("Plan.txt").status_code == 423
    assert editor("PUT", "Plan.txt", data=b"annan\n").status_code == 423
    with pytest.raises(Refused):
        services.document_lock(actor=safos.actor("editor"), document_id=plan.id)
    # the holder writes with the token; without it even the holder's client is refused
    assert owner("PUT", "Plan.txt", data=b"utan token\n").status_code == 423
    wrote = owner("PUT", "Plan.txt", data=b"andra\n", headers={"If": f"(<{token}>)"})
    assert wrote.status_code in (200, 204), wrote.text
    assert Version.objects.filter(document=plan).count() == 2

    # the lock is discovered by others
    found = editor("PROPFIND", "Plan.txt", headers={"Depth": "0"}, data=(
        '<?xml version="1.0"?><D:propfind xmlns:D="DAV:"><D:prop><D:lockdiscovery/>'
        "</D:prop></D:propfind>"
    ))  # fmt: skip
    assert found.status_code == 207 and token in found.text

    # only the holder unlocks; then the check-out is gone and the editor may lock
    assert editor("UNLOCK", "Plan.txt", headers={"Lock-Token": f"<{token}>"}).status_code == 403
    unlocked = owner("UNLOCK", "Plan.txt", headers={"Lock-Token": f"<{token}>"})
    assert unlocked.status_code == 204, unlocked.text
    plan.refresh_from_db()
    assert plan.locked_by_id is None and not DavLock.objects.exists()
    assert _audits("collaboration.document_unlock", plan) == 1
    assert editor.lock("Plan.txt").status_code == 200


def test_a_check_out_on_the_web_refuses_others_and_is_kept_for_its_person(
    safos, space, plan, server
):
    services.document_lock(actor=safos.actor("owner"), document_id=plan.id)
    editor = Dav(safos, server, space, "editor")
    refused = editor.lock("Plan.txt")
    assert refused.status_code == 423
    assert "är utcheckat av" in refused.text and "is checked out by" in refused.text
    assert not DavLock.objects.exists()

    owner = Dav(safos, server, space, "owner")
    token = _token(owner.lock("Plan.txt"))
    assert not DavLock.objects.get(token=token).made_checkout  # found, not made
    owner("UNLOCK", "Plan.txt", headers={"Lock-Token": f"<{token}>"})
    plan.refresh_from_db()
    assert plan.locked_by_id == safos.users["owner"].id  # the web's check-out stays


def test_a_check_in_on_the_web_ends_the_lock(safos, space, plan, server):
    owner = Dav(safos, server, space, "owner")
    token = _token(owner.lock("Plan.txt"))
    services.document_unlock(actor=safos.actor("owner"), document_id=plan.id)
    assert not DavLock.objects.exists()
    stale = owner("PUT", "Plan.txt", data=b"gammal token\n", headers={"If": f"(<{token}>)"})
    assert stale.status_code == 412
    assert Version.objects.filter(document=plan).count() == 1


def test_a_lock_ends_at_its_timeout_with_its_check_out(safos, space, plan, server):
    owner = Dav(safos, server, space, "owner")
    infinite = owner.lock("Plan.txt", timeout="Infinite")
    token = _token(infinite)
    assert DavLock.objects.get(token=token).timeout == MAX_SECONDS  # never for ever
    refreshed = owner("LOCK", "Plan.txt", headers={"If": f"(<{token}>)", "Timeout": "Second-120"})
    assert refreshed.status_code == 200, refreshed.text
    assert DavLock.objects.get(token=token).timeout == 120
    DavLock.objects.update(expires_at=timezone.now() - timedelta(seconds=1))
    assert services.dav_locks_expire() == 1
    plan.refresh_from_db()
    assert plan.locked_by_id is None
    released = AuditEvent.objects.filter(
        action="collaboration.document_unlock",
        object_type="collaboration.document",
        object_id=str(plan.id),
    ).get()
    assert released.actor_label == "system"
    assert Dav(safos, server, space, "editor").lock("Plan.txt").status_code == 200


def test_a_new_name_is_locked_before_its_first_write(safos, space, server):
    owner = Dav(safos, server, space, "owner")
    editor = Dav(safos, server, space, "editor")
    created = owner.lock("Ny.txt")
    assert created.status_code in (200, 201), created.text
    token = _token(created)
    assert not Document.objects.filter(name="Ny.txt").exists()  # nothing empty is stored
    assert editor("PUT", "Ny.txt", data=b"hinner fore\n").status_code == 423
    wrote = owner("PUT", "Ny.txt", data=b"forsta\n", headers={"If": f"(<{token}>)"})
    assert wrote.status_code in (200, 201, 204), wrote.text
    document = Document.objects.get(name="Ny.txt")
    assert document.locked_by_id == safos.users["owner"].id
    assert DavLock.objects.get(token=token).document_id == document.id
    owner("UNLOCK", "Ny.txt", headers={"Lock-Token": f"<{token}>"})
    document.refresh_from_db()
    assert document.locked_by_id is None


def test_folders_readers_and_bad_requests_are_refused_and_change_nothing(
    safos, space, plan, server
):
    services.folder_create(actor=safos.actor("owner"), workspace_id=space.id, name="Mapp")
    owner = Dav(safos, server, space, "owner")
    editor = Dav(safos, server, space, "editor")
    taken = _token(editor.lock("Plan.txt"))
    # a folder, the workspace and the root: refused before WebDAV looks for locks below them
    # (its 423 would name them, e.g. a document above the password's class)
    for name in ("Mapp", ""):
        folder = owner.lock(name)
        assert folder.status_code == 403, (name, folder.status_code)
        assert "Bara dokument" in folder.text and "Only documents" in folder.text
        assert "Plan.txt" not in folder.text
    root = requests.request(
        "LOCK", f"{server}/dav/", auth=owner.auth, data=LOCKINFO.format(who="x").encode(),
        headers={"Timeout": "Second-60"}, timeout=10,
    )  # fmt: skip
    assert root.status_code == 403 and "Plan.txt" not in root.text
    editor("UNLOCK", "Plan.txt", headers={"Lock-Token": f"<{taken}>"})
    reader = Dav(safos, server, space, "reader")
    assert reader.lock("Plan.txt").status_code in (403, 409)
    bad = owner("LOCK", "Plan.txt", data=b"<inte xml", headers={"Timeout": "Second-60"})
    assert bad.status_code == 400
    no_token = owner("UNLOCK", "Plan.txt", headers={"Lock-Token": "<opaquelocktoken:x>"})
    assert no_token.status_code in (400, 409)
    plan.refresh_from_db()
    assert plan.locked_by_id is None and not DavLock.objects.exists()
    assert _audits("collaboration.document_lock", plan) == 1  # the editor's own, above


def test_two_exclusive_locks_on_one_name_cannot_both_be_stored(safos, space):
    """What keeps two worker processes apart, where WsgiDAV's own check is per process."""
    asked = services.LockAsked(
        root=f"/{requests.utils.quote(seg(space))}/Samma.txt",
        principal="safos_owner",
        scope="exclusive",
        depth="0",
        owner="",
        timeout=60,
    )
    services.dav_lock_take(
        actor=safos.actor("owner"), asked=asked, workspace_id=space.id, document_id=None
    )
    with pytest.raises(Refused) as refused:
        services.dav_lock_take(
            actor=safos.actor("editor"),
            asked=services.LockAsked(**{**asked.__dict__, "principal": "safos_editor"}),
            workspace_id=space.id,
            document_id=None,
        )
    assert refused.value.message is NAME_LOCKED
    assert DavLock.objects.count() == 1
    assert re.match(r"^opaquelocktoken:[0-9a-f]{64}$", DavLock.objects.get().token)
