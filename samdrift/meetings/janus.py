"""samdrift's client of Janus's HTTP API and admin API (ADRs 0670, 0671).

Control requests (room create, destroy, kick, moderate, the room's token list) go through a
session of samdrift's own, proved with the API secret; tokens are added to and removed from
Janus's core through the admin API with the admin secret. Both secrets stay in samdrift.

The control session and its VideoRoom handle are kept per process and reused (ADR 0682): a
request is then one HTTP round trip on a kept-alive connection instead of four on new ones
(create, attach, message, destroy), which a join pays twice. Janus ends a session idle for its
`session_timeout`; the next request finds it gone (458/459), makes a new one and is sent again.
"""

from __future__ import annotations

import contextlib
import secrets
import threading
from collections.abc import Iterator
from typing import Any

import requests

from . import conf, engine


class JanusError(RuntimeError):
    """Janus answered with an error (its core's or the VideoRoom plug-in's)."""

    def __init__(self, code: int, reason: str) -> None:
        self.code = code
        self.reason = reason
        super().__init__(f"Janus error {code}: {reason}")


NO_SUCH_ROOM = 426  # JANUS_VIDEOROOM_ERROR_NO_SUCH_ROOM
NO_SUCH_FEED = 428  # JANUS_VIDEOROOM_ERROR_NO_SUCH_FEED
TOKEN_NOT_FOUND = 470  # JANUS_ERROR_TOKEN_NOT_FOUND
SESSION_NOT_FOUND = 458  # JANUS_ERROR_SESSION_NOT_FOUND
HANDLE_NOT_FOUND = 459  # JANUS_ERROR_HANDLE_NOT_FOUND

_local = threading.local()  # one kept-alive HTTP connection pool per thread
_control_lock = threading.Lock()
_control: dict[str, tuple[int, int]] = {}  # Janus URL → (session, VideoRoom handle)


def _http() -> requests.Session:
    session = getattr(_local, "http", None)
    if session is None:
        session = _local.http = requests.Session()
    return session


def _transaction() -> str:
    return secrets.token_hex(8)


