"""Every collaboration page in Chromium with axe-core (WCAG 2.1 A and AA), in Swedish and
English, as a member with an e-ID login strong enough for the class (the shared axe test sees
them behind SAFOS's step-up, since the demo login is a password). Includes the share-link pages
and a PDF's preview."""

from __future__ import annotations

import io
import shutil
from pathlib import Path

import axe_playwright_python
import pikepdf
import pytest
from django.conf import settings
from playwright.sync_api import sync_playwright

from samdrift.collaboration import selectors, services
from samdrift.core.jobs.worker import Worker

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

AXE_SCRIPT = (Path(axe_playwright_python.__file__).parent / "axe.min.js").read_text()
WCAG_TAGS = ["wcag2a", "wcag2aa", "wcag21a", "wcag21aa"]


def _violations(page, url: str) -> list[str]:
    page.evaluate(AXE_SCRIPT)
    result = page.evaluate(
        "tags => axe.run(document, {runOnly: {type: 'tag', values: tags}})", WCAG_TAGS
    )
    return [f"{url}: {v['id']}: {v['help']} {[n['target'] for n in v['nodes']][:3]}"
            for v in result["violations"]]  # fmt: skip


@pytest.mark.parametrize("language", ["sv", "en"])
def test_every_collaboration_page_passes_axe(live_server, safos, language):
    chromium = shutil.which("chromium")
    assert chromium, "Debian's chromium is required (scripts/ensure-browser.sh installs it)"
    owner = safos.actor("owner")
    # the agency's own scale (ADR 0617): class 2 shows as "Känslig (KLASSA 2)"
    services.scale_set(
        actor=safos.actor("security"), organisation_id=safos.a.id,
        labels=[{"name_sv": "Öppen", "name_en": "Open", "level": 0},
                {"name_sv": "Känslig", "name_en": "Sensitive", "level": 2}],
    )  # fmt: skip
    workspace = services.workspace_create(actor=owner, name="Samverkan", classification=2)
    # publishing needs a passed check here (ADR 0618): the PDF's page says why it cannot be
    services.workspace_publishing(
        actor=owner, workspace_id=workspace.id, require_accessible_pdfs=True
    )
    services.invite(
        actor=owner, workspace_id=workspace.id, email="editor@example.se", role="editor"
    )
    services.invite(
        actor=owner, workspace_id=workspace.id, email="reader@example.se", role="reader"
    )
    invitation = selectors.my_invitations(actor=safos.actor("editor")).get()
    services.invitation_accept(actor=safos.actor("editor"), invitation_id=invitation.id)
    services.folder_create(actor=owner, workspace_id=workspace.id, name="Protokoll")
    version = services.upload(
        actor=owner, workspace_id=workspace.id, stream=io.BytesIO(b"text\n"), name="Plan.txt"
    )
    trashed = services.upload(
        actor=owner, workspace_id=workspace.id, stream=io.BytesIO(b"gammalt\n"), name="Gammal.txt"
    )
    services.document_trash(actor=owner, document_id=trashed.document_id)
    pdf = pikepdf.new()
    pdf.add_blank_page(page_size=(595, 842))
    pdf_bytes = io.BytesIO()
    pdf.save(pdf_bytes)
    checked = services.upload(
        actor=owner, workspace_id=workspace.id, stream=io.BytesIO(pdf_bytes.getvalue()),
        name="Rapport.pdf", content_type="application/pdf",
    )  # fmt: skip
    # A class-1 workspace whose document is shared with the owner's own agency (ADR 0609).
    open_ws = services.workspace_create(actor=owner, name="Öppen", classification=1)
    shared = services.upload(
        actor=owner, workspace_id=open_ws.id, stream=io.BytesIO(b"delad\n"), name="Delad.txt"
    )
    _link, token = services.share_create(
        actor=owner, document_id=shared.document_id, agencies=[safos.a.id, safos.c.id]
    )
    Worker(burst=True).run()  # search index, the PDF's accessibility check and its preview
    document_id = version.document_id
    urls = [
        "/collaboration/",
        f"/collaboration/{workspace.id}/",
        f"/collaboration/{workspace.id}/members/",
        f"/collaboration/{workspace.id}/trash/",
        f"/collaboration/documents/{document_id}/",
        f"/collaboration/documents/{document_id}/reads/",
        f"/collaboration/documents/{checked.document_id}/",
        "/collaboration/search/?q=text",
        f"/collaboration/documents/{shared.document_id}/shares/",
        f"/collaboration/shared/{token}/",
    ]
    session = safos.client("owner").cookies[settings.SESSION_COOKIE_NAME].value
    reader_session = safos.client("reader").cookies[settings.SESSION_COOKIE_NAME].value
    security_session = safos.client("security").cookies[settings.SESSION_COOKIE_NAME].value
    scale_pages = [f"/collaboration/agencies/{safos.a.id}/scale/"]
    problems: list[str] = []
    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=chromium, args=["--no-sandbox"])
        for cookie, pages in (
            (session, urls),
            (reader_session, ["/collaboration/invitations/"]),
            (security_session, scale_pages),
        ):
            context = browser.new_context(bypass_csp=True)
            context.add_cookies(
                [
                    {
                        "name": settings.LANGUAGE_COOKIE_NAME,
                        "value": language,
                        "url": live_server.url,
                    },
                    {"name": settings.SESSION_COOKIE_NAME, "value": cookie, "url": live_server.url},
                ]
            )
            page = context.new_page()
            for url in pages:
                response = page.goto(f"{live_server.url}{url}")
                assert response is not None and response.status == 200, url
                assert page.url == f"{live_server.url}{url}", page.url  # no step-up detour
                assert page.locator("html").get_attribute("lang") == language
                problems.extend(_violations(page, url))
            context.close()
        browser.close()
    assert problems == []
