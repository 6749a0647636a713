"""Every page passes axe-core (WCAG 2.1 A and AA) in headless Chromium, in Swedish and English.

The pages come from each app's `a11y.pages()`, so a new page joins the test by being listed there.
Runs against a live server with the 2021 demo data, logged in as the demo provider administrator.
"""

from __future__ import annotations

import importlib
import shutil
from io import StringIO
from pathlib import Path

import axe_playwright_python
import pytest
from django.conf import settings
from playwright.sync_api import sync_playwright

from samdrift.demo.foundation import DEMO_PASSWORD, load_foundation
from samdrift.demo.management.commands.demo import DEMO_HOOKS, Command

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
def demo_site(live_server):
    load_foundation()
    command = Command(stdout=StringIO())
    for app in DEMO_HOOKS:
        command._run_hook(app)
    return live_server


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
def test_every_page_passes_axe(demo_site, language):
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
        page.goto(f"{demo_site.url}/accounts/login/")
        assert page.locator("html").get_attribute("lang") == language
        page.fill("#id_username", "admin")
        page.fill("#id_password", DEMO_PASSWORD)
        page.click("#local-login button[type=submit]")
        page.wait_for_url(f"{demo_site.url}/")
        for url in urls:
            response = page.goto(f"{demo_site.url}{url}")
            assert response is not None
            if response.status >= 400:
                problems.append(f"{url}: HTTP {response.status}")
                continue
            assert page.locator("html").get_attribute("lang") == language, url
            problems.extend(_violations(page, url))
        browser.close()
    assert problems == [], "\n".join(problems)
