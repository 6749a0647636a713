"""Every listed page runs under the Content-Security-Policy in Chromium without a violation or a
console error, and still passes axe (ADR 0037).

The CSP is enforced here (no `bypass_csp`): a violation listener is installed before any page
script, and axe is evaluated through the DevTools protocol, which the policy does not govern.
The pages are each app's `a11y.pages()` over the demo data, logged in as the demo administrator.
"""

from __future__ import annotations

import importlib
from io import StringIO

import pytest
from playwright.sync_api import ConsoleMessage, Page, Response

from samdrift.demo.foundation import DEMO_PASSWORD, load_foundation
from samdrift.demo.management.commands.demo import DEMO_HOOKS, Command
from samdrift.tests.asgi_server import asgi_server
from samdrift.tests.browser import axe_violations, chromium

pytestmark = [pytest.mark.browser, pytest.mark.slow, pytest.mark.django_db(transaction=True)]

LISTEN = """
window.__cspViolations = [];
document.addEventListener('securitypolicyviolation', e => window.__cspViolations.push(
  `${e.effectiveDirective} blocked ${e.blockedURI || 'inline'} at ${e.sourceFile}:${e.lineNumber}`
));
"""


def _pages() -> list[str]:
    urls: list[str] = []
    for app in ("ui", *DEMO_HOOKS):
        try:
            module = importlib.import_module(f"samdrift.{app}.a11y")
        except ModuleNotFoundError as error:
            if error.name != f"samdrift.{app}.a11y":
                raise
            continue
        urls.extend(module.pages())
    return urls


@pytest.fixture
def demo_site(settings):  # type: ignore[no-untyped-def]
    """The ASGI application (pages and the /ws/live/ socket) over the demo data."""
    load_foundation()
    command = Command(stdout=StringIO())
    for app in DEMO_HOOKS:
        command._run_hook(app)
    settings.CHANNEL_LAYERS = {"default": {"BACKEND": "channels.layers.InMemoryChannelLayer"}}
    with asgi_server() as url:
        yield url


@pytest.fixture
def page_urls(demo_site) -> list[str]:  # type: ignore[no-untyped-def]
    """Read before the browser starts: Playwright's event loop then owns the test's thread."""
    return _pages()


@pytest.fixture
def chromium_page(demo_site, page_urls):  # type: ignore[no-untyped-def]
    with chromium() as browser:
        context = browser.new_context()
        context.add_init_script(LISTEN)
        page = context.new_page()
        _collect_errors(page)
        page.goto(f"{demo_site}/accounts/login/")
        page.fill("#id_username", "admin")
        page.fill("#id_password", DEMO_PASSWORD)
        page.click("#local-login button[type=submit]")
        page.wait_for_url(f"{demo_site}/")
        yield page


def _collect_errors(page: Page) -> None:
    """Console errors, uncaught exceptions and failed loads into `page.console_errors`.

    A failed load is recorded by its URL (the console's line names none), so the browser's own
    favicon.ico probe, which no page asks for, can be told apart."""
    errors: list[str] = []
    page.console_errors = errors  # type: ignore[attr-defined]

    def console(message: ConsoleMessage) -> None:
        if message.type == "error" and not message.text.startswith("Failed to load resource"):
            errors.append(message.text)

    def response(answer: Response) -> None:
        if answer.status >= 400 and not answer.url.endswith("/favicon.ico"):
            errors.append(f"HTTP {answer.status} {answer.url}")

    page.on("console", console)
    page.on("pageerror", lambda error: errors.append(str(error)))
    page.on("response", response)


def _problems(page: Page, url: str) -> list[str]:
    page.wait_for_load_state("networkidle")
    found = [f"{url}: CSP {v}" for v in page.evaluate("window.__cspViolations")]
    found += [f"{url}: console {text}" for text in page.console_errors]  # type: ignore[attr-defined]
    page.console_errors.clear()  # type: ignore[attr-defined]
    return found + axe_violations(page, url)


def test_main_pages_run_under_the_policy_without_violations(
    demo_site, page_urls, chromium_page
) -> None:
    page, urls = chromium_page, page_urls
    assert len(urls) >= 12
    problems: list[str] = []
    for url in urls:
        response = page.goto(f"{demo_site}{url}")
        assert response is not None
        assert "Content-Security-Policy" in {k.title() for k in response.headers}, url
        if response.status >= 400:
            problems.append(f"{url}: HTTP {response.status}")
            continue
        problems.extend(_problems(page, url))
    assert problems == [], "\n".join(problems)


def test_the_listener_does_report_a_violation(demo_site, chromium_page) -> None:
    """The check can fail: an inline style put into a real page is blocked and reported."""
    page = chromium_page
    page.goto(f"{demo_site}/")
    page.evaluate(
        "document.body.insertAdjacentHTML('beforeend', '<div style=\"color: red\">x</div>')"
    )
    page.wait_for_function("window.__cspViolations.length > 0")
    assert any("style-src" in v for v in page.evaluate("window.__cspViolations"))
