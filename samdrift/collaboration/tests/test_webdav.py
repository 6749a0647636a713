"""Desktop access over WebDAV (issue 11 item 7, ADRs 0613–0616), through a real server: uvicorn
serving `config.asgi` on a port of 127.0.0.1, driven by a real WebDAV client (Debian's rclone,
installed by `scripts/ensure-rclone.sh`) and, for what rclone will not send (names it would
encode), by plain HTTP requests. Each request is checked against what the services recorded."""

from __future__ import annotations

import io
import os
import shutil
import subprocess
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import pytest
import requests

from samdrift.accounts.app_passwords import app_password_create, app_password_revoke
from samdrift.audit.models import AuditEvent
from samdrift.collaboration import selectors, services
from samdrift.collaboration.models import Document, Version
from samdrift.core.exceptions import ValidationFailed
from samdrift.tests.asgi_server import serve

from .conftest import stored_objects
from .test_scanning import scanning  # noqa: F401 - clamd (conftest) named as the scanner

pytestmark = pytest.mark.django_db(transaction=True)

RCLONE = shutil.which("rclone")


@contextmanager
def served() -> Iterator[str]:
    """`config.asgi.application` (Django and the `/dav/` mount) on a free port."""
    from config.asgi import application

    with serve(application) as url:
        yield url


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
    assert listing.headers["X-Content-Type-Options"] == "nosniff"
    assert "sandbox" in listing.headers["Content-Security-Policy"]
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


def _rclone(server: str, username: str, secret: str, home: Path):
    assert RCLONE, "rclone is missing: run scripts/ensure-rclone.sh (make browser does)"
    obscured = subprocess.run(
        [RCLONE, "obscure", secret], capture_output=True, text=True, check=True
    ).stdout.strip()
    env = {
        **os.environ,
        "HOME": str(home),
        "RCLONE_CONFIG": str(home / "rclone.conf"),
        "RCLONE_CONFIG_DAV_TYPE": "webdav",
        "RCLONE_CONFIG_DAV_URL": f"{server}/dav/",
        "RCLONE_CONFIG_DAV_VENDOR": "other",
        "RCLONE_CONFIG_DAV_USER": username,
        "RCLONE_CONFIG_DAV_PASS": obscured,
    }

    def run(*args: object, check: bool = True) -> subprocess.CompletedProcess[str]:
        done = subprocess.run(
            [RCLONE, "--retries", "1", "--low-level-retries", "1", *map(str, args)],
            capture_output=True,
            text=True,
            env=env,
            timeout=60,
        )
        if check:
            assert done.returncode == 0, (args, done.stderr)
        return done

    return run


def test_rclone_lists_uploads_versions_downloads_moves_and_trashes(safos, spaces, server, tmp_path):
    low, high, foreign = spaces
    secret = _password(safos)
    run = _rclone(server, "safos_owner", secret, tmp_path)
    top = f"dav:{seg(low)}"

    listing = run("lsf", "dav:").stdout.splitlines()
    assert listing == [f"{seg(low)}/"]  # not class 2 (above the password), not agency B's

    local = tmp_path / "Beslut.txt"
    local.write_bytes(b"Beslut om samverkan.\n")
    run("copyto", local, f"{top}/Beslut.txt")
    document = Document.objects.get()
    assert (document.workspace_id, document.name, document.folder_id) == (
        low.id,
        "Beslut.txt",
        None,
    )
    assert document.versions.count() == 1
    local.write_bytes(b"Beslut om samverkan, andra versionen.\n")
    run("copyto", local, f"{top}/Beslut.txt")
    assert [v.size for v in selectors.version_list(document=document)] == [38, 21]
    assert AuditEvent.objects.filter(action="collaboration.version_add").count() == 1

    assert run("cat", f"{top}/Beslut.txt").stdout == "Beslut om samverkan, andra versionen.\n"
    reads = AuditEvent.objects.filter(object_id=str(document.id), action="read")
    assert reads.exists()
    assert {r.after["version"] for r in reads} == {2}
    assert {r.after["access"] for r in reads} == {"download"}

    run("mkdir", f"{top}/Arkiv")
    run("moveto", f"{top}/Beslut.txt", f"{top}/Arkiv/Beslut 2026.txt")
    document.refresh_from_db()
    assert (document.name, document.folder.name) == ("Beslut 2026.txt", "Arkiv")
    assert document.versions.count() == 2  # a rename, not a copy
    assert run("lsf", f"{top}/Arkiv").stdout.splitlines() == ["Beslut 2026.txt"]

    run("deletefile", f"{top}/Arkiv/Beslut 2026.txt")
    document.refresh_from_db()
    assert document.trashed_at is not None and document.versions.count() == 2
    assert run("lsf", f"{top}/Arkiv").stdout == ""

    # the class above the password's limit and another agency's workspace: refused by rclone too
    assert run("lsf", f"dav:{seg(high)}", check=False).returncode != 0
    assert run("lsf", f"dav:{seg(foreign)}", check=False).returncode != 0


