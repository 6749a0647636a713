"""The SAFOS world of the collaboration tests (agencies A and B in SAFOS, G a guest agency, C a
bystander), with a workspace shared by A and B, and app passwords for calendar clients."""

from __future__ import annotations

import pytest

from samdrift.accounts.app_passwords import app_password_create
from samdrift.collaboration import selectors as collaboration_selectors
from samdrift.collaboration import services as collaboration
from samdrift.collaboration.tests.conftest import files_dir, safos  # noqa: F401 - fixtures


def join(safos, workspace, who: str, role: str = "editor") -> None:  # noqa: F811
    collaboration.invite(
        actor=safos.actor("owner"), workspace_id=workspace.id, email=f"{who}@example.se", role=role
    )
    invitation = collaboration_selectors.my_invitations(actor=safos.actor(who)).get()
    collaboration.invitation_accept(actor=safos.actor(who), invitation_id=invitation.id)


@pytest.fixture
def spaces(safos):  # noqa: F811
    """`shared`: class 1, A's owner with B's editor and reader; `secret`: class 2, owner only;
    `foreign`: B's own workspace, nobody from A in it."""
    owner = safos.actor("owner")
    shared = collaboration.workspace_create(actor=owner, name="Samverkan", classification=1)
    join(safos, shared, "editor")
    join(safos, shared, "reader", role="reader")
    secret = collaboration.workspace_create(actor=owner, name="Känsligt", classification=2)
    foreign = collaboration.workspace_create(
        actor=safos.actor("editor"), name="Myndighet B yta", classification=0
    )
    return shared, secret, foreign


def app_password(safos, who: str, max_class: int = 1) -> str:  # noqa: F811
    _row, secret = app_password_create(
        actor=safos.actor(who, loa=3), name="Kalendern", max_class=max_class
    )
    return secret
