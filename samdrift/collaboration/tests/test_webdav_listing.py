"""A desktop client's folder listing (PROPFIND, Depth 1) costs the same queries whether the folder
holds 3 documents or 30: the documents and their current versions are read together, not one
version query per document (ADR 0613)."""

from __future__ import annotations

import io
from urllib.parse import quote, unquote

import pytest
from defusedxml import ElementTree
from django.db import connection
from django.test.utils import CaptureQueriesContext

from samdrift.accounts.app_passwords import app_password_create
from samdrift.collaboration import services
from samdrift.collaboration.models import Document, Version
from samdrift.collaboration.webdav.provider import segment_for
from samdrift.tests.dav import dav_call

pytestmark = pytest.mark.django_db


def test_a_folder_listing_costs_the_same_queries_for_3_and_30_documents(safos):
    owner = safos.actor("owner")
    workspace = services.workspace_create(actor=owner, name="Lista", classification=0)
    first = services.upload(
        actor=owner, workspace_id=workspace.id, stream=io.BytesIO(b"first\n"),
        name="Handling 000.txt", content_type="text/plain",
    )  # fmt: skip
    _row, secret = app_password_create(actor=owner, name="Filhanteraren", max_class=0)

    def add(first_n: int, last_n: int) -> None:
        # Each with two versions: the listing must show the current one (the larger).
        documents = Document.objects.bulk_create(
            Document(workspace=workspace, name=f"Handling {n:03d}.txt", classification=0)
            for n in range(first_n, last_n)
        )
        Version.objects.bulk_create(
            Version(document=d, number=number, file=first.file, size=size, sha256=f"{n:064x}",
                    content_type="text/plain")
            for n, d in enumerate(documents, start=first_n)
            for number, size in ((1, 1), (2, 100 + n))
        )  # fmt: skip

    def listing() -> tuple[int, str]:
        with CaptureQueriesContext(connection) as captured:
            status, body = dav_call(
                "PROPFIND", f"/dav/{segment_for(workspace)}/", "safos_owner", secret
            )
        assert status == 207, body[:300]
        return len(captured), body

    # one document locked (ADR 0687): every member's lockdiscovery comes from one read
    services.dav_lock_take(
        actor=owner,
        asked=services.LockAsked(
            root=f"/{quote(segment_for(workspace))}/{quote('Handling 000.txt')}",
            principal="safos_owner", scope="exclusive", depth="0", owner="", timeout=60,
        ),
        workspace_id=workspace.id,
        document_id=first.document_id,
    )  # fmt: skip
    add(1, 3)
    few, body = listing()
    assert body.count("opaquelocktoken:") == 1
    assert body.count("Handling ") == 3
    add(3, 30)
    many, body = listing()
    assert body.count("Handling ") == 30
    assert body.count("opaquelocktoken:") == 1
    assert many == few
    # each document with its current version's size, not its first's
    assert _sizes(body)["Handling 001.txt"] == "101"
    assert _sizes(body)["Handling 029.txt"] == "129"
    assert _sizes(body)["Handling 000.txt"] == "6"  # uploaded: "first\n"


def _sizes(body: str) -> dict[str, str]:
    """Document name → getcontentlength in a multistatus answer."""
    dav = "{DAV:}"
    sizes = {}
    for response in ElementTree.fromstring(body).iter(f"{dav}response"):
        href = unquote(response.findtext(f"{dav}href") or "").rstrip("/")
        length = response.findtext(f".//{dav}getcontentlength")
        if length is not None:
            sizes[href.rpartition("/")[2]] = length
    return sizes
