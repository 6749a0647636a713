"""Members come by invitation only (issue 19 item 5, ADR 0111): the administrator gives an e-mail
address and a role, the invited person accepts logged in with an account of that address, and no
answer tells the administrator whether such an account exists."""

from __future__ import annotations

import datetime
import re

import pytest
from django.utils import timezone

from samdrift.accounts.selectors import actor_for_user
from samdrift.audit.models import AuditEvent
from samdrift.core.exceptions import NotFound, PermissionDenied, ValidationFailed
from samdrift.core.i18n import in_both_languages
from samdrift.core.notifications.models import Notification
from samdrift.organisations import services
from samdrift.organisations.models import Invitation, Membership
from samdrift.organisations.selectors import invitation_token_hash
from samdrift.tests.factories import UserFactory
from tests.api.support import bearer_client, call

from .invitations import token_sent_to

pytestmark = pytest.mark.django_db


@pytest.fixture
def invitee():
    return UserFactory(username="inbjuden", email="Inbjuden@Myndighet.se")


def _send(admin, agency, email="inbjuden@myndighet.se", role="orderer"):
    return services.invitation_send(
        actor=actor_for_user(admin), organisation_id=agency.id, email=email, role=role
    )


def _state():
    return (
        list(Membership.objects.order_by("id").values()),
        list(Invitation.objects.order_by("id").values()),
        AuditEvent.objects.count(),
    )


def test_an_invitation_is_stored_hashed_mailed_and_audited(agency, agency_contact, invitee):
    invitation = _send(agency_contact, agency, email="  INBJUDEN@myndighet.se ")
    assert (invitation.email, invitation.role) == ("inbjuden@myndighet.se", "orderer")
    token = token_sent_to("inbjuden@myndighet.se")
    # only the hash is kept; the link in the e-mail is the one copy of the token
    assert invitation.token_hash == invitation_token_hash(token) != token
    assert token not in str(list(Invitation.objects.values()))
    assert invitation.expires_at - timezone.now() > datetime.timedelta(days=13)
    mail = Notification.objects.get(kind="membership_invitation", channel="email")
    assert mail.recipient_id is None and "Myndighet A" in mail.subject
    assert "Beställare" in mail.body and "Orderer" in mail.body
    # the account with that address also finds it in its inbox
    inbox = Notification.objects.get(kind="membership_invitation", channel="in_app")
    assert inbox.recipient_id == invitee.id
    event = AuditEvent.objects.latest("id")
    assert event.action == "organisations.invitation_sent"
    assert event.organisation_id == agency.id and event.actor_id == agency_contact.id
    assert event.after["email"] == "inbjuden@myndighet.se"
    assert token not in str(event.after)


def test_the_invited_person_accepts_and_becomes_a_member(agency, agency_contact, invitee):
    _send(agency_contact, agency)
    membership = services.invitation_accept(
        actor=actor_for_user(invitee), token=token_sent_to("inbjuden@myndighet.se")
    )
    assert (membership.user_id, membership.organisation_id, membership.role) == (
        invitee.id,
        agency.id,
        "orderer",
    )
    invitation = Invitation.objects.get()
    assert invitation.accepted_by_id == invitee.id and invitation.accepted_at is not None
    event = AuditEvent.objects.latest("id")
    assert event.action == "organisations.invitation_accepted"
    assert event.organisation_id == agency.id and event.actor_id == invitee.id
    assert event.after["invitation_id"] == invitation.id


def test_another_account_cannot_accept_and_nothing_changes(agency, agency_contact, invitee):
    _send(agency_contact, agency)
    token = token_sent_to("inbjuden@myndighet.se")
    someone = UserFactory(username="nagon_annan", email="annan@myndighet.se")
    no_address = UserFactory(username="utan_adress", email="")
    before = _state()
    for user in (someone, no_address, agency_contact):
        with pytest.raises(PermissionDenied) as refused:
            services.invitation_accept(actor=actor_for_user(user), token=token)
        both = in_both_languages(refused.value.message, refused.value.params)
        assert "annan e-postadress" in both["sv"] and "another e-mail address" in both["en"]
    assert _state() == before


def test_used_withdrawn_expired_and_unknown_tokens_are_the_same_not_found(
    agency, agency_contact, invitee
):
    _send(agency_contact, agency)
    used = token_sent_to("inbjuden@myndighet.se")
    services.invitation_accept(actor=actor_for_user(invitee), token=used)
    _send(agency_contact, agency, role="member")
    replaced = token_sent_to("inbjuden@myndighet.se")
    _send(agency_contact, agency, role="member")  # replaces the open one: its link stops working
    current = token_sent_to("inbjuden@myndighet.se")
    assert current != replaced
    _send(agency_contact, agency, email="sen@myndighet.se")
    expired = token_sent_to("sen@myndighet.se")
    Invitation.objects.filter(email="sen@myndighet.se").update(
        expires_at=timezone.now() - datetime.timedelta(seconds=1)
    )
    late = UserFactory(username="sen", email="sen@myndighet.se")
    before = _state()
    for user, token in ((invitee, used), (invitee, replaced), (late, expired), (invitee, "x" * 43)):
        with pytest.raises(NotFound):
            services.invitation_accept(actor=actor_for_user(user), token=token)
    assert _state() == before
    # the current one still works
    services.invitation_accept(actor=actor_for_user(invitee), token=current)
    assert set(Membership.objects.filter(user=invitee).values_list("role", flat=True)) == {
        "orderer",
        "member",
    }


