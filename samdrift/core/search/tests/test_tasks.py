"""The background job: a stored file's text indexed through the jobs interface."""

from __future__ import annotations

import io

import pytest

from samdrift.core.actor import SYSTEM
from samdrift.core.files import services as files
from samdrift.core.files.conf import LOCAL
from samdrift.core.jobs.worker import Worker
from samdrift.core.search.models import SearchEntry
from samdrift.core.search.selectors import Visibility, search
from samdrift.core.search.tasks import index_file, index_stored_file

from . import documents

pytestmark = pytest.mark.django_db


@pytest.fixture
def local_files(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path / "media"
    settings.STORAGES = {**settings.STORAGES, "default": dict(LOCAL)}


def _store(data: bytes, name: str):
    return files.store(io.BytesIO(data), name, None, actor=SYSTEM, owner_org_id=7)


def test_a_stored_docx_is_indexed_by_the_job(local_files):
    stored = _store(documents.docx(["Överenskommelse om lagring av handlingar"]), "avtal.docx")
    # when: enqueued as an app does, and run by a worker
    result = index_stored_file.enqueue("document", "41", "workspace:3", "Avtal", str(stored.id))
    assert Worker(burst=True).run() == 1
    # then
    result.refresh()
    assert result.return_value["format"] == "docx"
    page = search(query="överenskommelse", visible=Visibility(keys=["workspace:3"]))
    assert [(hit.kind, hit.object_id, hit.title) for hit in page.hits] == [
        ("document", "41", "Avtal")
    ]
    assert "<mark>Överenskommelse</mark>" in page.hits[0].snippet


def test_a_refused_file_is_indexed_by_title_only_and_says_why(local_files):
    stored = _store(b"this is not a pdf at all", "rapport.pdf")
    outcome = index_file(
        kind="document",
        object_id=42,
        visibility_key="workspace:3",
        title="Rapport om drift",
        stored_file_id=str(stored.id),
    )
    assert outcome == {"indexed": True, "text_chars": 0, "refused": "content_mismatch"}
    assert SearchEntry.objects.get(object_id="42").body == ""
    assert [hit.object_id for hit in search(query="rapport", visible=Visibility.all()).hits] == [
        "42"
    ]
