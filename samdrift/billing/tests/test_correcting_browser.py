# ruff: noqa: F811 - the fixtures imported from test_api are parameters here
"""The correction section of an invoice with unreadable text (ADR 0217) in Chromium: axe-core
(WCAG 2.1 A and AA) in Swedish and English, and the correction made by keyboard alone.

The demo data holds no such invoice, so the page-list test (`ui/a11y.py`) never shows the
section; it is checked here on an invoice made unreadable the way legacy rows were."""

from __future__ import annotations

import pytest
from django.conf import settings

from samdrift.billing.models import Invoice
from samdrift.tests.browser import axe_violations, chromium, page_as, tab_to

from .test_api import MembershipFactory, UserFactory, clients, world  # noqa: F401 - the fixtures
from .test_correcting import _legacy_invoice

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


@pytest.mark.parametrize("language", ["sv", "en"])
def test_the_correction_section_passes_axe_and_corrects_by_keyboard(
    world, clients, live_server, language
):  # type: ignore[no-untyped-def]
    original = _legacy_invoice(world)  # before Playwright's event loop owns the thread
    session = clients["finance"].cookies[settings.SESSION_COOKIE_NAME].value
    with chromium() as browser:
        page = page_as(browser, live_server.url, session, language)
        response = page.goto(f"{live_server.url}/billing/invoices/{original.pk}/")
        assert response is not None and response.status == 200
        assert page.locator("html").get_attribute("lang") == language
        button = page.locator("form[action$='/correct/'] button[type=submit]")
        assert button.count() == 1
        problems = axe_violations(page, f"invoice {original.number} ({language})")
        tab_to(page, button)  # keyboard only: Tab to the button, then Enter
        with page.expect_navigation():
            page.keyboard.press("Enter")
        problems += axe_violations(page, f"after correcting ({language})")
    assert problems == [], "\n".join(problems)
    corrected = Invoice.objects.filter(credited_invoice_id=original.pk)
    assert corrected.count() == 1  # the credit note; the replacement names the original
    assert (
        Invoice.objects.filter(reason__contains=original.number)
        .exclude(credited_invoice_id=original.pk)
        .exists()
    )
