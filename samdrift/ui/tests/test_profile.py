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
    assert 'name="in_app"' in html and 'name="language"' in html  # the settings form
    assert 'href="/profile/"' in html  # the header's name leads here


def test_profile_after_a_password_login_says_there_is_no_e_id_level(agency_member):
    client = Client()
    client.force_login(agency_member)
    html = client.get("/profile/").content.decode()
    assert "Inloggad med lösenord" in html


def test_profile_needs_a_login():
    response = Client().get("/profile/")
    assert response.status_code == 302 and "/accounts/login/" in response["Location"]


# --- settings: language and notifications, saved with a confirmation and audited (ADR 0706) ---


def _settings_client(user, language="sv"):
    client = Client()
    client.cookies[settings.LANGUAGE_COOKIE_NAME] = language
    client.force_login(user)
    return client


def test_profile_saves_language_and_notifications_confirms_and_audits(agency_contact):
    from samdrift.audit.models import AuditEvent
    from samdrift.core.notifications.kinds import KINDS
    from samdrift.core.notifications.models import Preference

    kinds = sorted(KINDS)
    assert len(kinds) >= 2
    client = _settings_client(agency_contact, "sv")
    page = client.get("/profile/").content.decode()
    assert 'name="language" value="sv" id="language-sv" checked' in page
    assert f'name="email" value="{kinds[0]}"' in page  # the notifications' own table
    response = client.post(
        "/profile/", {"language": "en", "email": [kinds[0]], "in_app": kinds}, follow=True
    )
    html = response.content.decode()
    assert response.redirect_chain == [("/profile/", 302)]
    assert "Your settings are saved: the site and your messages are in English." in html
    assert '<html lang="en">' in html  # the new language shows at once (the cookie is set)
    agency_contact.refresh_from_db()
    assert agency_contact.preferred_language == "en"
    stored = Preference.objects.get(user=agency_contact)
    assert stored.language == "en" and stored.email_off == kinds[1:] and stored.in_app_off == []
    event = AuditEvent.objects.get(action="accounts.profile_saved")
    assert event.object_id == str(agency_contact.pk) and event.actor_id == agency_contact.pk
    assert event.before["language"] == "sv" and event.after["language"] == "en"
    assert event.after["email"] == [kinds[0]] and event.before["email"] == kinds
    # Saving the same again changes nothing and records nothing.
    client.post("/profile/", {"language": "en", "email": [kinds[0]], "in_app": kinds})
    assert AuditEvent.objects.filter(action="accounts.profile_saved").count() == 1


@pytest.mark.parametrize(
    ("data", "language", "text"),
    [
        ({"language": "xx"}, "sv", "Välj ett språk och meddelanden ur listan."),
        ({"language": "en", "email": ["no.such.kind"]}, "en", "Choose a language and kinds"),
    ],
)
def test_profile_refuses_bad_settings_and_changes_nothing(agency_contact, data, language, text):
    from samdrift.audit.models import AuditEvent
    from samdrift.core.notifications.models import Preference

    client = _settings_client(agency_contact, language)
    response = client.post("/profile/", data)
    html = response.content.decode()
    assert response.status_code == 422
    assert text in html and 'role="alert"' in html
    agency_contact.refresh_from_db()
    assert agency_contact.preferred_language == "sv"
    assert not Preference.objects.filter(user=agency_contact).exists()
    assert not AuditEvent.objects.filter(action="accounts.profile_saved").exists()
