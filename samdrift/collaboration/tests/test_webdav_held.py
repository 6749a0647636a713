"""A large WebDAV PUT is held for its malware scan as a web upload is (ADR 0692), through a real
server, a real clamd, a real WebDAV client (rclone) and, for the bucket, a real SeaweedFS:
answered once stored; no version until the scan of the stored bytes finds it clean. Its
uploader sees its name, size and time (a client reads back what it wrote) but no bytes; no one
else sees it. Malware is refused and deleted afterwards. A PUT under a WebDAV lock still waits
for its verdict, so a file manager that locks, writes and reads back finds its version."""

from __future__ import annotations

import pytest
import requests

from samdrift.accounts.app_passwords import app_password_create
from samdrift.collaboration import selectors, services
from samdrift.collaboration.models import DavLock, Document, HeldUpload, Version
from samdrift.collaboration.services import held as held_services
from samdrift.core.files import storage, uploads
from samdrift.core.files.tests.clamd import EICAR
from samdrift.core.jobs.worker import Worker
from samdrift.core.notifications.models import Notification

from .test_held_uploads import LARGE
from .test_webdav import _member, _rclone, seg, served
from .test_webdav_locks import LOCKINFO

pytestmark = pytest.mark.django_db(transaction=True)


@pytest.fixture
def site():
    """samdrift served over real HTTP on a free port."""
    with served() as url:
        yield url


@pytest.fixture
def workspace(safos):
    made = services.workspace_create(
        actor=safos.actor("owner"), name="Stora filer", classification=1
    )
    _member(safos, made, "editor")
    return made


def _client(safos, site: str, workspace, who: str):  # type: ignore[no-untyped-def]
    _row, secret = app_password_create(actor=safos.actor(who), name="Synkverktyget", max_class=1)
    base = f"{site}/dav/{requests.utils.quote(seg(workspace))}/"

    def call(method: str, name: str, **kwargs) -> requests.Response:  # type: ignore[no-untyped-def]
        return requests.request(
            method,
            base + requests.utils.quote(name),
            auth=(f"safos_{who}", secret),
            timeout=60,
            **kwargs,
        )

    return call


@pytest.fixture
def dav(safos, site, workspace):
    return _client(safos, site, workspace, "owner")


def _listed(dav) -> str:  # type: ignore[no-untyped-def]
    listing = dav("PROPFIND", "", headers={"Depth": "1"})
    assert listing.status_code == 207, listing.text
    return requests.utils.unquote(listing.text)


def test_a_large_put_is_answered_once_stored_and_readable_once_found_clean(
    safos,
    site,
    workspace,
    dav,
    holding,
):
    # when
    put = dav("PUT", "Protokoll.txt", data=LARGE)
    # then: stored and answered, but no version
    assert put.status_code == 201, put.text
    held = HeldUpload.objects.get()
    assert (held.name, held.size, held.state) == ("Protokoll.txt", len(LARGE), "scanning")
    assert not Document.objects.exists()
    # its uploader sees what they wrote, with its size, and no bytes yet (try again later)
    listed = _listed(dav)
    assert "Protokoll.txt" in listed and f"<D:getcontentlength>{len(LARGE)}<" in listed
    itself = dav("PROPFIND", "Protokoll.txt", headers={"Depth": "0"})
    assert itself.status_code == 207 and str(len(LARGE)) in itself.text
    early = dav("GET", "Protokoll.txt")
    assert early.status_code == 503 and early.headers["Retry-After"] == "5"
    assert "skadlig kod" in early.text and "malware" in early.text
    assert LARGE[:40] not in early.content
    assert dav("HEAD", "Protokoll.txt").status_code == 503
    assert dav("DELETE", "Protokoll.txt").status_code == 409
    # another member of the workspace sees nothing of it
    other = _client(safos, site, workspace, "editor")
    assert "Protokoll.txt" not in _listed(other)
    assert other("GET", "Protokoll.txt").status_code == 404
    # when the scan has read the stored bytes
    Worker(burst=True).run()
    # then: a version with those bytes, as a direct upload would have made
    assert HeldUpload.objects.get().state == "stored"
    assert "Protokoll.txt" in _listed(dav)
    got = dav("GET", "Protokoll.txt")
    assert got.status_code == 200 and got.content == LARGE
    # and the next save of the same name is held too: its uploader sees the new size, no bytes
    assert dav("PUT", "Protokoll.txt", data=LARGE + b"Tillagt.\n").status_code == 204
    assert Version.objects.count() == 1
    assert f"<D:getcontentlength>{len(LARGE) + 9}<" in _listed(dav)
    assert dav("GET", "Protokoll.txt").status_code == 503
    assert other("GET", "Protokoll.txt").content == LARGE  # the others read the current one
    Worker(burst=True).run()
    assert Document.objects.get().versions.count() == 2
    assert dav("GET", "Protokoll.txt").content == LARGE + b"Tillagt.\n"


