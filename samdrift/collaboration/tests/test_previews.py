"""Previews (ADR 0612): a PNG of a PDF's first page or of an image, made by the background job
in a limited child process; other files get none (SVG is not even accepted); a broken file fails quietly; showing
a preview is an audited read, also for class 3 (view only)."""

from __future__ import annotations

import io

import pikepdf
import pytest
from PIL import Image

from samdrift.audit.models import AuditEvent
from samdrift.collaboration import services
from samdrift.collaboration.models import Version
from samdrift.core.jobs.models import Job

pytestmark = pytest.mark.django_db


def _pdf() -> bytes:
    pdf = pikepdf.new()
    pdf.add_blank_page(page_size=(595, 842))
    out = io.BytesIO()
    pdf.save(out)
    return out.getvalue()


def _png(size=(300, 200)) -> bytes:
    out = io.BytesIO()
    Image.new("RGB", size, (200, 30, 30)).save(out, "PNG")
    return out.getvalue()


def _upload(safos, data, name, content_type, cls=1):
    workspace = services.workspace_create(actor=safos.actor("owner"), name=f"Yta {name}", classification=cls)  # fmt: skip
    return services.upload(
        actor=safos.actor("owner"), workspace_id=workspace.id, stream=io.BytesIO(data),
        name=name, content_type=content_type,
    )  # fmt: skip


@pytest.mark.parametrize(
    ("data", "name", "content_type", "width"),
    [(_pdf(), "Rapport.pdf", "application/pdf", 1200), (_png(), "Bild.png", "image/png", 300)],
)
def test_a_pdf_or_an_image_gets_a_png_preview(safos, data, name, content_type, width):
    version = _upload(safos, data, name, content_type)
    assert services.render_preview.call(version.id) == "ready"
    version = Version.objects.select_related("preview").get(id=version.id)
    assert version.preview_state == "ready" and version.preview.content_type == "image/png"
    response = safos.client("owner").get(f"/collaboration/documents/{version.document_id}/preview/")
    assert response.status_code == 200 and response["Content-Type"] == "image/png"
    assert response["X-Content-Type-Options"] == "nosniff"
    with Image.open(io.BytesIO(b"".join(response.streaming_content))) as image:
        assert image.width == width
    read = AuditEvent.objects.filter(object_id=str(version.document_id), action="read").last()
    assert read.after["access"] == "preview" and read.after["version"] == 1
    page = safos.client("owner").get(f"/collaboration/documents/{version.document_id}/")
    assert "/preview/?version=1" in page.content.decode()


def test_class_3_is_view_only_but_has_a_preview(safos):
    version = _upload(safos, _pdf(), "Hemlig.pdf", "application/pdf", cls=3)
    services.render_preview.call(version.id)
    client = safos.client("owner", loa=3)
    assert client.get(f"/collaboration/documents/{version.document_id}/preview/").status_code == 200
    download = client.get(f"/collaboration/documents/{version.document_id}/download/")
    assert download.status_code == 302  # refused: view only
    api = client.get(f"/api/v1/collaboration/documents/{version.document_id}/preview")
    assert api.status_code == 200
    assert safos.client("outsider").get(f"/api/v1/collaboration/documents/{version.document_id}/preview").status_code == 404  # fmt: skip


def test_text_gets_none_and_a_broken_pdf_fails_quietly(safos, django_capture_on_commit_callbacks):  # fmt: skip
    with django_capture_on_commit_callbacks(execute=True):
        text = _upload(safos, b"text\n", "Text.txt", "text/plain")
        broken = _upload(safos, b"%PDF-1.4\nnot really a pdf\n", "Trasig.pdf", "application/pdf")
    assert Version.objects.get(id=text.id).preview_state == "none"
    assert Job.objects.filter(task_path__endswith="render_preview").count() == 1  # only the PDF
    assert services.render_preview.call(broken.id) == "failed"
    assert Version.objects.get(id=broken.id).preview_id is None
    missing = safos.client("owner").get(f"/collaboration/documents/{broken.document_id}/preview/")
    assert missing.status_code == 404


def test_an_image_bomb_is_refused_by_the_child(safos):
    version = _upload(safos, _png((9000, 9000)), "Stor.png", "image/png")  # 81 Mpx > the limit
    assert services.render_preview.call(version.id) == "failed"


def test_a_trashed_document_shows_no_preview_until_taken_back_out(safos):
    """A trashed image is gone from the workspace's pages and live notes (their image then says
    it cannot be shown), on the page and in the API alike, with no read recorded."""
    from samdrift.collaboration.services import document_trash, document_untrash

    version = _upload(safos, _png(), "Bild.png", "image/png")
    services.render_preview.call(version.id)
    owner, document_id = safos.actor("owner"), version.document_id
    page_url = f"/collaboration/documents/{document_id}/preview/"
    api_url = f"/api/v1/collaboration/documents/{document_id}/preview"
    document_trash(actor=owner, document_id=document_id)
    reads = AuditEvent.objects.filter(action="read").count()
    client = safos.client("owner")
    assert client.get(page_url).status_code == 404
    assert client.get(api_url).status_code == 404
    assert "/preview/?version=" not in client.get(f"/collaboration/documents/{document_id}/").content.decode()  # fmt: skip
    assert AuditEvent.objects.filter(action="read").count() == reads
    document_untrash(actor=owner, document_id=document_id)
    assert client.get(page_url).status_code == 200
