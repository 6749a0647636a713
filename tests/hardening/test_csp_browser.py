"""The Content-Security-Policy's violation listener can fail (ADR 0037).

Every listed page is opened under the enforced policy, with this listener and a watch on console
errors, by the axe crawl in both languages (`samdrift/ui/tests/test_accessibility.py`), which
logs in at the level EFOS and SAFOS ask for; this test shows that the listener it relies on does
report a violation: an inline style put into a real page is blocked and reported.
"""

from __future__ import annotations

from collections.abc import Iterator

import pytest

from samdrift.tests.asgi_server import asgi_server
from samdrift.tests.browser import chromium, page_problems, watch_for_errors

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


@pytest.fixture
def site() -> Iterator[str]:
    with asgi_server() as url:
        yield url


def test_the_listener_does_report_a_violation(site, monkeypatch) -> None:
    monkeypatch.setenv("DJANGO_ALLOW_ASYNC_UNSAFE", "true")
    with chromium() as browser:
        context = browser.new_context()
        page = context.new_page()
        errors = watch_for_errors(context, page)
        response = page.goto(f"{site}/accounts/login/")
        assert response is not None and response.status == 200
        assert "Content-Security-Policy" in {k.title() for k in response.headers}
        assert page_problems(page, "/accounts/login/", errors) == []  # the page itself: clean
        page.evaluate(
            "document.body.insertAdjacentHTML('beforeend', '<div style=\"color: red\">x</div>')"
        )
        page.wait_for_function("window.__cspViolations.length > 0")
        problems = page_problems(page, "/accounts/login/", errors)
        assert any("CSP style-src" in line for line in problems), problems
