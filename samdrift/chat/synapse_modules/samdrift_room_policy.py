"""Who may enter a room that officials make themselves (a direct message, a small group): a
Synapse module samdrift's homeserver loads (ADR 0666). It runs inside Synapse, from Synapse's own
virtual environment, and imports nothing of samdrift nor of Django: samdrift puts this folder on
Synapse's `PYTHONPATH` and names the module in the generated `homeserver.yaml`:

    modules:
      - module: samdrift_room_policy.RoomPolicy
        config: {url: <samdrift's endpoint>, secret: <the policy secret>, bot: <the app service>}

Through Synapse's spam-checker callbacks it asks samdrift, for each local user about to enter
such a room (an invitation, a room created with invitations, a join), whether they may share it
with the room's other local members. samdrift answers from its own data (both officials it
provisioned; of one agency, or of agencies both connected to SAFOS). Not asked, and left to
samdrift's provisioning and the room's power levels: the application service's own calls and the
rooms it created (the workspace rooms). Left to the federation allow-list (ADR 0665): users of
other homeservers. When samdrift does not answer, the entry is refused (fail closed) and logged.
"""

from __future__ import annotations

import json
import logging
import urllib.error
import urllib.request
from typing import Any

from synapse.module_api import NOT_SPAM
from synapse.module_api.errors import Codes

logger = logging.getLogger("samdrift_room_policy")

UNANSWERED = (
    "Chatten kan inte pröva detta just nu (samdrift svarar inte); försök igen senare. / "
    "Chat cannot check this right now (samdrift does not answer); try again later."
)
TIMEOUT = 5.0
ENTERING = ("invite", "join")


class RoomPolicy:
    def __init__(self, config: dict[str, Any], api: Any) -> None:
        self.api = api
        self.url = str(config["url"])
        self.secret = str(config["secret"])
        self.bot = str(config["bot"])
        self.timeout = float(config.get("timeout", TIMEOUT))
        api.register_spam_checker_callbacks(
            user_may_invite=self.user_may_invite,
            user_may_create_room=self.user_may_create_room,
            user_may_join_room=self.user_may_join_room,
        )

    @staticmethod
    def parse_config(config: dict[str, Any]) -> dict[str, Any]:
        for key in ("url", "secret", "bot"):
            if not config.get(key):
                raise ValueError(f"samdrift_room_policy: '{key}' is required")
        return config

    # Synapse's callbacks ---------------------------------------------------------------------
    async def user_may_invite(self, inviter: str, invitee: str, room_id: str) -> Any:
        if inviter == self.bot or not self.api.is_mine(invitee):
            return NOT_SPAM
        creator, members = await self._room(room_id)
        if creator == self.bot:
            return NOT_SPAM  # a workspace room: samdrift's provisioning decides
        others = sorted({inviter, *members} - {invitee})
        return await self._ask("invite", room_id, inviter, invitee, others)

    async def user_may_create_room(self, creator: str, config: dict[str, Any]) -> Any:
        if creator == self.bot:
            return NOT_SPAM
        invited = config.get("invite") or []
        if not isinstance(invited, list):
            return Codes.FORBIDDEN
        local = [str(u) for u in invited if isinstance(u, str) and self.api.is_mine(u)]
        for invitee in local:
            others = sorted({creator, *local} - {invitee})
            answer = await self._ask("create", "", creator, invitee, others)
            if answer is not NOT_SPAM:
                return answer  # refused before the room is made
        return NOT_SPAM

    async def user_may_join_room(self, user: str, room_id: str, is_invited: bool) -> Any:
        if user == self.bot:
            return NOT_SPAM
        creator, members = await self._room(room_id)
        if creator == self.bot:
            return NOT_SPAM
        return await self._ask("join", room_id, user, user, sorted(set(members) - {user}))

    # helpers ---------------------------------------------------------------------------------
    async def _room(self, room_id: str) -> tuple[str, list[str]]:
        """The room's creator and its local members (joined or invited), as this server knows
        them; nothing for a room it does not know (another homeserver's)."""
        state = await self.api.get_room_state(
            room_id, [("m.room.create", ""), ("m.room.member", None)]
        )
        creator, members = "", []
        for (kind, key), event in state.items():
            if kind == "m.room.create":
                creator = str(event.sender)
            elif (
                event.content.get("membership") in ENTERING
                and isinstance(key, str)
                and self.api.is_mine(key)
            ):
                members.append(key)
        return creator, members

    async def _ask(
        self, action: str, room_id: str, sender: str, entering: str, others: list[str]
    ) -> Any:
        body = {"action": action, "room_id": room_id, "sender": sender, "entering": entering,
                "others": others}  # fmt: skip
        try:
            answer = await self.api.defer_to_thread(self._post, body)
        except (OSError, ValueError) as error:  # refused, timed out, not JSON, not 200
            logger.warning(
                "samdrift_room_policy: no answer from samdrift (%s); %s of %s into %s refused",
                error, action, entering, room_id or "a new room",
            )  # fmt: skip
            return Codes.FORBIDDEN, {"error": UNANSWERED}
        if answer.get("allow") is True:
            return NOT_SPAM
        logger.info("samdrift_room_policy: %s of %s into %s refused by samdrift",
                    action, entering, room_id or "a new room")  # fmt: skip
        return Codes.FORBIDDEN, {"error": str(answer.get("error") or UNANSWERED)}

    def _post(self, body: dict[str, Any]) -> dict[str, Any]:
        """One POST to samdrift (in Synapse's thread pool, never its reactor)."""
        request = urllib.request.Request(  # noqa: S310 - samdrift's own configured address
            self.url,
            data=json.dumps(body).encode(),
            method="POST",
            headers={"Authorization": f"Bearer {self.secret}",
                     "Content-Type": "application/json"},
        )  # fmt: skip
        with urllib.request.urlopen(request, timeout=self.timeout) as response:  # noqa: S310
            if response.status != 200:
                raise ValueError(f"HTTP {response.status}")
            data = json.loads(response.read(65536))
        if not isinstance(data, dict):
            raise ValueError("not a JSON object")
        return data
