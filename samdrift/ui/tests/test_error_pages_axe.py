"""The error pages (and the profile page) pass axe-core (WCAG 2.1 A and AA) in Swedish and English (ADR 0700).

They answer 4xx/5xx, which the page-list test (`test_accessibility.py`) reports as a failure, so
they are checked here: the GET ones by visiting them on a live server (production settings, so
our handlers answer), the ones only a POST produces (405, CSRF failure) by loading the page the
server answered into the browser at the site's origin, so its stylesheet applies.
"""

from __future__ import annotations

import pytest
from django.conf import settings
from django.test import Client

from samdrift.tests.browser import axe_violations, chromium

pytestmark = [
    pytest.mark.browser,
    pytest.mark.django_db(transaction=True),
    pytest.mark.urls("samdrift.ui.tests.error_urls"),
]

GET_PAGES = {
    "/no-such-page/": 404,
    "/connections/abc/": 404,
    "/billing/": 403,  # a customer member may not open billing
    "/suspicious/": 400,
    "/fails/": 500,
    "/profile/": 200,  # also in ui/a11y.py; checked here too, with a customer's roles
}


def _posted_pages(user, language: str) -> dict[str, str]:
    """405 and the CSRF failure after logout, as the server renders them."""
    pages = {}
    client = Client(raise_request_exception=False)
    client.cookies[settings.LANGUAGE_COOKIE_NAME] = language
    client.force_login(user)
    response = client.post("/healthz")
    assert response.status_code == 405
    pages["POST /healthz (405)"] = response.content.decode()
    strict = Client(enforce_csrf_checks=True, raise_request_exception=False)
    strict.cookies[settings.LANGUAGE_COOKIE_NAME] = language
    response = strict.post("/connections/requests/new/", {"service": "1"})
    assert response.status_code == 403
    pages["POST after logout (CSRF)"] = response.content.decode()
    return pages


@pytest.mark.parametrize("language", ["sv", "en"])
def test_error_pages_pass_axe(live_server, agency_member, language):
    session = Client()
    session.force_login(agency_member)
    posted = _posted_pages(agency_member, language)  # before Playwright's event loop runs
    problems: list[str] = []
    with chromium() as browser:
        context = browser.new_context()
        context.add_cookies(
            [
                {"name": settings.LANGUAGE_COOKIE_NAME, "value": language, "url": live_server.url},
                {
                    "name": settings.SESSION_COOKIE_NAME,
                    "value": session.cookies[settings.SESSION_COOKIE_NAME].value,
                    "url": live_server.url,
                },
            ]
        )
        page = context.new_page()
        for url, status in GET_PAGES.items():
            response = page.goto(f"{live_server.url}{url}")
            assert response is not None and response.status == status, url
            assert page.locator("html").get_attribute("lang") == language, url
            problems.extend(axe_violations(page, url))
        for name, html in posted.items():
            page.goto(f"{live_server.url}/healthz")
            page.set_content(html)
            assert page.locator("html").get_attribute("lang") == language, name
            problems.extend(axe_violations(page, name))
    assert problems == [], "\n".join(problems)
