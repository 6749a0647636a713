""" "Log in with samdrift" into a REAL Synapse (ADR 0657): a homeserver of its own whose OpenID
provider is the samdrift this test serves over HTTP (uvicorn in a thread, same test database).
The browser's part is played by `requests`: Synapse's redirect, samdrift's authorization with
the official's session, Synapse's callback (which redeems the code at samdrift's token endpoint
and checks the ID token against the published key), then the Matrix login token. Nothing of
Synapse or of the OpenID exchange is mocked."""

from __future__ import annotations

import re
import time
import urllib.parse
import uuid
from collections.abc import Iterator

import pytest
import requests

from samdrift.chat import homeserver, selectors, services
from samdrift.chat.models import SsoGrant
from samdrift.collaboration import selectors as collab_selectors
from samdrift.collaboration import services as collab
from samdrift.core.engines import free_port
from samdrift.tests.asgi_server import asgi_server

from .conftest import synapse_python

pytestmark = [pytest.mark.engine, pytest.mark.django_db(transaction=True)]

AFTER = "http://127.0.0.1:9/after-login"  # the Matrix client's page; never fetched


@pytest.fixture
def signed_in_world(settings, tmp_path, monkeypatch) -> Iterator[tuple[str, str]]:
    """(samdrift's address, the homeserver's) with a Synapse that trusts that samdrift."""
    site = f"http://127.0.0.1:{free_port()}"
    monkeypatch.setenv("SAMDRIFT_CHAT_DIR", str(tmp_path / "synapse"))
    monkeypatch.setenv("SAMDRIFT_CHAT_SYNAPSE_PYTHON", synapse_python())
    monkeypatch.setenv("SAMDRIFT_CHAT_APPSERVICE_URL", "http://127.0.0.1:9/chat/appservice")
    monkeypatch.setenv("SAMDRIFT_CHAT_SSO_ISSUER", f"{site}/chat/sso")
    monkeypatch.delenv("SAMDRIFT_CHAT_HOMESERVER_URL", raising=False)
    settings.CHAT_ENABLED = True
    settings.CHAT_LOCALPART_PREFIX = f"samdrift_t{uuid.uuid4().hex[:8]}_"
    state = homeserver.start(listen_port=homeserver.free_port())
    monkeypatch.setenv("SAMDRIFT_CHAT_HOMESERVER_URL", state.url)
    try:
        yield site, state.url
    finally:
        homeserver.stop()


def _member_of_new_workspace(safos, name: str, classification: int) -> int:
    workspace = collab.workspace_create(
        actor=safos.actor("owner"), name=f"Samverkan klass {classification}",
        classification=classification,
    )  # fmt: skip
    collab.invite(
        actor=safos.actor("owner"), workspace_id=workspace.id,
        email=f"{name}@example.se", role="editor",
    )  # fmt: skip
    invitation = collab_selectors.my_invitations(actor=safos.actor(name)).get(workspace=workspace)
    collab.invitation_accept(actor=safos.actor(name), invitation_id=invitation.id)
    services.provision_workspace(workspace_id=workspace.id)
    return workspace.id


def _sign_in(hs: str, samdrift_session: str) -> dict:
    """What a Matrix client and its browser do for "Log in with samdrift"; the Matrix login."""
    for _attempt in range(10):
        start = requests.get(
            f"{hs}/_matrix/client/v3/login/sso/redirect/oidc-samdrift",
            params={"redirectUrl": AFTER}, allow_redirects=False, timeout=30,
        )  # fmt: skip
        # Synapse reads samdrift's discovery document once at start-up, before this test's
        # samdrift listens; a redirect that arrives while that read is failing shares its 503,
        # and the next one reads the document again (Synapse retries after a failure).
        if start.status_code != 503:
            break
        time.sleep(0.5)
    assert start.status_code == 302, start.text[:300]
    # Synapse's cookie is Secure; a browser keeps it for the loopback, requests only over https.
    synapse_cookie = {"oidc_session_no_samesite": start.cookies["oidc_session_no_samesite"]}
    authorize = requests.get(
        start.headers["Location"], cookies={"sessionid": samdrift_session},
        allow_redirects=False, timeout=30,
    )  # fmt: skip
    assert authorize.status_code == 302, authorize.text[:500]
    back = authorize.headers["Location"]
    assert back.startswith(f"{hs}/_synapse/client/oidc/callback?code=")
    callback = requests.get(back, cookies=synapse_cookie, allow_redirects=False, timeout=30)
    found = re.search(r"loginToken=([A-Za-z0-9_\-.~%]+)", callback.headers.get("Location", ""))
    found = found or re.search(r"loginToken=([A-Za-z0-9_\-.~%]+)", callback.text)
    assert found, f"no login token from Synapse: {callback.status_code} {callback.text[:800]}"
    login = requests.post(
        f"{hs}/_matrix/client/v3/login",
        json={"type": "m.login.token", "token": urllib.parse.unquote(found.group(1))},
        timeout=30,
    )
    assert login.status_code == 200, login.text
    return login.json()


def _whoami(hs: str, token: str) -> requests.Response:
    return requests.get(
        f"{hs}/_matrix/client/v3/account/whoami",
        headers={"Authorization": f"Bearer {token}"}, timeout=30,
    )  # fmt: skip


def test_an_official_signs_in_with_samdrift_and_a_weaker_sign_in_ends_at_a_higher_class(
    safos, signed_in_world
):
    site, hs = signed_in_world
    flows = requests.get(f"{hs}/_matrix/client/v3/login", timeout=30).json()["flows"]
    assert {flow["type"] for flow in flows} >= {"m.login.sso", "m.login.token"}
    assert "m.login.password" not in {flow["type"] for flow in flows}
    [sso_flow] = [flow for flow in flows if flow["type"] == "m.login.sso"]
    assert [idp["id"] for idp in sso_flow["identity_providers"]] == ["oidc-samdrift"]

    _member_of_new_workspace(safos, "editor", classification=1)
    expected = selectors.matrix_user_id(safos.users["editor"].id)
    with asgi_server(port=int(site.rsplit(":", 1)[1])):
        weak = _sign_in(hs, safos.client("editor", loa=2).cookies["sessionid"].value)
        assert weak["user_id"] == expected  # the account the application service made
        assert _whoami(hs, weak["access_token"]).json()["user_id"] == expected
        assert SsoGrant.objects.get(redeemed_at__isnull=False).rank == 2

        # A class 3 room needs level 3: the level-2 session ends before the room is shown.
        _member_of_new_workspace(safos, "editor", classification=3)
        assert _whoami(hs, weak["access_token"]).status_code == 401
        assert not SsoGrant.objects.exists()
        strong = _sign_in(hs, safos.client("editor", loa=3).cookies["sessionid"].value)
        assert _whoami(hs, strong["access_token"]).json()["user_id"] == expected
