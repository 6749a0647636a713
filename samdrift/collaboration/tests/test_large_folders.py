"""A folder of many documents (issue 11's 100,000): the workspace page shows 50 a page with the
same queries whatever the size, and the used bytes are a counter kept by the services, not a sum
over every version (ADR 0611)."""

from __future__ import annotations

import io

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from samdrift.collaboration import services
from samdrift.collaboration.models import Document, Workspace
from samdrift.collaboration.selectors import agency_used_bytes, used_bytes

pytestmark = pytest.mark.django_db


def test_the_page_is_paged_and_its_queries_do_not_grow(safos):
    workspace = services.workspace_create(actor=safos.actor("owner"), name="Stor", classification=0)
    client = safos.client("owner")

    def add(first: int, last: int) -> None:
        Document.objects.bulk_create(
            Document(workspace=workspace, name=f"Handling {n:05d}.txt", classification=0)
            for n in range(first, last)
        )

    def queries(url: str) -> int:
        with CaptureQueriesContext(connection) as captured:
            assert client.get(url).status_code == 200
        return len(captured)

    add(0, 10)
    few = queries(f"/collaboration/{workspace.id}/")
    add(10, 260)
    assert queries(f"/collaboration/{workspace.id}/") == few
    page = client.get(f"/collaboration/{workspace.id}/?page=3").content.decode()
    assert "Handling 00100.txt" in page and "Handling 00149.txt" in page
    assert "Handling 00099.txt" not in page and "Handling 00150.txt" not in page


def test_used_bytes_is_a_counter_kept_by_uploads(safos):
    workspace = services.workspace_create(
        actor=safos.actor("owner"), name="Räkna", classification=0
    )
    for name, data in (("a.txt", b"12345\n"), ("b.txt", b"123\n"), ("a.txt", b"1234567\n")):
        services.upload(
            actor=safos.actor("owner"), workspace_id=workspace.id, stream=io.BytesIO(data),
            name=name, content_type="text/plain",
        )  # fmt: skip
    assert used_bytes(workspace_id=workspace.id) == 6 + 4 + 8
    document = Document.objects.get(workspace=workspace, name="a.txt")
    services.version_restore(actor=safos.actor("owner"), document_id=document.id, number=1)
    assert Workspace.objects.get(id=workspace.id).used_bytes == 18  # a restore adds nothing
    assert agency_used_bytes(org_id=safos.a.id) == 18
