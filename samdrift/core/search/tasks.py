"""Background indexing of a stored file: extraction can take seconds (a long PDF), so an upload
enqueues it instead of waiting (`index_stored_file.enqueue(...)`, the jobs kernel runs it)."""

from __future__ import annotations

import tempfile

from django_tasks import task

from samdrift.core.files import storage
from samdrift.core.files.models import StoredFile

from .extraction import ExtractionRefused, extract_text
from .services import index_entry


def index_file(
    *,
    kind: str,
    object_id: str | int,
    visibility_key: str,
    title: str,
    stored_file_id: str,
    language: str = "",
    owner_org_id: int | None = None,
) -> dict[str, object]:
    """Read the stored file into a temporary file (extraction needs to seek: ZIP directories
    are at the end), take its text out and index it. A refused file is indexed by its title
    only and the refusal's code is returned, so the job succeeds and says why."""
    stored = StoredFile.objects.get(id=stored_file_id)
    with tempfile.SpooledTemporaryFile(max_size=8 * 1024 * 1024) as copy:
        for chunk in storage.read_chunks(stored.key):
            copy.write(chunk)
        copy.seek(0)
        try:
            extracted = extract_text(copy, stored.name)
        except ExtractionRefused as refusal:
            index_entry(
                kind=kind,
                object_id=object_id,
                visibility_key=visibility_key,
                title=title,
                text="",
                language=language,
                owner_org_id=owner_org_id,
            )
            return {"indexed": True, "text_chars": 0, "refused": refusal.code}
    index_entry(
        kind=kind,
        object_id=object_id,
        visibility_key=visibility_key,
        title=title,
        text=extracted.text,
        language=language,
        owner_org_id=owner_org_id,
    )
    return {
        "indexed": True,
        "text_chars": len(extracted.text),
        "format": extracted.format,
        "truncated": extracted.truncated,
    }


@task()
def index_stored_file(
    kind: str,
    object_id: str,
    visibility_key: str,
    title: str,
    stored_file_id: str,
    language: str = "",
    owner_org_id: int | None = None,
) -> dict[str, object]:
    """The job: `index_stored_file.enqueue(kind, str(object_id), key, title, str(file.id))`."""
    return index_file(
        kind=kind,
        object_id=object_id,
        visibility_key=visibility_key,
        title=title,
        stored_file_id=stored_file_id,
        language=language,
        owner_org_id=owner_org_id,
    )


__all__ = ["index_file", "index_stored_file"]
