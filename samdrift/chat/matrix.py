"""A small Matrix client for the application service (plain HTTP with `requests`, ADR 0651).

Every call carries the application service's `as_token`; a call on behalf of one of samdrift's
users adds `user_id=` (identity assertion, Matrix spec "Application Service API"). Only what the
control plane needs is here: users, rooms, membership, state.
"""

from __future__ import annotations

import json
import re
import uuid
from typing import Any
from urllib.parse import quote

import requests

from . import conf, homeserver

TIMEOUT = 15.0
#: Room version 12: the creator (samdrift's user) holds unlimited power and cannot be demoted.
ROOM_VERSION = "12"


class MatrixError(RuntimeError):
    def __init__(self, status: int, errcode: str, message: str) -> None:
        super().__init__(f"{status} {errcode}: {message}")
        self.status = status
        self.errcode = errcode


#: `mxc://<server name>/<media id>` (Matrix spec "Content repository"): the media id is
#: [A-Za-z0-9_-]; the server name a host name or address with an optional port.
MXC = re.compile(r"^mxc://(?P<server>[A-Za-z0-9.:\[\]-]{1,255})/(?P<media>[A-Za-z0-9_-]{1,255})$")


def parse_mxc(url: object) -> tuple[str, str] | None:
    """(server name, media id) of a well-formed `mxc://` URL, else None."""
    found = MXC.match(url) if isinstance(url, str) else None
    return (found["server"], found["media"]) if found else None


def user_id(localpart: str) -> str:
    return f"@{localpart}:{conf.server_name()}"


def bot_id() -> str:
    return user_id(conf.bot_localpart())


