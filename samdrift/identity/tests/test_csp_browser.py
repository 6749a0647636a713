"""e-ID login under the strict CSP in headless Chromium: the login page's button posts to
samdrift, which redirects to the dev IdP on another port. Chromium checks `form-action` on that
redirect, so the page must allow the provider's origin (ADR 0037); step-up uses the same buttons."""

from __future__ import annotations

import json
import subprocess
import sys
from collections.abc import Iterator

import pytest
from playwright.sync_api import Browser, Page

from samdrift.identity import loa
from samdrift.identity.models import IdentityProvider

from .conftest import CLIENT_ID, OFFICIALS, official_key

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

COLLECT = """
window.__csp = [];
document.addEventListener('securitypolicyviolation', e =>
  window.__csp.push(e.violatedDirective + ' ' + e.blockedURI));
"""


@pytest.fixture
def live_idp(live_server, rp_key_file, known_agency) -> Iterator[IdentityProvider]:  # type: ignore[no-untyped-def]
    """A dev IdP of its own whose registered redirect URI is this live server's callback."""
    officials = rp_key_file.parent / "officials.json"
    officials.write_text(json.dumps(OFFICIALS), encoding="utf-8")
    process = subprocess.Popen(
        [
            *(sys.executable, "-m", "samdrift.identity.devidp", "--port", "0"),
            *("--client-id", CLIENT_ID, "--redirect-uri", f"{live_server.url}/identity/callback/"),
            *("--client-jwks", str(rp_key_file.parent / "rp-jwks.json")),
            *("--officials", str(officials)),
        ],
        stdout=subprocess.PIPE,
        text=True,
    )
    line = (process.stdout.readline() if process.stdout else "").strip()
    assert line.startswith("dev-idp listening on "), line
    issuer = line.rsplit(" ", 1)[1]
    yield IdentityProvider.objects.create(
        slug="dev", name="Dev IdP", issuer=issuer, client_id=CLIENT_ID, is_development=True
    )
    process.terminate()
    process.wait(timeout=10)


def _watched_page(browser: Browser) -> tuple[Page, list[str]]:
    page = browser.new_context().new_page()
    console: list[str] = []
    page.on(
        "console",
        lambda m: console.append(m.text) if "Content Security Policy" in m.text else None,
    )
    page.add_init_script(COLLECT)
    return page, console


def _log_in_at_idp(page: Page, idp: IdentityProvider, acr: str) -> None:
    page.wait_for_url(f"{idp.issuer}/**")
    page.check(f"input[name=official][value='{official_key('anna')}']")
    page.check(f"input[name=acr][value='{acr}']")
    page.click("button[type=submit]")


def test_login_button_reaches_the_provider_and_back_without_csp_violation(
    browser, live_server, live_idp
):  # type: ignore[no-untyped-def]
    page, console = _watched_page(browser)
    page.goto(f"{live_server.url}/identity/login/?level=3&next=/identity/session/")
    # the violation is reported on the login page, so read it before the page is left
    page.click(".login-choices button[type=submit]")
    _log_in_at_idp(page, live_idp, loa.LOA3)
    page.wait_for_url(f"{live_server.url}/identity/session/")
    assert loa.LOA3 in page.inner_text("main")
    assert page.evaluate("window.__csp") == []
    assert console == []


def test_step_up_reaches_the_provider_without_csp_violation(browser, live_server, live_idp):  # type: ignore[no-untyped-def]
    page, console = _watched_page(browser)
    page.goto(f"{live_server.url}/identity/login/?level=2&next=/identity/session/")
    page.click(".login-choices button[type=submit]")
    _log_in_at_idp(page, live_idp, loa.LOA2)
    page.wait_for_url(f"{live_server.url}/identity/session/")
    page.goto(f"{live_server.url}/identity/step-up/?level=3&next=/identity/session/")
    page.click(".login-choices button[type=submit]")
    _log_in_at_idp(page, live_idp, loa.LOA3)
    page.wait_for_url(f"{live_server.url}/identity/session/")
    assert loa.LOA3 in page.inner_text("main")
    assert console == []
