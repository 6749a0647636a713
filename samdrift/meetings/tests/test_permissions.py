"""The abilities of a meeting room, as a table: who hosts, who may knock, and nothing once the
meeting has ended (ADR 0673). No database and no Janus: the rule alone."""

from __future__ import annotations

import pytest
from django.utils import timezone

from samdrift.collaboration.models import Member
from samdrift.core.actor import SYSTEM, Actor
from samdrift.meetings.choices import Mode, Role, State
from samdrift.meetings.models import MeetingAdmission, MeetingRoom
from samdrift.meetings.permissions import role_for, room_abilities

A, B, G = 1, 2, 3
CREATOR = 10
HOST_ACTS = {"admit", "remove", "mute", "lock", "end"}


def _actor(user_id: int | None, org: int | None = None) -> Actor:
    roles = {org: frozenset({"member"})} if org else {}
    return Actor(user_id=user_id, label=f"u{user_id}", roles_by_org=roles)


def _member(user_id: int, role: str, org: int = B, guest: bool = False) -> Member:
    return Member(user_id=user_id, workspace_id=5, organisation_id=org, role=role, is_guest=guest)


def _abilities(actor, room, member=None, admission=None, classification=1):
    got = room_abilities(
        actor=actor, room=room, member=member, admission=admission, classification=classification
    )
    assert set(got) == {"host", "join", "in_room", "publish", "watch", "broadcast"} | HOST_ACTS
    return {k for k, v in got.items() if v}


WORKSPACE_ROOM = {
    # who: (member row, class) → abilities
    "reader": (_member(21, "reader"), 1, {"join"}),
    "commenter": (_member(22, "commenter"), 1, {"join"}),
    "editor": (_member(23, "editor"), 1, {"join"}),
    "owner": (_member(24, "owner", org=A), 1, {"join", "host"} | HOST_ACTS),
    "guest where the class allows guests": (_member(25, "reader", G, True), 2, {"join"}),
    "guest where the class forbids guests": (_member(25, "reader", G, True), 3, set()),
    "security officer (sees, not a member)": (None, 1, set()),
}


@pytest.mark.parametrize("who", list(WORKSPACE_ROOM))
def test_workspace_room_abilities(who):
    member, classification, expected = WORKSPACE_ROOM[who]
    room = MeetingRoom(id=7, workspace_id=5, owner_org_id=A, created_by_id=CREATOR)
    actor = _actor(member.user_id if member else 30, member.organisation_id if member else A)
    assert _abilities(actor, room, member, classification=classification) == expected


def test_the_creator_hosts_and_an_admitted_person_is_in_the_room():
    room = MeetingRoom(id=7, workspace_id=5, owner_org_id=A, created_by_id=CREATOR)
    creator = _member(CREATOR, "editor", org=A)
    assert "host" in _abilities(_actor(CREATOR, A), room, creator)
    editor = _member(23, "editor")
    admitted = MeetingAdmission(room=room, user_id=23, role=Role.PARTICIPANT, state=State.ADMITTED)
    assert _abilities(_actor(23, B), room, editor, admitted) == {"join", "in_room", "publish"}
    waiting = MeetingAdmission(room=room, user_id=23, role=Role.PARTICIPANT, state=State.WAITING)
    assert _abilities(_actor(23, B), room, editor, waiting) == {"join"}


def test_in_a_webinar_a_viewer_watches_and_never_publishes_and_the_host_broadcasts():
    room = MeetingRoom(id=7, workspace_id=5, owner_org_id=A, created_by_id=CREATOR, mode="webinar")
    viewer = MeetingAdmission(room=room, user_id=21, role=Role.VIEWER, state=State.ADMITTED)
    reader = _member(21, "reader")
    assert _abilities(_actor(21, B), room, reader, viewer) == {"join", "in_room", "watch"}
    presenter = MeetingAdmission(room=room, user_id=23, role=Role.PRESENTER, state=State.ADMITTED)
    got = _abilities(_actor(23, B), room, _member(23, "editor"), presenter)
    assert got == {"join", "in_room", "publish", "watch"}
    waiting = MeetingAdmission(room=room, user_id=21, role=Role.VIEWER, state=State.WAITING)
    assert _abilities(_actor(21, B), room, reader, waiting) == {"join"}
    owner = _member(24, "owner", org=A)
    assert _abilities(_actor(24, A), room, owner) == {"join", "host", "broadcast"} | HOST_ACTS


def test_an_ad_hoc_room_is_for_the_owning_agencys_officials():
    room = MeetingRoom(id=8, workspace_id=None, owner_org_id=A, created_by_id=CREATOR)
    assert _abilities(_actor(40, A), room) == {"join"}
    assert _abilities(_actor(41, B), room) == set()  # (and the selector never shows it)
    assert _abilities(SYSTEM, room) == {"end"}


def test_nothing_to_do_once_the_meeting_has_ended():
    room = MeetingRoom(
        id=7, workspace_id=5, owner_org_id=A, created_by_id=CREATOR, ended_at=timezone.now()
    )
    owner = _member(24, "owner", org=A)
    assert _abilities(_actor(24, A), room, owner) == {"host"}
    assert _abilities(SYSTEM, room) == set()


@pytest.mark.parametrize(
    ("mode", "role", "host", "expected"),
    [
        (Mode.MEETING, "reader", False, Role.PARTICIPANT),
        (Mode.MEETING, "editor", False, Role.PARTICIPANT),
        (Mode.MEETING, "owner", True, Role.HOST),
        (Mode.WEBINAR, "editor", False, Role.PRESENTER),
        (Mode.WEBINAR, "commenter", False, Role.VIEWER),
        (Mode.WEBINAR, "reader", False, Role.VIEWER),
        (Mode.WEBINAR, "owner", True, Role.HOST),
    ],
)
def test_the_role_in_the_meeting_follows_the_workspace_role_and_the_mode(
    mode, role, host, expected
):
    room = MeetingRoom(id=7, workspace_id=5, owner_org_id=A, mode=mode)
    assert role_for(room=room, member=_member(23, role), host=host) == expected
