"""Every page passes axe-core (WCAG 2.1 A and AA) in headless Chromium, in Swedish and English.

The pages come from each app's `a11y.pages()`, so a new page joins the test by being listed there.
Runs against a live server with the 2021 demo data, logged in as the demo provider administrator
who then steps up to loa3 at a real development e-ID provider, as `make run` lets one do: EFOS and
SAFOS require loa3, and without it axe would check the step-up page in their place.
"""

from __future__ import annotations

import importlib
import json
import shutil
import subprocess
import sys
from collections.abc import Iterator
from io import StringIO
from pathlib import Path
from types import SimpleNamespace

import axe_playwright_python
import pytest
from django.conf import settings
from playwright.sync_api import sync_playwright

from samdrift.demo.foundation import DEMO_PASSWORD, load_foundation
from samdrift.demo.management.commands.demo import DEMO_HOOKS, Command
from samdrift.identity import loa, oidc
from samdrift.identity.demo import DEV_CLIENT_ID, DEV_IDP_SLUG, demo_officials
from samdrift.identity.models import IdentityProvider
from samdrift.tests.asgi_server import asgi_server
from samdrift.tests.browser import page_problems, watch_for_errors

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

AXE_SCRIPT = (Path(axe_playwright_python.__file__).parent / "axe.min.js").read_text()
WCAG_TAGS = ["wcag2a", "wcag2aa", "wcag21a", "wcag21aa"]
APPS_WITH_PAGES = ("ui", *DEMO_HOOKS)


def _all_pages() -> list[str]:
    urls: list[str] = []
    for app in APPS_WITH_PAGES:
        try:
            module = importlib.import_module(f"samdrift.{app}.a11y")
        except ModuleNotFoundError as error:
            if error.name != f"samdrift.{app}.a11y":
                raise
            continue
        urls.extend(module.pages())
    return urls


@pytest.fixture
def demo_site(settings) -> Iterator[SimpleNamespace]:
    """The ASGI application (pages and the /ws/live/ socket their live parts open) over the
    demo data."""
    load_foundation()
    command = Command(stdout=StringIO())
    for app in DEMO_HOOKS:
        command._run_hook(app)
    settings.CHANNEL_LAYERS = {"default": {"BACKEND": "channels.layers.InMemoryChannelLayer"}}
    with asgi_server() as url:
        yield SimpleNamespace(url=url)


@pytest.fixture
def demo_idp(demo_site, tmp_path) -> Iterator[tuple[str, str]]:
    """The development e-ID provider with the demo officials, as `make run` starts it, on a free
    port; the demo's provider record points at it. Yields its issuer and the admin's choice."""
    officials = demo_officials()
    admin = next(row for row in officials if row["uid"] == "admin")
    (tmp_path / "officials.json").write_text(json.dumps(officials), encoding="utf-8")
    (tmp_path / "rp-jwks.json").write_text(json.dumps(oidc.rp_jwks()), encoding="utf-8")
    process = subprocess.Popen(
        [
            *(sys.executable, "-m", "samdrift.identity.devidp", "--port", "0"),
            *("--client-id", DEV_CLIENT_ID),
            *("--redirect-uri", f"{demo_site.url}/identity/callback/"),
            *("--client-jwks", str(tmp_path / "rp-jwks.json")),
            *("--officials", str(tmp_path / "officials.json")),
        ],
        stdout=subprocess.PIPE,
        text=True,
    )
    try:
        line = (process.stdout.readline() if process.stdout else "").strip()
        assert line.startswith("dev-idp listening on "), line
        issuer = line.rsplit(" ", 1)[1]
        IdentityProvider.objects.filter(slug=DEV_IDP_SLUG).update(issuer=issuer)
        yield issuer, f"admin@{admin['org_number']}"
    finally:
        process.terminate()
        process.wait(timeout=10)


def _step_up_to_loa3(page, site: str, idp: tuple[str, str]) -> None:
    """The demo admin chooses themself at the development provider, at loa3."""
    issuer, official = idp
    page.goto(f"{site}/identity/step-up/?level=3&next=/")
    page.click(".login-choices button[type=submit]")
    page.wait_for_url(f"{issuer}/**")
    page.check(f"input[name=official][value='{official}']")
    page.check(f"input[name=acr][value='{loa.LOA3}']")
    page.click("button[type=submit]")
    page.wait_for_url(f"{site}/")


def _violations(page, url: str) -> list[str]:
    page.evaluate(AXE_SCRIPT)  # not add_script_tag: the CSP refuses inline scripts (ADR 0037)
    result = page.evaluate(
        "tags => axe.run(document, {runOnly: {type: 'tag', values: tags}})", WCAG_TAGS
    )
    return [
        f"{url}: {v['id']} ({v['impact']}): {v['help']} — {[n['target'] for n in v['nodes']][:3]}"
        for v in result["violations"]
    ]


@pytest.mark.parametrize("language", ["sv", "en"])
def test_every_page_passes_axe(demo_site, demo_idp, language):
    """…and runs under the Content-Security-Policy (enforced: no `bypass_csp`) without a
    violation, a console error, an uncaught exception or a failed load (ADR 0037)."""
    chromium = shutil.which("chromium")
    assert chromium, "Debian's chromium is required (scripts/ensure-browser.sh installs it)"
    urls = _all_pages()
    assert len(urls) >= 12
    problems: list[str] = []
    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(
            executable_path=chromium,
            args=[
                "--no-sandbox",
                "--disable-gpu",
                "--disable-background-networking",
                "--disable-component-update",
            ],
        )
        context = browser.new_context()
        context.add_cookies(
            [{"name": settings.LANGUAGE_COOKIE_NAME, "value": language, "url": demo_site.url}]
        )
        page = context.new_page()
        errors = watch_for_errors(context, page)

        def check(url: str) -> None:
            errors.clear()  # what the login and step-up pages said is not this page's
            response = page.goto(f"{demo_site.url}{url}")
            assert response is not None
            if response.status >= 400:
                problems.append(f"{url}: HTTP {response.status}")
            elif not page.url.startswith(f"{demo_site.url}{url.split('?')[0]}"):
                problems.append(f"{url}: sent on to {page.url}, so axe would not see it")
            else:
                assert page.locator("html").get_attribute("lang") == language, url
                problems.extend(_violations(page, url))
                # read after axe: a page's late requests (live updates, charts) have had time
                problems.extend(page_problems(page, url, errors))

        # The pages that send a login on once it has what they offer are checked before that:
        # the login page logged out, the step-up page at the password login's level.
        before_login = [url for url in urls if url.startswith("/accounts/login/")]
        before_step_up = [url for url in urls if url.startswith("/identity/step-up/")]
        for url in before_login:
            check(url)
        page.goto(f"{demo_site.url}/accounts/login/")
        page.fill("#id_username", "admin")
        page.fill("#id_password", DEMO_PASSWORD)
        page.click("#local-login button[type=submit]")
        page.wait_for_url(f"{demo_site.url}/")
        for url in before_step_up:
            check(url)
        _step_up_to_loa3(page, demo_site.url, demo_idp)
        for url in urls:
            if url not in before_login and url not in before_step_up:
                check(url)
        browser.close()
    assert problems == [], "\n".join(problems)
