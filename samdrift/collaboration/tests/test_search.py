"""Full-text search within what the person may see (ADR 0607): each new version is indexed by a
background job (run here by a real worker), hits come only from the workspaces in sight and of a
class this login is strong enough for, a trashed document is not found, Swedish words are found,
and every hit shown is an audit read."""

from __future__ import annotations

import io

import pytest

from samdrift.audit.models import AuditEvent
from samdrift.collaboration import selectors, services
from samdrift.core.jobs.worker import Worker
from samdrift.core.search.models import SearchEntry

pytestmark = pytest.mark.django_db(transaction=True)


def _drain() -> None:
    Worker(burst=True).run()


def _upload(world, who: str, workspace_id: int, name: str, text: str):
    return services.upload(
        actor=world.actor(who), workspace_id=workspace_id,
        stream=io.BytesIO(text.encode()), name=name, content_type="text/plain",
    )  # fmt: skip


@pytest.fixture
def spaces(safos):
    """A's workspace (class 1) with a document about 'överenskommelse'; B's own workspace with a
    document using the same word; a class-3 workspace of A with a 'säkerhetsprövning' text."""
    mine = services.workspace_create(actor=safos.actor("owner"), name="Yta A", classification=1)
    theirs = services.workspace_create(actor=safos.actor("editor"), name="Yta B", classification=1)
    high = services.workspace_create(actor=safos.actor("owner"), name="Hög", classification=3)
    a_doc = _upload(
        safos, "owner", mine.id, "Avtal.txt", "Överenskommelse om gemensam förvaltning."
    ).document
    b_doc = _upload(
        safos, "editor", theirs.id, "Hemligt.txt", "Överenskommelse mellan B och leverantören."
    ).document
    h_doc = _upload(safos, "owner", high.id, "Prövning.txt", "Säkerhetsprövning av personal.")
    _drain()
    return mine, theirs, high, a_doc, b_doc, h_doc.document


def _names(hits) -> list[str]:
    return [h.access.document.name for h in hits]


def test_each_version_is_indexed_under_its_workspace(spaces):
    mine, theirs, _high, a_doc, b_doc, _h = spaces
    keys = dict(SearchEntry.objects.values_list("object_id", "visibility_key"))
    assert keys[str(a_doc.id)] == f"workspace:{mine.id}"
    assert keys[str(b_doc.id)] == f"workspace:{theirs.id}"


def test_another_agencys_document_never_appears(safos, spaces):
    hits, _more = services.search(actor=safos.actor("owner"), query="överenskommelse")
    assert _names(hits) == ["Avtal.txt"]
    hits, _more = services.search(actor=safos.actor("editor"), query="överenskommelse")
    assert _names(hits) == ["Hemligt.txt"]
    assert services.search(actor=safos.actor("outsider"), query="överenskommelse")[0] == []


def test_swedish_words_are_found_with_and_without_case(safos, spaces):
    hits, _more = services.search(actor=safos.actor("owner"), query="FÖRVALTNING")
    assert _names(hits) == ["Avtal.txt"]
    assert "<mark>" in hits[0].hit.snippet


def test_a_class_above_this_login_is_not_shown(safos, spaces):
    assert _names(services.search(actor=safos.actor("owner", loa=3), query="säkerhetsprövning")[0]) == ["Prövning.txt"]  # fmt: skip
    assert services.search(actor=safos.actor("owner", loa=2), query="säkerhetsprövning")[0] == []


def test_a_trashed_document_is_not_found_and_comes_back_when_restored(safos, spaces):
    _mine, _theirs, _high, a_doc, _b, _h = spaces
    services.document_trash(actor=safos.actor("owner"), document_id=a_doc.id)
    assert services.search(actor=safos.actor("owner"), query="förvaltning")[0] == []
    assert not SearchEntry.objects.filter(object_id=str(a_doc.id)).exists()
    services.document_untrash(actor=safos.actor("owner"), document_id=a_doc.id)
    _drain()
    assert _names(services.search(actor=safos.actor("owner"), query="förvaltning")[0]) == [
        "Avtal.txt"
    ]


def test_a_new_version_replaces_the_text(safos, spaces):
    mine, *_rest = spaces
    _upload(safos, "owner", mine.id, "Avtal.txt", "Helt ny text om upphandling.")
    _drain()
    assert services.search(actor=safos.actor("owner"), query="förvaltning")[0] == []
    assert _names(services.search(actor=safos.actor("owner"), query="upphandling")[0]) == [
        "Avtal.txt"
    ]


def test_each_hit_shown_is_a_read(safos, spaces):
    _mine, _theirs, _high, a_doc, _b, _h = spaces
    services.search(actor=safos.actor("owner"), query="överenskommelse")
    reads = AuditEvent.objects.filter(action="read", object_id=str(a_doc.id))
    assert reads.count() == 1
    assert reads.get().after["access"] == "search_hit"
    assert reads.get().after["version"] == 1


def test_the_api_and_the_page(safos, spaces):
    owner = safos.client("owner")
    body = owner.get("/api/v1/collaboration/search", {"q": "överenskommelse"}).json()
    assert [hit["name"] for hit in body["items"]] == ["Avtal.txt"] and not body["has_next"]
    assert "Hemligt" not in str(body)
    refused = owner.get("/api/v1/collaboration/search", {"q": "  "})
    assert refused.status_code == 422 and refused.json()["message_sv"]
    page = owner.get("/collaboration/search/", {"q": "överenskommelse"}).content.decode()
    assert "Avtal.txt" in page and "Hemligt.txt" not in page
    assert selectors.search_keys(safos.actor("outsider")).count() == 0
