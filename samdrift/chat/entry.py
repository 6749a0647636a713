"""samdrift's side of the homeserver's room-entry module (ADR 0666): the module proves itself with
its own secret, the answer is chat's selectors', and every refusal is audited in the name of the
official who tried (the inviter, the creator, the one joining)."""

from __future__ import annotations

import hmac
from typing import Any

from django.db import transaction
from django.utils.translation import gettext_lazy as _

from samdrift.accounts.selectors import actor_for_user, user_by_id
from samdrift.audit.services import audit_record, record_security_event
from samdrift.core.actor import SYSTEM
from samdrift.core.exceptions import PermissionDenied, ValidationFailed

from . import homeserver
from .selectors import (
    NOT_AN_OFFICIAL,
    NOT_CONNECTED,
    WORKSPACE_ROOM,
    RoomEntry,
    official_agencies,
    room_entry,
    user_pk_of,
)

NO_SECRET = _("The room policy secret is missing.")
FORGED_SECRET = _("The room policy secret is wrong.")
BAD_QUESTION = _("Not a room-entry question.")
ACTIONS = ("invite", "create", "join")
MAX_OTHERS = 500

#: What the Matrix client shows (Synapse passes it on as the M_FORBIDDEN error): the client's
#: language is not known here, so both languages, Swedish first.
REFUSALS = {
    NOT_CONNECTED: (
        "Direktmeddelanden mellan tjänstepersoner på olika myndigheter är tillåtna bara när båda "
        "myndigheterna är anslutna till SAFOS. / Direct messages between officials of different "
        "agencies are allowed only where both agencies are connected to SAFOS."
    ),
    NOT_AN_OFFICIAL: (
        "Bara tjänstepersoner som samdrift har lagt upp kan chatta här. / Only officials "
        "samdrift has provisioned can chat here."
    ),
    WORKSPACE_ROOM: (
        "Medlemmarna i ett arbetsrums chattrum följer arbetsrummet; bjud in i samdrift. / "
        "A workspace room's members follow the workspace; invite in samdrift."
    ),
}


def check_secret(presented: str) -> None:
    """The module proves itself with `room_policy_secret`; anything else is refused and
    logged."""
    if not presented:
        record_security_event("chat.room_policy_secret_missing")
        raise PermissionDenied(NO_SECRET)
    expected = homeserver.secret("room_policy_secret")
    if not hmac.compare_digest(presented.encode(), expected.encode()):
        record_security_event("chat.room_policy_secret_refused")
        raise PermissionDenied(FORGED_SECRET)


def _question(body: Any) -> tuple[str, str, str, str, list[str]]:
    if not isinstance(body, dict):
        raise ValidationFailed(BAD_QUESTION)
    action, room_id = body.get("action"), body.get("room_id", "")
    sender, entering, others = body.get("sender"), body.get("entering"), body.get("others", [])
    texts = (room_id, sender, entering)
    if (
        action not in ACTIONS
        or not all(isinstance(t, str) and len(t) <= 255 for t in texts)
        or not sender
        or not entering
        or not isinstance(others, list)
        or len(others) > MAX_OTHERS
        or not all(isinstance(o, str) and len(o) <= 255 for o in others)
    ):
        raise ValidationFailed(BAD_QUESTION)
    return str(action), str(room_id), str(sender), str(entering), [str(o) for o in others]


def decide(*, secret: str, body: Any) -> tuple[RoomEntry, str]:
    """The answer to one question of the module (`{"action": "invite" | "create" | "join",
    "room_id", "sender", "entering", "others"}`) and the text a refusal shows. A refusal is
    audited (`chat.room_entry_refused`) in the sender's name."""
    check_secret(secret)
    action, room_id, sender, entering, others = _question(body)
    answer = room_entry(room_id=room_id, entering=entering, others=others)
    if answer.allowed:
        return answer, ""
    pk = user_pk_of(sender)
    user = user_by_id(pk) if pk is not None else None
    actor = actor_for_user(user) if user is not None else SYSTEM
    agencies = sorted(official_agencies(sender))
    with transaction.atomic():
        audit_record(
            actor=actor,
            action="chat.room_entry_refused",
            object_type="chat.matrix_room",
            object_id=room_id or "(new room)",
            organisation_id=agencies[0] if agencies else None,
            after={
                "action": action,
                "sender": sender,
                "entering": entering,
                "refused_with": answer.refused_with,
                "reason": answer.reason,
                "agencies": answer.agencies or {},
            },
        )
    return answer, REFUSALS[answer.reason]