def test_a_reader_cannot_write_and_a_checked_out_document_is_locked(
    safos, spaces, server, tmp_path
):
    low, _high, _foreign = spaces
    version = services.upload(
        actor=safos.actor("owner"), workspace_id=low.id, stream=io.BytesIO(b"ett\n"),
        name="Plan.txt", content_type="text/plain",
    )  # fmt: skip
    services.document_lock(actor=safos.actor("editor"), document_id=version.document_id)
    local = tmp_path / "Plan.txt"
    local.write_bytes(b"andra versionen\n")  # another size: rclone compares sizes
    owner = _rclone(server, "safos_owner", _password(safos), tmp_path)
    refused = owner("copyto", local, f"dav:{seg(low)}/Plan.txt", check=False)
    assert refused.returncode != 0 and "423" in refused.stderr
    reader = _rclone(server, "safos_reader", _password(safos, "reader"), tmp_path)
    assert reader("cat", f"dav:{seg(low)}/Plan.txt").stdout == "ett\n"
    assert reader("copyto", local, f"dav:{seg(low)}/Ny.txt", check=False).returncode != 0
    assert reader("deletefile", f"dav:{seg(low)}/Plan.txt", check=False).returncode != 0
    assert Version.objects.count() == 1 and Document.objects.filter(trashed_at=None).count() == 1


def test_a_revoked_or_expired_password_is_refused(safos, spaces, server, tmp_path):
    from datetime import timedelta

    from django.utils import timezone

    from samdrift.accounts.models import AppPassword

    secret = _password(safos)
    run = _rclone(server, "safos_owner", secret, tmp_path)
    assert run("lsf", "dav:").returncode == 0
    row = AppPassword.objects.get()
    app_password_revoke(actor=safos.actor("owner"), password_id=row.id)
    revoked = run("lsf", "dav:", check=False)
    assert revoked.returncode != 0 and "401" in revoked.stderr
    other = _password(safos)
    AppPassword.objects.filter(revoked_at=None).update(expires_at=timezone.now() - timedelta(1))
    expired = _rclone(server, "safos_owner", other, tmp_path)("lsf", "dav:", check=False)
    assert expired.returncode != 0 and "401" in expired.stderr


@pytest.mark.usefixtures("scanning")
def test_class_3_is_view_only_and_malware_is_refused(safos, spaces, server):
    from samdrift.core.files.tests.clamd import EICAR

    low, _high, _foreign = spaces
    owner = safos.actor("owner", loa=3)
    secret = services.workspace_create(actor=owner, name="Hemligt", classification=3)
    version = services.upload(
        actor=owner, workspace_id=secret.id, stream=io.BytesIO(b"hemligt\n"),
        name="Hemligt.txt", content_type="text/plain",
    )  # fmt: skip
    auth = ("safos_owner", _password(safos, max_class=3, loa=3))
    top = f"{server}/dav/{requests.utils.quote(seg(secret))}"
    listing = requests.request("PROPFIND", top, auth=auth, headers={"Depth": "1"}, timeout=30)
    assert listing.status_code == 207 and "Hemligt.txt" in listing.text
    reads = AuditEvent.objects.filter(action="read", object_id=str(version.document_id))
    got = requests.get(f"{top}/Hemligt.txt", auth=auth, timeout=30)
    assert got.status_code == 403, got.status_code
    assert "sandbox" in got.headers["Content-Security-Policy"]
    assert "only be viewed" in got.text and "hemligt" not in got.text
    assert not reads.exists()

    before = stored_objects(safos_files(safos))
    put = requests.put(
        f"{server}/dav/{requests.utils.quote(seg(low))}/eicar.txt",
        data=EICAR,
        auth=auth,
        timeout=30,
    )
    assert put.status_code == 422, (put.status_code, put.text)
    assert "malware" in put.text.lower() or "skadlig" in put.text.lower()
    assert not Document.objects.filter(name="eicar.txt").exists()
    assert stored_objects(safos_files(safos)) == before


@pytest.mark.usefixtures("scanning")
def test_a_large_put_is_scanned_as_it_arrives_and_eicar_inside_is_refused(
    safos, spaces, server, monkeypatch
):
    from samdrift.core.files import scanning as kernel_scanning
    from samdrift.core.files.tests.clamd import EICAR

    def read_again(*args, **kwargs):  # type: ignore[no-untyped-def]
        raise AssertionError("the file was read again to scan it")

    monkeypatch.setattr(kernel_scanning, "scan", read_again)
    low, _high, _foreign = spaces
    auth = ("safos_owner", _password(safos))
    folder = f"{server}/dav/{requests.utils.quote(seg(low))}"
    mb = 1024 * 1024
    before = stored_objects(safos_files(safos))
    # when: 4 MB of text with the EICAR string in the middle, then 4 MB of clean text
    infected = requests.put(
        f"{folder}/stor.txt", data=b"a" * (2 * mb) + EICAR + b"b" * (2 * mb), auth=auth, timeout=60
    )
    clean = requests.put(f"{folder}/ren.txt", data=b"c" * (4 * mb), auth=auth, timeout=60)
    # then: the first refused and nothing of it kept; the second stored whole
    assert infected.status_code == 422, (infected.status_code, infected.text)
    assert not Document.objects.filter(name="stor.txt").exists()
    assert clean.status_code == 201, (clean.status_code, clean.text)
    assert Document.objects.get(name="ren.txt").versions.get().file.size == 4 * mb
    assert len(stored_objects(safos_files(safos))) == len(before) + 1
