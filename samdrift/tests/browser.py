"""Debian's Chromium for the browser tests, and axe-core's WCAG 2.1 A and AA check.

One place for what every browser test needs, so a change of launch flags or of the axe rules
reaches all of them. No browser is downloaded: Playwright drives `/usr/bin/chromium`
(`scripts/ensure-browser.sh` installs it).
"""

from __future__ import annotations

import shutil
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import axe_playwright_python
import pytest
from django.conf import settings
from playwright.sync_api import (
    Browser,
    BrowserContext,
    ConsoleMessage,
    Locator,
    Page,
    Response,
    sync_playwright,
)

AXE_SCRIPT = (Path(axe_playwright_python.__file__).parent / "axe.min.js").read_text()
WCAG_TAGS = ["wcag2a", "wcag2aa", "wcag21a", "wcag21aa"]
CHROMIUM_ARGS = ["--no-sandbox", "--disable-gpu", "--disable-background-networking"]


@contextmanager
def chromium(extra_args: tuple[str, ...] = ()) -> Iterator[Browser]:
    path = shutil.which("chromium")
    assert path, "Debian's chromium is required (scripts/ensure-browser.sh installs it)"
    with sync_playwright() as playwright:
        launched = playwright.chromium.launch(
            executable_path=path, args=[*CHROMIUM_ARGS, *extra_args]
        )
        try:
            yield launched
        finally:
            launched.close()


@pytest.fixture
def browser(monkeypatch: pytest.MonkeyPatch) -> Iterator[Browser]:
    # Playwright's sync API keeps an event loop on the test's thread; the test's own database
    # reads after it starts are still synchronous and safe.
    monkeypatch.setenv("DJANGO_ALLOW_ASYNC_UNSAFE", "true")
    with chromium() as launched:
        yield launched


def axe_violations(page: Page, where: str = "", *, within: str = "") -> list[str]:
    """axe-core's WCAG 2.1 A/AA violations on the page as it is now, one readable line each;
    `within` limits the check to the elements a CSS selector finds.

    `evaluate`, not `add_script_tag`: the site's CSP refuses inline scripts (ADR 0037), and
    evaluated code is not subject to it.
    """
    page.evaluate(AXE_SCRIPT)
    result = page.evaluate(
        "([tags, within]) => axe.run(within || document, {runOnly: {type: 'tag', values: tags}})",
        [WCAG_TAGS, within],
    )
    label = where or page.url
    return [
        f"{label}: {v['id']} ({v['impact']}): {v['help']} — {[n['target'] for n in v['nodes']][:3]}"
        for v in result["violations"]
    ]


def page_as(browser: Browser, site: str, session: str, language: str) -> Page:
    """A new page of a logged-in session (its session cookie's value) in the given language."""
    context = browser.new_context()
    context.add_cookies(
        [
            {"name": settings.LANGUAGE_COOKIE_NAME, "value": language, "url": site},
            {"name": settings.SESSION_COOKIE_NAME, "value": session, "url": site},
        ]
    )
    return context.new_page()


def tab_to(page: Page, target: Locator, *, presses: int = 80) -> None:
    """Press Tab until `target` has the focus, as a keyboard user would; fail if it never does."""
    for _ in range(presses):
        page.keyboard.press("Tab")
        if target.evaluate("element => element === document.activeElement"):
            return
    pytest.fail(f"{target} cannot be reached by Tab")


#: Installed before any page script: every Content-Security-Policy violation is kept (ADR 0037).
CSP_LISTENER = """
window.__cspViolations = [];
document.addEventListener('securitypolicyviolation', e => window.__cspViolations.push(
  `${e.effectiveDirective} blocked ${e.blockedURI || 'inline'} at ${e.sourceFile}:${e.lineNumber}`
));
"""


def watch_for_errors(context: BrowserContext, page: Page) -> list[str]:
    """Listen for CSP violations, console errors, uncaught exceptions and failed loads; the
    returned list fills as they happen (`page_problems` empties it per page).

    A failed load is recorded by its URL (the console's line names none), so the browser's own
    favicon.ico probe, which no page asks for, can be told apart."""
    context.add_init_script(CSP_LISTENER)
    errors: list[str] = []

    def console(message: ConsoleMessage) -> None:
        if message.type == "error" and not message.text.startswith("Failed to load resource"):
            errors.append(f"console {message.text}")

    def response(answer: Response) -> None:
        if answer.status >= 400 and not answer.url.endswith("/favicon.ico"):
            errors.append(f"HTTP {answer.status} {answer.url}")

    page.on("console", console)
    page.on("pageerror", lambda error: errors.append(f"console {error}"))
    page.on("response", response)
    return errors


def page_problems(page: Page, where: str, errors: list[str]) -> list[str]:
    """The CSP violations of the page now shown and the errors `watch_for_errors` heard since
    the last call, one line each."""
    found = [f"{where}: CSP {v}" for v in page.evaluate("window.__cspViolations || []")]
    found += [f"{where}: {text}" for text in errors]
    errors.clear()
    return found
