"""`--as USER`, shared by every management command (`samdrift.accounts.cli`): the system without
it, the named user's actor with it, an unknown or empty name refused in Swedish and English."""

from __future__ import annotations

from argparse import ArgumentParser

import pytest
from django.core.management import call_command
from django.core.management.base import CommandError

from samdrift.accounts.cli import actor_from_option, add_as_option
from samdrift.audit.models import AuditEvent
from samdrift.core.actor import SYSTEM
from samdrift.tests.factories import MembershipFactory, ProviderFactory, UserFactory

pytestmark = pytest.mark.django_db


def _username(*argv: str) -> str | None:
    parser = ArgumentParser()
    add_as_option(parser)
    return parser.parse_args(list(argv)).username


def test_without_as_the_system_acts_and_with_it_the_named_user():
    user = UserFactory(username="ekonomi")
    MembershipFactory(user=user, organisation=ProviderFactory(), role="finance")
    assert actor_from_option(_username()) is SYSTEM
    actor = actor_from_option(_username("--as", "ekonomi"))
    assert actor.user_id == user.pk and actor is not SYSTEM


@pytest.mark.parametrize("name", ["ingen", ""])
def test_an_unknown_or_empty_name_is_refused_in_both_languages(name):
    with pytest.raises(CommandError) as refused:
        actor_from_option(_username("--as", name))
    assert str(refused.value) == f"okänd användare / unknown user: {name}"


@pytest.mark.parametrize(
    "argv",
    [
        ("billing", "report", "--year", "2030"),
        ("catalogue", "list"),
        ("sites", "check"),
        ("sites", "lose", "NOPE"),
        ("security", "status"),
    ],
    ids=lambda argv: " ".join(argv[:2]),
)
def test_every_command_refuses_an_unknown_user_before_it_does_anything(argv):
    before = AuditEvent.objects.count()
    with pytest.raises(CommandError, match="okänd användare / unknown user: ingen"):
        call_command(*argv, "--as", "ingen")
    assert AuditEvent.objects.count() == before
