"""Test helpers: the token an invitation e-mail carries, and adding a member the only way there
is (an invitation accepted by the invited person)."""

from __future__ import annotations

import re

from samdrift.accounts.models import User
from samdrift.accounts.selectors import actor_for_user
from samdrift.core.actor import Actor
from samdrift.core.notifications.models import Notification
from samdrift.organisations import services
from samdrift.organisations.models import Membership

LINK = re.compile(r"/agencies/invitations/([A-Za-z0-9_-]+)/")


def token_sent_to(address: str) -> str:
    """The token in the newest invitation e-mail to this address (as the invited person reads it)."""
    row = (
        Notification.objects.filter(kind="membership_invitation", channel="email", email_to=address)
        .order_by("-id")
        .first()
    )
    assert row is not None, f"no invitation e-mail to {address}"
    found = LINK.search(row.body)
    assert found is not None, row.body
    return found.group(1)


def add_member(*, actor: Actor, organisation_id: int, user: str, role: str) -> Membership:
    """Invite the user's address and accept as that user."""
    person = User.objects.get(username=user)
    if not person.email:
        person.email = f"{person.username}@myndighet.example"
        person.save(update_fields=["email"])
    services.invitation_send(
        actor=actor, organisation_id=organisation_id, email=person.email, role=role
    )
    return services.invitation_accept(
        actor=actor_for_user(person), token=token_sent_to(person.email.lower())
    )