@pytest.mark.parametrize("bad", ["", "inte en adress", "a@b", "a\x1b@b.se", "x" * 250 + "@b.se"])
def test_a_bad_address_is_refused_in_both_languages_and_nothing_is_stored(
    agency, agency_contact, bad
):
    before = _state()
    with pytest.raises(ValidationFailed) as refused:
        _send(agency_contact, agency, email=bad)
    assert set(refused.value.errors) == {"email"}
    both = in_both_languages(refused.value.message, refused.value.params)
    assert "giltig e-postadress" in both["sv"] and "valid e-mail address" in both["en"]
    assert _state() == before
    assert not Notification.objects.exists()


@pytest.mark.parametrize(
    "role_fixture", ["agency_member", "agency_orderer", "other_agency_contact"]
)
def test_only_the_agencys_administrators_invite(request, agency, role_fixture):
    actor = actor_for_user(request.getfixturevalue(role_fixture))
    before = _state()
    with pytest.raises((PermissionDenied, NotFound)):
        services.invitation_send(
            actor=actor, organisation_id=agency.id, email="x@myndighet.se", role="contact"
        )
    assert _state() == before


# Identical answers: whether an account with the address exists (in this agency, elsewhere, a
# provider's security officer) must not show in anything the administrator gets back.


def _normalised(text: str) -> str:
    """Per-request values (CSRF tokens, nonces, ids, dates and the address itself) masked."""
    text = re.sub(r'(csrfmiddlewaretoken" value=|nonce=)"[^"]*"', r"\1X", text)
    text = re.sub(r'"csrfToken":\s*"[^"]*"', "X", text)
    text = re.sub(r"[\w.+-]+@[\w.-]+", "ADDRESS", text)
    text = re.sub(r"\b\d{4}-\d{2}-\d{2}[T ][\d:.+Z-]*", "DATE", text)
    return re.sub(r'"id":\s*\d+', '"id": N', text)


def test_the_api_answers_the_same_whether_the_address_exists(
    agency, agency_contact, security_officer
):
    security_officer.email = "saker@annan-leverantr.se"
    security_officer.save()
    UserFactory(username="finns", email="finns@annan-myndighet.se")
    client, _secret = bearer_client(agency_contact)
    answers = []
    for address in (
        "saker@annan-leverantr.se",  # the provider's security officer
        "finns@annan-myndighet.se",  # a user of another agency
        "ingen@annan-myndighet.se",  # nobody
    ):
        response = call(
            client,
            "POST",
            f"/agencies/{agency.id}/invitations",
            {"email": address, "role": "member"},
        )
        assert response.status_code == 202
        assert set(response.json()) == {"id", "email", "role", "expires_at", "created_at"}
        # Content-Length follows the timestamps' digits (PostgreSQL drops trailing zeros)
        headers = sorted((k, v) for k, v in response.headers.items() if k != "Content-Length")
        answers.append((response.status_code, headers, _normalised(response.text)))
    assert answers[0] == answers[1] == answers[2]
    listed = call(client, "GET", f"/agencies/{agency.id}/invitations").json()["items"]
    assert {tuple(sorted(row)) for row in listed} == {
        ("created_at", "email", "expires_at", "id", "role")
    }


def test_the_page_answers_the_same_whether_the_address_exists(
    agency, agency_contact, security_officer, client_for
):
    security_officer.email = "saker@annan-leverantr.se"
    security_officer.save()
    client = client_for(agency_contact)
    pages = []
    for address in ("saker@annan-leverantr.se", "ingen@annan-myndighet.se"):
        response = client.post(
            f"/agencies/{agency.id}/invitations/", {"email": address, "role": "member"}, follow=True
        )
        assert response.status_code == 200
        page = response.content.decode()
        assert "Säkerhet" not in page.split('id="members"')[1].split('id="invitations-heading"')[0]
        pages.append(_normalised(page))
    # the second page lists one more open invitation; compare what the answer says about the
    # address: the message, and that no name or username of the officer appears anywhere
    for page in pages:
        assert "En inbjudan att bli Medarbetare har skickats till ADDRESS" in page
        assert security_officer.username not in page
        assert security_officer.get_full_name() not in page


def test_the_accept_page_shows_the_invitation_and_accepts(
    agency, agency_contact, invitee, client_for
):
    _send(agency_contact, agency)
    token = token_sent_to("inbjuden@myndighet.se")
    client = client_for(invitee)
    page = client.get(f"/agencies/invitations/{token}/")
    assert page.status_code == 200
    assert "Myndighet A" in page.content.decode() and "Beställare" in page.content.decode()
    accepted = client.post(f"/agencies/invitations/{token}/")
    assert accepted.status_code == 302
    assert accepted["Location"] == f"/agencies/{agency.id}/"
    assert Membership.objects.filter(user=invitee, organisation=agency, role="orderer").exists()
    # used: the link is now a 404
    assert client.get(f"/agencies/invitations/{token}/").status_code == 404


def test_the_accept_page_refuses_another_account_and_needs_a_login(
    agency, agency_contact, invitee, client_for
):
    _send(agency_contact, agency)
    token = token_sent_to("inbjuden@myndighet.se")
    anonymous = client_for(None).get(f"/agencies/invitations/{token}/")
    assert anonymous.status_code == 302 and "/login" in anonymous["Location"]
    before = _state()
    other = client_for(UserFactory(username="annan", email="annan@myndighet.se"))
    refused = other.post(f"/agencies/invitations/{token}/")
    assert refused.status_code == 403
    assert "annan e-postadress" in refused.content.decode()
    assert _state() == before
