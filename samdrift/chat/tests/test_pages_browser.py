"""The chat page (and the homeserver's row on the public status page) in Chromium with axe-core (WCAG 2.1 A and AA), in Swedish and English, as the
workspace's owner (with the room and the "bring in line" form) and as a reader."""

from __future__ import annotations

from urllib.parse import urlencode

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


@pytest.mark.parametrize("language", ["sv", "en"])
def test_retention_hold_and_archives_pass_axe_with_the_form_in_error(
    live_server, safos, browser, language, settings  # noqa: F811
):  # fmt: skip
    """The room's "Retention and legal hold" section (ADR 0655) as the security role sees it: a
    room on hold, its archive table, the hold form, and that form sent with a blank reason (the
    error summary, `aria-invalid`), reached and sent by keyboard."""
    import datetime as dt
    import io

    from samdrift.chat.models import ChatArchive
    from samdrift.core.files.services import store
    from samdrift.tests.browser import tab_to

    settings.CHAT_ENABLED = True
    settings.CHAT_HOMESERVER_URL = f"http://127.0.0.1:{homeserver.free_port()}"
    owner = safos.actor("owner")
    workspace = collab.workspace_create(actor=owner, name="Samverkan", classification=1)
    room = ChatRoom.objects.create(
        workspace=workspace, room_id="!hold:samdrift.localhost", alias="#samdrift_hold:x",
        hold_set_at=dt.datetime(2026, 12, 1, 9, tzinfo=dt.UTC), hold_reason="Tillsyn 2026/77",
    )  # fmt: skip
    kept = [
        store(io.BytesIO(body), name, kind, actor=owner, owner_org_id=workspace.owner_org_id)
        for body, name, kind in (
            (b'{"events": []}', "rum.json", "application/json"),
            (b"%PDF-1.7\n", "rum.pdf", "application/pdf"),
        )
    ]
    ChatArchive.objects.create(
        room=room, up_to=dt.datetime(2026, 11, 1, tzinfo=dt.UTC), events=12,
        json_file=kept[0], pdf_file=kept[1],
    )  # fmt: skip
    url = f"{live_server.url}/chat/workspaces/{workspace.id}/"
    found: list[str] = []
    for who in ("security", "owner"):  # the hold form; the archive table
        session = safos.client(who).cookies[settings.SESSION_COOKIE_NAME].value
        page = page_as(browser, live_server.url, session, language)
        assert page.goto(url).status == 200
        found += axe_violations(page, f"room as {who} ({language})")
        if who == "security":
            reason = page.locator("#hold-reason")
            reason.fill("   ")
            tab_to(page, page.locator("button[name=action][value=set]"))
            with page.expect_navigation():
                page.keyboard.press("Enter")
            assert page.locator(".error-summary").count() == 1
            assert page.locator("#hold-reason").get_attribute("aria-invalid") == "true"
            found += axe_violations(page, f"hold form in error ({language})")
        else:
            assert page.locator("table").count() == 1
        page.context.close()
    assert found == []
    assert ChatRoom.objects.get(pk=room.pk).hold_reason == "Tillsyn 2026/77"  # nothing changed


@pytest.mark.parametrize("language", ["sv", "en"])
def test_the_sign_in_refusals_pass_axe(live_server, safos, browser, language, settings):  # noqa: F811
    """samdrift's own answers to a chat program's sign-in (ADR 0657): a request that is not the
    homeserver's (400), and a person in no workspace with a room (403)."""
    settings.CHAT_PUBLIC_BASEURL = "http://127.0.0.1:8448"
    good = {
        "client_id": "synapse",
        "redirect_uri": "http://127.0.0.1:8448/_synapse/client/oidc/callback",
        "response_type": "code",
        "scope": "openid",
        "code_challenge": "x" * 43,
        "code_challenge_method": "S256",
    }
    cases = [("owner", "client_id=element", 400), ("reader", urlencode(good), 403)]
    found: list[str] = []
    for who, query, status in cases:
        session = safos.client(who).cookies[settings.SESSION_COOKIE_NAME].value
        page = page_as(browser, live_server.url, session, language)
        response = page.goto(f"{live_server.url}/chat/sso/authorize?{query}")
        assert response is not None and response.status == status
        assert page.locator("html").get_attribute("lang") == language
        found += axe_violations(page, f"sign-in refused to {who} ({language})")
        page.context.close()
    assert found == []
