"""The invitation page (ADR 0111) in Chromium: axe-core (WCAG 2.1 A and AA) in Swedish and
English, and accepting by keyboard alone. The page needs a live token, which the demo data
does not hold, so the page-list test (`ui/a11y.py`) cannot reach it."""

from __future__ import annotations

import pytest
from django.conf import settings
from django.test import Client

from samdrift.accounts.selectors import actor_for_user
from samdrift.organisations import services
from samdrift.organisations.models import Membership
from samdrift.tests.browser import axe_violations, chromium, page_as, tab_to
from samdrift.tests.factories import UserFactory

from .invitations import token_sent_to

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


@pytest.mark.parametrize("language", ["sv", "en"])
def test_the_invitation_page_passes_axe_and_accepts_by_keyboard(
    agency, agency_contact, live_server, language
):  # type: ignore[no-untyped-def]
    invitee = UserFactory(username="inbjuden", email="inbjuden@myndighet.se")
    services.invitation_send(
        actor=actor_for_user(agency_contact),
        organisation_id=agency.id,
        email="inbjuden@myndighet.se",
        role="orderer",
    )
    token = token_sent_to("inbjuden@myndighet.se")
    session = Client()
    session.force_login(invitee)
    cookie = session.cookies[settings.SESSION_COOKIE_NAME].value
    with chromium() as browser:
        page = page_as(browser, live_server.url, cookie, language)
        response = page.goto(f"{live_server.url}/agencies/invitations/{token}/")
        assert response is not None and response.status == 200
        assert page.locator("html").get_attribute("lang") == language
        problems = axe_violations(page, f"invitation ({language})")
        button = page.locator("main form[method=post] button[type=submit]")
        assert button.count() == 1
        tab_to(page, button)  # keyboard only: Tab to the button, then Enter
        with page.expect_navigation():
            page.keyboard.press("Enter")
        assert page.url.endswith(f"/agencies/{agency.id}/")
        problems += axe_violations(page, f"after accepting ({language})")
    assert problems == [], "\n".join(problems)
    assert Membership.objects.filter(user=invitee, organisation=agency, role="orderer").exists()
