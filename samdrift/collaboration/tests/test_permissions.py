"""The abilities tables: every role (and none, and the security role) × document state."""

from __future__ import annotations

import datetime

import pytest

from samdrift.collaboration.models import Document, Member, Workspace
from samdrift.collaboration.permissions import document_abilities, workspace_abilities
from samdrift.core.actor import Actor

A, OTHER = 10, 20
USER, LOCKER = 1, 2
NOW = datetime.datetime(2026, 12, 4, tzinfo=datetime.UTC)

WORKSPACE_TABLE = {
    # role: upload, invite, manage_members, lower_class, see_reads, leave
    None: (False, False, False, False, False, False),
    "reader": (False, False, False, False, False, True),
    "commenter": (False, False, False, False, False, True),
    "editor": (True, False, False, False, False, True),
    "owner": (True, True, True, False, True, True),
}


def _actor(roles: dict[int, frozenset[str]] | None = None) -> Actor:
    return Actor(user_id=USER, label="x", roles_by_org=roles or {OTHER: frozenset({"member"})})


def _member(role: str | None) -> Member | None:
    return None if role is None else Member(user_id=USER, organisation_id=OTHER, role=role)


@pytest.mark.parametrize("role", list(WORKSPACE_TABLE))
def test_workspace_abilities(role):
    workspace = Workspace(owner_org_id=A, classification=1)
    got = workspace_abilities(actor=_actor(), workspace=workspace, member=_member(role))
    keys = ("upload", "invite", "manage_members", "lower_class", "see_reads", "leave")
    assert tuple(got[k] for k in keys) == WORKSPACE_TABLE[role]
    assert got["view"] is (role is not None)


def test_the_owner_agencys_security_role_sees_lowers_and_reads_the_log_but_is_no_member():
    workspace = Workspace(owner_org_id=A, classification=2)
    security = _actor({A: frozenset({"contact"})})
    got = workspace_abilities(actor=security, workspace=workspace, member=None)
    assert got["view"] and got["lower_class"] and got["see_reads"]
    assert not got["upload"] and not got["leave"]
    document = Document(workspace=workspace, classification=2)
    doc = document_abilities(actor=security, document=document, workspace=workspace, member=None)
    assert doc["view"] and doc["see_reads"] and doc["lower_class"] and not doc["download"]
    # Another agency's contact is nobody here.
    stranger = _actor({OTHER: frozenset({"contact"})})
    assert not workspace_abilities(actor=stranger, workspace=workspace, member=None)["view"]


@pytest.mark.parametrize(
    ("role", "state", "expected"),
    [
        # expected: download, upload_version, lock, unlock, trash, untrash
        ("reader", "free", (True, False, False, False, False, False)),
        ("editor", "free", (True, True, True, False, True, False)),
        ("editor", "locked_by_me", (True, True, False, True, True, False)),
        ("editor", "locked_by_other", (True, False, False, False, False, False)),
        ("owner", "locked_by_other", (True, False, False, True, False, False)),
        ("editor", "trashed", (False, False, False, False, False, True)),
        ("editor", "class3", (False, True, True, False, True, False)),
        (None, "free", (False, False, False, False, False, False)),
    ],
)
def test_document_abilities(role, state, expected):
    workspace = Workspace(owner_org_id=A, classification=1)
    document = Document(workspace=workspace, classification=3 if state == "class3" else 1)
    if state == "locked_by_me":
        document.locked_by_id, document.locked_at = USER, NOW
    if state == "locked_by_other":
        document.locked_by_id, document.locked_at = LOCKER, NOW
    if state == "trashed":
        document.trashed_at = NOW
    got = document_abilities(
        actor=_actor(), document=document, workspace=workspace, member=_member(role)
    )
    keys = ("download", "upload_version", "lock", "unlock", "trash", "untrash")
    assert tuple(got[k] for k in keys) == expected
