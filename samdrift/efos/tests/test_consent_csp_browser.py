"""The EFOS consent page under the strict CSP in headless Chromium: approving posts to samdrift,
which redirects to the client's registered redirect URI on another origin. Chromium checks
`form-action` on that redirect too, so the page must allow exactly that URI (ADR 0037)."""

from __future__ import annotations

import base64
import http.server
import threading
from collections.abc import Iterator
from urllib.parse import parse_qs, urlencode, urlparse

import pytest
from joserfc import jwt
from joserfc.jwk import ECKey

from samdrift.core.actor import SYSTEM
from samdrift.efos import services

from .conftest import cert_header, issue_token, pkce_pair

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

COLLECT = """
window.__csp = [];
document.addEventListener('securitypolicyviolation', e =>
  window.__csp.push(e.violatedDirective + ' ' + e.blockedURI));
"""


class _Callback(http.server.BaseHTTPRequestHandler):
    def do_GET(self) -> None:
        body = b"<!doctype html><title>client</title><p>back at the client"
        self.send_response(200)
        self.send_header("Content-Type", "text/html")
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)

    def log_message(self, *args: object) -> None:
        pass


@pytest.fixture
def client_site() -> Iterator[str]:
    """The relying party's callback: a real HTTP server on another port (another origin)."""
    server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), _Callback)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield f"http://127.0.0.1:{server.server_address[1]}/callback"
    server.shutdown()
    server.server_close()


def test_consent_approval_reaches_the_client_without_csp_violation(
    browser, live_server, ca, agency, client_site, settings
):  # type: ignore[no-untyped-def]
    settings.EFOS_BASE_URL = live_server.url  # the issuer the request object is addressed to
    key = ECKey.generate_key("P-256", auto_kid=True)
    services.register_client(
        actor=SYSTEM,
        client_id="safos",
        name="SAFOS",
        redirect_uris=[client_site],
        jwks={"keys": [key.as_dict(private=False)]},
    )
    _official, _credential, result = issue_token(agency, "Karin", "Berg")
    message = "Jag godkänner anslutningsavtalet."
    _verifier, challenge = pkce_pair()
    request_object = jwt.encode(
        {"alg": "ES256", "kid": key.kid},
        {
            "iss": "safos",
            "aud": f"{live_server.url}/efos",
            "client_id": "safos",
            "redirect_uri": client_site,
            "response_type": "code",
            "scope": "openid https://id.oidc.se/scope/signApproval",
            "state": "st4te",
            "nonce": "n0nce",
            "code_challenge": challenge,
            "code_challenge_method": "S256",
            "prompt": "login consent",
            "https://id.oidc.se/param/signRequest": {
                "sign_message": {"message#sv": base64.b64encode(message.encode()).decode()}
            },
        },
        key,
    )
    # What the TLS proxy would add to every request of this browser (the test client's WSGI
    # names turned back into header names).
    headers = {
        name[5:].replace("_", "-").title(): value
        for name, value in cert_header(result.certificates["authentication"]).items()
        if name.startswith("HTTP_")
    }
    context = browser.new_context(extra_http_headers=headers)
    page = context.new_page()
    console: list[str] = []
    page.on(
        "console",
        lambda m: console.append(m.text) if "Content Security Policy" in m.text else None,
    )
    page.add_init_script(COLLECT)
    query = urlencode({"client_id": "safos", "request": request_object})
    page.goto(f"{live_server.url}/efos/authorize?{query}")
    assert message in page.inner_text("main")
    page.click("button[name=decision][value=approve]")
    page.wait_for_url(f"{client_site}?**", timeout=15_000)  # blocked by CSP: never arrives
    returned = parse_qs(urlparse(page.url).query)
    assert returned["state"] == ["st4te"] and returned["code"][0]
    assert console == []
    context.close()