class Client:
    def __init__(self, base_url: str | None = None, token: str | None = None) -> None:
        self.base_url = (base_url or conf.homeserver_url()).rstrip("/")
        self.session = requests.Session()
        self.session.headers["Authorization"] = f"Bearer {token or homeserver.secret('as_token')}"

    def call(
        self,
        method: str,
        path: str,
        body: dict[str, Any] | None = None,
        *,
        as_user: str | None = None,
        params: dict[str, Any] | None = None,
    ) -> dict[str, Any]:
        query = dict(params or {})
        if as_user:
            query["user_id"] = as_user
        answer = self.session.request(
            method,
            f"{self.base_url}/_matrix/client/v3{path}",
            json=body if body is not None or method in ("POST", "PUT") else None,
            params=query,
            timeout=TIMEOUT,
        )
        try:
            data = answer.json()
        except ValueError:
            data = {}
        if not answer.ok:
            raise MatrixError(
                answer.status_code, str(data.get("errcode", "")), str(data.get("error", ""))
            )
        return data if isinstance(data, dict) else {"data": data}

    # users -------------------------------------------------------------------------------------
    def ensure_user(self, localpart: str) -> str:
        """Register the user in the application service's namespace; an existing one is kept."""
        try:
            self.call(
                "POST",
                "/register",
                {"type": "m.login.application_service", "username": localpart,
                 "inhibit_login": True},
            )  # fmt: skip
        except MatrixError as error:
            if error.errcode != "M_USER_IN_USE":
                raise
        return user_id(localpart)

    def set_displayname(self, uid: str, name: str) -> None:
        self.call("PUT", f"/profile/{quote(uid)}/displayname", {"displayname": name}, as_user=uid)

    def login(self, localpart: str) -> str:
        """An access token for one of samdrift's users (`m.login.application_service`)."""
        data = self.call(
            "POST",
            "/login",
            {"type": "m.login.application_service",
             "identifier": {"type": "m.id.user", "user": localpart}},
        )  # fmt: skip
        return str(data["access_token"])

    # rooms -------------------------------------------------------------------------------------
    def resolve_alias(self, alias: str) -> str | None:
        try:
            return str(self.call("GET", f"/directory/room/{quote(alias)}")["room_id"])
        except MatrixError as error:
            if error.errcode == "M_NOT_FOUND":
                return None
            raise

    def create_room(
        self, *, alias_localpart: str, name: str, topic: str, power_levels: dict[str, Any]
    ) -> str:
        body = {
            "preset": "private_chat",
            "room_version": ROOM_VERSION,
            "visibility": "private",
            "room_alias_name": alias_localpart,
            "name": name,
            "topic": topic,
            "power_level_content_override": power_levels,
            "initial_state": [
                {"type": "m.room.join_rules", "state_key": "", "content": {"join_rule": "invite"}},
                {"type": "m.room.guest_access", "state_key": "",
                 "content": {"guest_access": "forbidden"}},
                {"type": "m.room.history_visibility", "state_key": "",
                 "content": {"history_visibility": "shared"}},
            ],
        }  # fmt: skip
        return str(self.call("POST", "/createRoom", body)["room_id"])

    def state(self, room_id: str, event_type: str, key: str = "") -> dict[str, Any] | None:
        try:
            return self.call("GET", f"/rooms/{quote(room_id)}/state/{event_type}/{quote(key)}")
        except MatrixError as error:
            if error.errcode == "M_NOT_FOUND":
                return None
            raise

    def put_state(
        self, room_id: str, event_type: str, content: dict[str, Any], key: str = ""
    ) -> None:
        self.call("PUT", f"/rooms/{quote(room_id)}/state/{event_type}/{quote(key)}", content)

    def memberships(self, room_id: str) -> dict[str, str]:
        """user id → membership (join, invite, leave, ban) of everyone the room has seen."""
        data = self.call("GET", f"/rooms/{quote(room_id)}/members")
        return {
            str(event["state_key"]): str(event["content"].get("membership", ""))
            for event in data.get("chunk", [])
        }

    def invite(self, room_id: str, uid: str) -> None:
        self.call("POST", f"/rooms/{quote(room_id)}/invite", {"user_id": uid})

    def join(self, room_id: str, uid: str) -> None:
        self.call("POST", f"/rooms/{quote(room_id)}/join", {}, as_user=uid)

    def kick(self, room_id: str, uid: str, reason: str) -> None:
        self.call("POST", f"/rooms/{quote(room_id)}/kick", {"user_id": uid, "reason": reason})

    def recent(self, room_id: str, *, as_user: str, limit: int = 50) -> list[dict[str, Any]]:
        """The room's newest `limit` events as that member sees them, oldest first."""
        page = self.call(
            "GET", f"/rooms/{quote(room_id)}/messages", params={"dir": "b", "limit": limit},
            as_user=as_user,
        )  # fmt: skip
        return list(reversed(page.get("chunk", [])))

    def read_marker(self, room_id: str, *, as_user: str) -> str | None:
        """The event up to which that member has read the room (`m.fully_read`, which Element
        and every other client move too); None before they have read anything."""
        path = f"/user/{quote(as_user)}/rooms/{quote(room_id)}/account_data/m.fully_read"
        try:
            marker = self.call("GET", path, as_user=as_user)
        except MatrixError as error:
            if error.errcode == "M_NOT_FOUND":
                return None
            raise
        return str(marker["event_id"]) if isinstance(marker.get("event_id"), str) else None

    def mark_read(self, room_id: str, event_id: str, *, as_user: str) -> None:
        """That member has read the room up to `event_id`: the read marker and a read receipt,
        as a client sets them when the member has seen the messages."""
        body = {"m.fully_read": event_id, "m.read": event_id}
        self.call("POST", f"/rooms/{quote(room_id)}/read_markers", body, as_user=as_user)

    def read_windows(
        self, room_ids: list[str], *, as_user: str, limit: int = 50
    ) -> dict[str, tuple[str | None, list[dict[str, Any]]]]:
        """For each of those rooms the member has joined: their read marker (`m.fully_read`, None
        before they have read anything) and the room's newest `limit` events, oldest first, as
        they see them, in ONE request (a filtered `/sync` without `since`), whatever the number
        of rooms. No state, presence or other account data is asked for. Each asking names a
        type of event no one sends, so it is a request of its own: Synapse keeps a `/sync`
        answer for two minutes (`sync_response_cache_duration`), which would otherwise show a
        marker from before the member read the room."""
        if not room_ids:
            return {}
        # The rooms are named in the timeline's filter, not the room filter's `rooms`, which
        # Synapse also applies to the rooms' account data (whose events name no room): it would
        # drop every read marker. Other rooms of the member's come with empty timelines.
        unasked = f"se.samdrift.unasked.{uuid.uuid4().hex}"
        room_filter = {
            "timeline": {"limit": limit, "rooms": list(room_ids), "not_types": [unasked]},
            "state": {"types": []},
            "ephemeral": {"types": []},
            "account_data": {"types": ["m.fully_read"]},
        }
        wanted = {"room": room_filter, "presence": {"types": []}, "account_data": {"types": []}}
        data = self.call(
            "GET", "/sync", as_user=as_user,
            params={"filter": json.dumps(wanted), "timeout": 0, "set_presence": "offline"},
        )  # fmt: skip
        joined = (data.get("rooms") or {}).get("join") or {}
        windows: dict[str, tuple[str | None, list[dict[str, Any]]]] = {}
        for room_id in room_ids:
            room = joined.get(room_id)
            if not isinstance(room, dict):
                continue  # not joined (yet): nothing of it is theirs to read
            marker = None
            for event in (room.get("account_data") or {}).get("events") or []:
                content = event.get("content") or {}
                if event.get("type") == "m.fully_read" and isinstance(content.get("event_id"), str):
                    marker = content["event_id"]
            events = (room.get("timeline") or {}).get("events") or []
            windows[room_id] = (marker, [e for e in events if isinstance(e, dict)])
        return windows

    def send_text(self, room_id: str, *, as_user: str, body: str, txn_id: str) -> str:
        """A plain text message from that member; the transaction id makes a retry one message."""
        content = {"msgtype": "m.text", "body": body}
        return self.send_event(room_id, "m.room.message", content, as_user=as_user, txn_id=txn_id)

    def send_event(
        self, room_id: str, event_type: str, content: dict[str, Any], *, as_user: str, txn_id: str
    ) -> str:
        """Any room event from that member (a message, a reply, a reaction); its event id."""
        answer = self.call(
            "PUT", f"/rooms/{quote(room_id)}/send/{quote(event_type)}/{quote(txn_id)}",
            content, as_user=as_user,
        )  # fmt: skip
        return str(answer.get("event_id", ""))

    def event(self, room_id: str, event_id: str, *, as_user: str) -> dict[str, Any]:
        """One event of the room as that member may see it (404 from Synapse when it may not)."""
        path = f"/rooms/{quote(room_id)}/event/{quote(event_id, safe='')}"
        return self.call("GET", path, as_user=as_user)

    def download(self, mxc: str, *, as_user: str | None = None) -> requests.Response:
        """The media's bytes from the homeserver's media repository (authenticated media,
        `/_matrix/client/v1/media/download`), as a streamed response the caller closes."""
        parsed = parse_mxc(mxc)
        if parsed is None:
            raise MatrixError(400, "M_INVALID_PARAM", "not an mxc:// URL")
        server, media = parsed
        answer = self.session.get(
            f"{self.base_url}/_matrix/client/v1/media/download/{quote(server)}/{quote(media)}",
            params={"user_id": as_user} if as_user else None, stream=True, timeout=TIMEOUT,
            allow_redirects=False,
        )  # fmt: skip
        if not answer.ok:
            try:
                data = answer.json()
            except ValueError:
                data = {}
            answer.close()
            raise MatrixError(
                answer.status_code, str(data.get("errcode", "")), str(data.get("error", ""))
            )
        return answer

    def history(self, room_id: str, *, limit: int = 100_000) -> list[dict[str, Any]]:
        """Every event of the room, oldest first, as samdrift's user sees them (history is
        `shared`, so all of it): messages, edits, redactions and membership."""
        events: list[dict[str, Any]] = []
        params: dict[str, Any] = {"dir": "f", "limit": 1000}
        while len(events) < limit:
            page = self.call("GET", f"/rooms/{quote(room_id)}/messages", params=params)
            chunk = page.get("chunk", [])
            events.extend(chunk)
            if not chunk or not page.get("end"):
                break
            params["from"] = page["end"]
        return events[:limit]
