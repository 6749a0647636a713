"""The profile page: agency and roles, this login's level of assurance, language and
notification settings (issue 21 item 4)."""

from __future__ import annotations

import pytest
from django.conf import settings
from django.test import Client

from samdrift.core.tenancy import LOGIN_SESSION_KEY
from samdrift.tests.factories import MembershipFactory, OrganisationFactory

pytestmark = pytest.mark.django_db


def test_profile_shows_own_roles_not_sub_agencies_and_the_level(agency_contact, agency):
    child = OrganisationFactory(name="Underordnad myndighet", parent=agency)
    MembershipFactory(user=agency_contact, organisation=agency, role="orderer")
    client = Client()
    client.cookies[settings.LANGUAGE_COOKIE_NAME] = "en"
    client.force_login(agency_contact)
    session = client.session
    session[LOGIN_SESSION_KEY] = {"user_id": agency_contact.pk, "rank": 3}
    session.save()
    html = client.get("/profile/").content.decode()
    assert f"<dt>{agency.name}</dt><dd>Contact, Orderer</dd>" in html
    assert child.name not in html  # a parent's contact acts there, but holds no role of its own
    assert "level of assurance 3" in html
    assert 'href="/inbox/preferences/"' in html
    assert 'href="/profile/"' in html  # the header's name leads here


def test_profile_after_a_password_login_says_there_is_no_e_id_level(agency_member):
    client = Client()
    client.force_login(agency_member)
    html = client.get("/profile/").content.decode()
    assert "Inloggad med lösenord" in html


def test_profile_needs_a_login():
    response = Client().get("/profile/")
    assert response.status_code == 302 and "/accounts/login/" in response["Location"]
