"""The chat page (and the homeserver's row on the public status page) in Chromium with axe-core (WCAG 2.1 A and AA), in Swedish and English, as the
workspace's owner (with the room and the "bring in line" form) and as a reader."""

from __future__ import annotations

import pytest

from samdrift.chat import homeserver
from samdrift.chat.models import ChatRoom
from samdrift.collaboration import services as collab
from samdrift.core import health
from samdrift.tests.browser import axe_violations, browser, page_as  # noqa: F401

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


@pytest.mark.parametrize("language", ["sv", "en"])
def test_the_chat_page_passes_axe(live_server, safos, browser, language, settings):  # noqa: F811
    # The public status page with the homeserver's row (down: nothing listens on that port).
    settings.CHAT_ENABLED = True
    settings.CHAT_HOMESERVER_URL = f"http://127.0.0.1:{homeserver.free_port()}"
    health.forget("chat")
    workspace = collab.workspace_create(
        actor=safos.actor("owner"), name="Samverkan", classification=1
    )
    other = collab.workspace_create(actor=safos.actor("owner"), name="Utan rum", classification=1)
    ChatRoom.objects.create(
        workspace=workspace, room_id="!abc:samdrift.localhost", alias="#samdrift_ws1:x"
    )
    session = safos.client("owner").cookies[settings.SESSION_COOKIE_NAME].value
    found: list[str] = []
    urls = [
        f"/chat/workspaces/{workspace.id}/",
        f"/chat/workspaces/{other.id}/",
        "/operations/status/",
    ]
    for url in urls:
        page = page_as(browser, live_server.url, session, language)
        response = page.goto(live_server.url + url)
        assert response is not None and response.status == 200
        assert page.locator("html").get_attribute("lang") == language
        found += axe_violations(page, f"{url} ({language})")
        if url == "/operations/status/":
            assert (
                page.get_by_text(
                    "Chat (Matrix homeserver)" if language == "en" else "Chatt (Matrix-server)"
                ).count()
                == 1
            )
        page.context.close()
    assert found == []