def test_malware_in_a_held_put_is_refused_deleted_and_told(safos, dav, holding):
    put = dav("PUT", "Smitta.txt", data=LARGE + EICAR)
    assert put.status_code == 201, put.text
    Worker(burst=True).run()
    held = HeldUpload.objects.get()
    assert (held.state, held.reason_code, held.file) == ("refused", "malware_found", None)
    assert not Document.objects.exists()
    note = Notification.objects.get(kind="collaboration_upload_scanned", channel="in_app")
    assert note.recipient_id == safos.users["owner"].id
    assert "Smitta.txt" in note.subject and "Samdrift.Test.EICAR" in note.body


def test_a_put_under_a_lock_waits_for_its_verdict_and_is_a_version_at_once(dav, holding):
    # given: a file manager's way: LOCK the new name, PUT under the lock, read back
    locked = dav(
        "LOCK",
        "Avtal.txt",
        data=LOCKINFO.format(who="owner").encode(),
        headers={"Timeout": "Second-600", "Content-Type": "application/xml"},
    )
    assert locked.status_code in (200, 201), locked.text
    token = locked.headers["Lock-Token"].strip("<>")
    # when
    put = dav("PUT", "Avtal.txt", data=LARGE, headers={"If": f"(<{token}>)"})
    # then: no hold; the version is there in the answer, the lock checks it out
    assert put.status_code in (200, 201, 204), put.text
    assert not HeldUpload.objects.exists()
    document = Document.objects.get(name="Avtal.txt")
    assert DavLock.objects.get(token=token).document_id == document.id
    assert dav("GET", "Avtal.txt").content == LARGE
    # and malware under a lock is refused in the answer itself
    refused = dav("PUT", "Avtal.txt", data=LARGE + EICAR, headers={"If": f"(<{token}>)"})
    assert refused.status_code == 422, refused.text
    assert document.versions.count() == 1


def test_a_release_during_a_request_never_makes_the_file_vanish(dav, holding, monkeypatch):
    # given: a held PUT whose scan finishes while a request resolves its name, just before
    # the request reads the held uploads (had it read the documents before, it would find
    # neither the document nor the held upload: a 404 right after a successful PUT)
    assert dav("PUT", "Protokoll.txt", data=LARGE).status_code == 201
    held_id = HeldUpload.objects.get().id
    read_held = selectors.held_scanning_in_folder

    def released_first(**kwargs):  # type: ignore[no-untyped-def]
        if HeldUpload.objects.filter(id=held_id, state="scanning").exists():
            held_services.release(held_id)
        return read_held(**kwargs)

    monkeypatch.setattr(selectors, "held_scanning_in_folder", released_first)
    # when
    answer = dav("HEAD", "Protokoll.txt")
    # then: the document, found clean
    assert answer.status_code == 200, answer.status_code
    assert HeldUpload.objects.get().state == "stored"


def test_rclone_copies_a_large_file_that_is_held_and_reads_it_once_clean(
    safos,
    site,
    workspace,
    holding,
    tmp_path,
):
    # given: rclone, which reads back the metadata of every file right after its PUT
    _row, secret = app_password_create(actor=safos.actor("owner"), name="rclone", max_class=1)
    run = _rclone(site, "safos_owner", secret, tmp_path)
    local = tmp_path / "Protokoll.txt"
    local.write_bytes(LARGE)
    # when
    run("copyto", local, f"dav:{seg(workspace)}/Protokoll.txt")
    # then: rclone is content (the size it sent is the size it reads back) and the upload held
    assert HeldUpload.objects.get().state == "scanning"
    assert run("lsl", f"dav:{seg(workspace)}").stdout.split()[0] == str(len(LARGE))
    Worker(burst=True).run()
    assert run("cat", f"dav:{seg(workspace)}/Protokoll.txt").stdout.encode() == LARGE


def test_with_s3_a_put_keeps_no_temporary_file(settings, dav, holding, seaweedfs, monkeypatch):
    # given: S3 storage; any temporary upload file made is noted
    settings.STORAGES = {**settings.STORAGES, "default": seaweedfs.storage_settings()}
    temporary = []
    made = uploads.StreamedUploadedFile.__init__

    def noted(self, *args, **kwargs):  # type: ignore[no-untyped-def]
        temporary.append(args[0])
        made(self, *args, **kwargs)

    monkeypatch.setattr(uploads.StreamedUploadedFile, "__init__", noted)
    # when: a held PUT, and a small one scanned as it arrives
    assert dav("PUT", "Stor.txt", data=LARGE).status_code == 201
    assert dav("PUT", "Liten.txt", data=b"En rad.\n").status_code == 201
    Worker(burst=True).run()
    # then: both in the bucket, byte for byte, and neither ever on local disk
    assert temporary == []
    for name, data in (("Stor.txt", LARGE), ("Liten.txt", b"En rad.\n")):
        version = Version.objects.get(document__name=name)
        assert b"".join(storage.read_chunks(version.file.key)) == data
    # and malware sent small, to S3 and clamd as it arrives, is refused in the answer
    assert dav("PUT", "Smitta.txt", data=EICAR).status_code == 422
    assert not Document.objects.filter(name="Smitta.txt").exists()
