"""The availability and status pages in a real browser (issue 16 items 3 and 4): axe-core (WCAG
2.1 A and AA) finds nothing in Swedish and English, for a provider operator (per-agency chart,
outage list and form), an agency member (its own figures) and anonymous visitors (status)."""

from __future__ import annotations

import datetime as dt

import pytest
from django.conf import settings
from django.test import Client
from django.utils import timezone

from samdrift.operations.models import Outage
from samdrift.tests.browser import axe_violations, page_as

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def _cookie(ops, name: str) -> str:
    client = Client()
    client.force_login(ops.users[name])
    return client.cookies[settings.SESSION_COOKIE_NAME].value


@pytest.mark.parametrize("language", ["sv", "en"])
def test_availability_and_status_pages_pass_axe(live_server, browser, ops, language):
    now = timezone.now()
    Outage.objects.create(
        service=ops.app,
        provider=ops.fk,
        cause="manual",
        summary="Inloggningen nere",
        started_at=now - dt.timedelta(days=2),
        ended_at=now - dt.timedelta(days=2) + dt.timedelta(hours=3),
    )
    Outage.objects.create(
        service=ops.base, provider=ops.fk, cause="monitoring", level="degraded",
        summary="Långsam", started_at=now - dt.timedelta(minutes=30),
    )  # fmt: skip
    year = timezone.localdate().year
    pages = {
        "operator": [
            f"/operations/availability/?year={year}",
            "/operations/availability/services/APP/",
            "/operations/status/BASE/",
        ],
        "a_member": [
            "/operations/availability/",
            f"/operations/availability/agencies/{ops.a.id}/",
            "/operations/availability/services/APP/",
            "/operations/status/APP/",
        ],
    }
    problems: list[str] = []
    for name, urls in pages.items():
        page = page_as(browser, live_server.url, _cookie(ops, name), language)
        for url in urls:
            response = page.goto(f"{live_server.url}{url}")
            assert response is not None and response.status == 200, url
            assert page.locator("html").get_attribute("lang") == language
            problems.extend(axe_violations(page, f"{name} {url} ({language})"))
        page.context.close()
    anonymous = browser.new_context()
    anonymous.add_cookies(
        [{"name": settings.LANGUAGE_COOKIE_NAME, "value": language, "url": live_server.url}]
    )
    page = anonymous.new_page()
    for url in ("/operations/status/", "/operations/status/APP/"):
        response = page.goto(f"{live_server.url}{url}")
        assert response is not None and response.status == 200, url
        problems.extend(axe_violations(page, f"anonymous {url} ({language})"))
    anonymous.close()
    assert problems == []