class Client:
    def __init__(self, url: str | None = None, admin_url: str | None = None) -> None:
        self.url = (url or conf.janus_url()).rstrip("/")
        self.admin_url = (admin_url or conf.admin_url()).rstrip("/")

    def _post(self, url: str, body: dict[str, Any], timeout: float = 10.0) -> dict[str, Any]:
        answer = _http().post(url, json={**body, "transaction": _transaction()}, timeout=timeout)
        data: dict[str, Any] = answer.json()
        if data.get("janus") == "error":
            error = data.get("error", {})
            raise JanusError(int(error.get("code", 0)), str(error.get("reason", "")))
        return data

    # Admin API: the core's stored tokens ----------------------------------------------------

    def admin(self, request: str, **fields: Any) -> dict[str, Any]:
        body = {"janus": request, "admin_secret": engine.secret("admin_secret"), **fields}
        return self._post(self.admin_url, body)

    def add_token(self, token: str, plugins: list[str]) -> None:
        self.admin("add_token", token=token, plugins=plugins)

    def remove_token(self, token: str) -> bool:
        """False when Janus did not hold the token (already removed, or Janus restarted)."""
        try:
            self.admin("remove_token", token=token)
        except JanusError as error:
            if error.code == TOKEN_NOT_FOUND:
                return False
            raise
        return True

    def _handles(self) -> Iterator[tuple[int, dict[str, Any]]]:
        """Every handle Janus has, as (its session, `handle_info`'s info); a session or handle
        that ends meanwhile is skipped."""
        for session in self.admin("list_sessions").get("sessions", []):
            try:
                handles = self._admin_at(f"/{session}", "list_handles").get("handles", [])
            except JanusError:
                continue
            for handle in handles:
                try:
                    info = self._admin_at(f"/{session}/{handle}", "handle_info").get("info", {})
                except JanusError:
                    continue
                yield int(session), info

    def sessions_holding(self, tokens: set[str]) -> set[int]:
        """The sessions with a handle attached with one of `tokens` (`handle_info` names the
        token a handle was attached with)."""
        return {session for session, info in self._handles() if info.get("token") in tokens}

    def publisher_streams(self, room: str, participant: str) -> list[dict[str, Any]]:
        """What a participant publishes in a room (each stream's `type` and `mid`), from the
        VideoRoom's part of `handle_info`; empty when they publish nothing."""
        for _session, info in self._handles():
            mine = info.get("plugin_specific", {})
            if mine.get("type") == "publisher" and (mine.get("room"), mine.get("id")) == (
                room,
                participant,
            ):
                # Janus 1.1 names the list `streams`, later versions `media`
                return list(mine.get("streams", mine.get("media", [])))
        return []

    def moderate(self, room: str, participant: str, mid: str, *, mute: bool) -> None:
        self.videoroom({
            "request": "moderate",
            "room": room,
            "secret": engine.room_secret(room),
            "id": participant,
            "mid": mid,
            "mute": mute,
        })  # fmt: skip

    def destroy_session(self, session: int) -> bool:
        try:
            self._admin_at(f"/{session}", "destroy_session")
        except JanusError:
            return False
        return True

    def _admin_at(self, path: str, request: str) -> dict[str, Any]:
        body = {"janus": request, "admin_secret": engine.secret("admin_secret")}
        return self._post(f"{self.admin_url}{path}", body)

    def list_tokens(self) -> list[str]:
        data = self.admin("list_tokens").get("data", {})
        return [str(t.get("token")) for t in data.get("tokens", [])]

    # The VideoRoom plug-in, through a short control session -----------------------------------

    def videoroom(self, body: dict[str, Any]) -> dict[str, Any]:
        """One synchronous VideoRoom request; its `plugindata.data`, or `JanusError`."""
        proof = {"apisecret": engine.secret("api_secret")}
        for attempt in (1, 2):
            session, handle = self._control_handle(proof)
            try:
                answer = self._post(
                    f"{self.url}/{session}/{handle}", {"janus": "message", "body": body, **proof}
                )
                break
            except JanusError as error:
                if error.code not in (SESSION_NOT_FOUND, HANDLE_NOT_FOUND) or attempt == 2:
                    raise
                with _control_lock:  # timed out or Janus restarted: the next one is new
                    if _control.get(self.url) == (session, handle):
                        del _control[self.url]
        data: dict[str, Any] = answer.get("plugindata", {}).get("data", {})
        if "error_code" in data:
            raise JanusError(int(data["error_code"]), str(data.get("error", "")))
        return data

    def _control_handle(self, proof: dict[str, str]) -> tuple[int, int]:
        """The process's control session and VideoRoom handle at this Janus, made on first use."""
        with _control_lock:
            kept = _control.get(self.url)
            if kept is not None:
                return kept
            session = int(self._post(self.url, {"janus": "create", **proof})["data"]["id"])
            try:
                handle = int(
                    self._post(
                        f"{self.url}/{session}",
                        {"janus": "attach", "plugin": engine.VIDEOROOM, **proof},
                    )["data"]["id"]
                )
            except (requests.RequestException, JanusError, ValueError, KeyError):
                with contextlib.suppress(requests.RequestException, JanusError, ValueError):
                    self._post(f"{self.url}/{session}", {"janus": "destroy", **proof})
                raise
            _control[self.url] = (session, handle)
            return session, handle

    def create_room(
        self,
        room: str,
        *,
        description: str,
        publishers: int,
        allowed: list[str],
        keyframe_every: int = 0,
    ) -> None:
        """`keyframe_every` seconds Janus asks each publisher for a key frame (0: only when a
        subscriber needs one); a webinar's broadcast starts a segment at each (ADR 0970)."""
        self.videoroom({
            "request": "create",
            "room": room,
            "admin_key": engine.secret("admin_key"),
            "description": description[:100],
            "secret": engine.room_secret(room),
            "is_private": True,
            "publishers": publishers,
            "allowed": allowed,
            "notify_joining": True,
            "audiolevel_event": True,
            "fir_freq": keyframe_every,
        })  # fmt: skip

    def room_exists(self, room: str) -> bool:
        return bool(self.videoroom({"request": "exists", "room": room}).get("exists"))

    def destroy_room(self, room: str) -> bool:
        """False when Janus no longer had the room."""
        try:
            self.videoroom({"request": "destroy", "room": room, "secret": engine.room_secret(room)})
        except JanusError as error:
            if error.code == NO_SUCH_ROOM:
                return False
            raise
        return True

    def allow(self, room: str, tokens: list[str], *, add: bool) -> None:
        """Add tokens to the room's ACL, or take them off (a room Janus no longer has keeps no
        ACL: taking off is then done)."""
        if not add and not self.room_exists(room):
            return
        self.videoroom({
            "request": "allowed",
            "room": room,
            "secret": engine.room_secret(room),
            "action": "add" if add else "remove",
            "allowed": tokens,
        })  # fmt: skip

    def kick(self, room: str, participant: str) -> bool:
        """False when the participant was not in the room."""
        try:
            self.videoroom({
                "request": "kick",
                "room": room,
                "secret": engine.room_secret(room),
                "id": participant,
            })  # fmt: skip
        except JanusError as error:
            if error.code in (NO_SUCH_FEED, NO_SUCH_ROOM):
                return False
            raise
        return True

    def participants(self, room: str) -> list[dict[str, Any]]:
        data = self.videoroom({"request": "listparticipants", "room": room})
        return list(data.get("participants", []))

    def rtp_forward(self, room: str, participant: str, streams: list[dict[str, Any]]) -> list[int]:
        """Forward a publisher's streams (`mid`, `port`, `pt` each) as plain RTP to loopback
        (a webinar's broadcast, ADR 0970); returns the forwarders' stream ids."""
        data = self.videoroom({
            "request": "rtp_forward",
            "room": room,
            "secret": engine.room_secret(room),
            "admin_key": engine.secret("admin_key"),
            "publisher_id": participant,
            "host": "127.0.0.1",
            "streams": streams,
        })  # fmt: skip
        return [int(f["stream_id"]) for f in data.get("forwarders", [])]

    def stop_rtp_forward(self, room: str, participant: str, stream_id: int) -> bool:
        """False when Janus no longer had the forwarder (its publisher or room went)."""
        try:
            self.videoroom({
                "request": "stop_rtp_forward",
                "room": room,
                "secret": engine.room_secret(room),
                "admin_key": engine.secret("admin_key"),
                "publisher_id": participant,
                "stream_id": stream_id,
            })  # fmt: skip
        except JanusError as error:
            if error.code in (NO_SUCH_FEED, NO_SUCH_ROOM):
                return False
            raise
        return True
