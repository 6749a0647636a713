"""What chat maps from the workspaces (ADR 0652)."""

from __future__ import annotations

from typing import Any

from samdrift.collaboration.choices import Role

#: The power level of the application service's own user: only samdrift changes membership,
#: names, power levels and every other piece of a room's state.
CONTROL = 100

#: A member's power level in the workspace's room, from their workspace role. Readers read;
#: commenters and up write (events_default); owners may remove others' messages (redact).
ROLE_POWER: dict[str, int] = {Role.READER: 0, Role.COMMENTER: 10, Role.EDITOR: 25, Role.OWNER: 50}

#: Room settings no member's level reaches (membership and state are samdrift's).
FIXED_LEVELS: dict[str, Any] = {
    "users_default": 0,
    "events_default": ROLE_POWER[Role.COMMENTER],
    "state_default": CONTROL,
    "invite": CONTROL,
    "kick": CONTROL,
    "ban": CONTROL,
    "redact": ROLE_POWER[Role.OWNER],
    "notifications": {"room": ROLE_POWER[Role.OWNER]},
    "events": {
        "m.room.name": CONTROL,
        "m.room.topic": CONTROL,
        "m.room.avatar": CONTROL,
        "m.room.power_levels": CONTROL,
        "m.room.history_visibility": CONTROL,
        "m.room.canonical_alias": CONTROL,
        "m.room.join_rules": CONTROL,
        "m.room.guest_access": CONTROL,
        "m.room.encryption": CONTROL,
        "m.room.server_acl": CONTROL,
        "m.room.tombstone": CONTROL,
        "m.reaction": ROLE_POWER[Role.COMMENTER],
        "m.room.redaction": ROLE_POWER[Role.COMMENTER],
    },
}

#: Where a message names the SAFOS document its file is kept in (ADR 0660, 0663).
ATTACHMENT_KEY = "se.samdrift.document"
ATTACHMENT_LINE = "📎 "
#: The messages that carry a file in the homeserver's media store (`url`: `mxc://…`).
FILE_TYPES = ("m.file", "m.image", "m.video", "m.audio")
