"""The Yjs sync and awareness protocol as y-websocket speaks it, read strictly (ADR 0681).

A frame is `varuint type` then the type's body: SYNC (0) carries `varuint step` and a
length-prefixed payload (step 1: a state vector; step 2 and update: a Yjs update); AWARENESS (1)
carries one length-prefixed awareness update; QUERY_AWARENESS (3) nothing. Anything else, or a
frame with bytes missing or left over, is a `ProtocolError`, never a half-read message.
"""

from __future__ import annotations

import json
from dataclasses import dataclass

from pycrdt import YMessageType, YSyncMessageType, write_var_uint

#: A few screens of typing or one pasted page; a bigger frame is refused, not truncated.
MAX_FRAME_BYTES = 512 * 1024
#: Who is here and where their cursor is: a few hundred bytes per person.
MAX_AWARENESS_BYTES = 16 * 1024


class ProtocolError(ValueError):
    """A frame that is not a complete, known y-websocket message."""


@dataclass(frozen=True)
class Frame:
    type: int
    step: int | None = None  # YSyncMessageType for SYNC frames
    payload: bytes = b""


class _Reader:
    def __init__(self, data: bytes) -> None:
        self.data, self.at = data, 0

    def uint(self) -> int:
        value, shift = 0, 0
        while True:
            if self.at >= len(self.data) or shift > 63:
                raise ProtocolError("truncated number")
            byte = self.data[self.at]
            self.at += 1
            value |= (byte & 0x7F) << shift
            shift += 7
            if byte < 0x80:
                return value

    def chunk(self) -> bytes:
        length = self.uint()
        end = self.at + length
        if end > len(self.data):
            raise ProtocolError("truncated payload")
        value, self.at = self.data[self.at : end], end
        return value

    def done(self) -> None:
        if self.at != len(self.data):
            raise ProtocolError("bytes after the message")


def parse(frame: bytes) -> Frame:
    if not frame:
        raise ProtocolError("empty frame")
    if len(frame) > MAX_FRAME_BYTES:
        raise ProtocolError("frame too large")
    reader = _Reader(frame)
    kind = reader.uint()
    if kind == YMessageType.SYNC:
        step = reader.uint()
        if step not in {s.value for s in YSyncMessageType}:
            raise ProtocolError("unknown sync step")
        payload = reader.chunk()
        reader.done()
        return Frame(kind, step, payload)
    if kind == YMessageType.AWARENESS:
        payload = reader.chunk()
        reader.done()
        if len(payload) > MAX_AWARENESS_BYTES:
            raise ProtocolError("awareness too large")
        return Frame(kind, None, payload)
    if kind == 3:  # query awareness: no body
        reader.done()
        return Frame(kind)
    raise ProtocolError("unknown message type")


def sync_frame(step: int, payload: bytes) -> bytes:
    return write_var_uint(YMessageType.SYNC) + write_var_uint(step) + _chunk(payload)


def update_frame(update: bytes) -> bytes:
    return sync_frame(YSyncMessageType.SYNC_UPDATE, update)


def awareness_frame(payload: bytes) -> bytes:
    return write_var_uint(YMessageType.AWARENESS) + _chunk(payload)


QUERY_AWARENESS_FRAME = write_var_uint(3)


def _chunk(data: bytes) -> bytes:
    return write_var_uint(len(data)) + data


def stamp_awareness(payload: bytes, *, name: str) -> bytes:
    """The awareness update with each state's `user.name` set to who is logged in: presence
    shows the real person, whatever name the script claims (ADR 0681)."""
    reader = _Reader(payload)
    out = [write_var_uint(count := reader.uint())]
    for _ in range(count):
        client, clock = reader.uint(), reader.uint()
        try:
            state = json.loads(reader.chunk().decode("utf-8"))
        except (UnicodeDecodeError, ValueError) as exc:
            raise ProtocolError("awareness state is not JSON") from exc
        if isinstance(state, dict):
            user = state.get("user")
            state["user"] = {**(user if isinstance(user, dict) else {}), "name": name}
        elif state is not None:
            raise ProtocolError("awareness state is not an object")
        text = json.dumps(state, ensure_ascii=False, separators=(",", ":")).encode()
        out += [write_var_uint(client), write_var_uint(clock), _chunk(text)]
    reader.done()
    return b"".join(out)


def awareness_clients(payload: bytes) -> list[tuple[int, int]]:
    """The (client id, clock) pairs an awareness update speaks for."""
    reader = _Reader(payload)
    found = []
    for _ in range(reader.uint()):
        client, clock = reader.uint(), reader.uint()
        reader.chunk()
        found.append((client, clock))
    return found
