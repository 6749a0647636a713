"""The PDF accessibility check after each version (ADR 0608): queued by the version hook, run by
a real jobs worker with samdrift's checker in its child process, the summary stored on the
version and shown on the document page; other files are not queued."""

from __future__ import annotations

import io

import pikepdf
import pytest

from samdrift.collaboration import services
from samdrift.collaboration.models import Version
from samdrift.core.jobs.models import Job
from samdrift.core.jobs.worker import Worker

pytestmark = pytest.mark.django_db(transaction=True)


def _untagged_pdf() -> bytes:
    pdf = pikepdf.new()
    pdf.add_blank_page(page_size=(595, 842))
    out = io.BytesIO()
    pdf.save(out)
    return out.getvalue()


def test_a_pdf_is_checked_in_the_background_and_the_page_shows_it(safos):
    workspace = services.workspace_create(actor=safos.actor("owner"), name="Pdf", classification=1)
    version = services.upload(
        actor=safos.actor("owner"), workspace_id=workspace.id,
        stream=io.BytesIO(_untagged_pdf()), name="Rapport.pdf", content_type="application/pdf",
    )  # fmt: skip
    assert Version.objects.get(id=version.id).accessibility is None  # not in the upload
    Worker(burst=True).run()
    summary = Version.objects.get(id=version.id).accessibility
    assert summary is not None and summary["profile"] == "pdfua1"
    assert summary["passed"] is False  # an untagged PDF fails PDF/UA
    assert summary["counts"]["failed"] >= 1 and summary["failed_rules"]
    page = safos.client("owner").get(f"/collaboration/documents/{version.document_id}/")
    text = page.content.decode()
    assert "PDF-filens tillgänglighet" in text
    assert "automatiska kontroller underkändes" in text


def test_a_text_file_is_not_queued(safos):
    workspace = services.workspace_create(actor=safos.actor("owner"), name="Txt", classification=1)
    before = Job.objects.filter(task_path__contains="check_version_accessibility").count()
    services.upload(
        actor=safos.actor("owner"), workspace_id=workspace.id,
        stream=io.BytesIO(b"text\n"), name="a.txt", content_type="text/plain",
    )  # fmt: skip
    after = Job.objects.filter(task_path__contains="check_version_accessibility").count()
    assert after == before
