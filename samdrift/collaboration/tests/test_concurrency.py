"""Two owners leave at the same moment, in two real threads: the workspace's row lock makes one
of them wait and then see it would leave none, so exactly one leaves and one owner remains."""

from __future__ import annotations

import threading

import pytest
from django.db import close_old_connections, connection

from samdrift.collaboration import selectors, services
from samdrift.collaboration.models import Member


@pytest.mark.django_db(transaction=True)
def test_two_owners_leaving_at_once_leave_one_owner(safos):
    owner = safos.actor("owner")
    workspace = services.workspace_create(actor=owner, name="Samverkan", classification=1)
    services.invite(
        actor=owner, workspace_id=workspace.id, email="editor@example.se", role="editor"
    )
    invitation = selectors.my_invitations(actor=safos.actor("editor")).get()
    member = services.invitation_accept(actor=safos.actor("editor"), invitation_id=invitation.id)
    Member.objects.filter(id=member.id).update(role="owner")  # a second owner (test set-up)
    barrier = threading.Barrier(2)
    outcomes: list[str] = []

    def leave(name: str) -> None:
        try:
            barrier.wait(timeout=30)
            services.leave(actor=safos.actor(name), workspace_id=workspace.id)
            outcomes.append("ok")
        except services.Refused as error:
            outcomes.append(error.code)
        except Exception as error:  # SQLite may answer "database is locked" to the loser
            outcomes.append(type(error).__name__)
        finally:
            close_old_connections()
            connection.close()

    threads = [threading.Thread(target=leave, args=(name,)) for name in ("owner", "editor")]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=60)
    assert len(outcomes) == 2 and outcomes.count("ok") == 1, outcomes
    assert Member.objects.filter(workspace=workspace, role="owner").count() == 1
