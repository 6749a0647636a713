"""A y-websocket client in Python (pycrdt) over the real ASGI application, for the tests: it
answers the server's sync steps, applies what it receives, and sends its own edits as updates,
as the browser's y-websocket provider does."""

from __future__ import annotations

import asyncio
from collections.abc import Callable
from typing import Any

from channels.db import database_sync_to_async
from pycrdt import Doc, Text, XmlFragment, YMessageType, YSyncMessageType

from config.asgi import application
from samdrift.coediting import protocol, selectors
from samdrift.tests.websockets import WebsocketCommunicator


class YClient:
    def __init__(self, doc_id: int, cookie: str | None, query: str = "") -> None:
        headers = [(b"origin", b"http://testserver")]
        if cookie:
            headers.append((b"cookie", f"sessionid={cookie}".encode()))
        path = f"/ws/coedit/{doc_id}" + (f"?{query}" if query else "")
        self.socket = WebsocketCommunicator(application, path, headers=headers)
        self.doc = Doc()
        self.doc["default"] = self.text = Text()
        self.awareness: list[bytes] = []
        self.closed: int | None = None

    async def open(self) -> int | None:
        """Connect and finish the first sync; the close code when the server refused."""
        connected, _ = await self.socket.connect()
        assert connected
        await self.pump()
        if self.closed is None:  # our step 1, answered with the server's step 2
            await self.send(protocol.sync_frame(YSyncMessageType.SYNC_STEP1, self.doc.get_state()))
            await self.pump()
        return self.closed

    async def send(self, frame: bytes) -> None:
        await self.socket.send_to(bytes_data=frame)

    async def edit(self, change: Callable[[Text], Any]) -> bytes:
        before = self.doc.get_state()
        change(self.text)
        update = self.doc.get_update(before)
        await self.send(protocol.update_frame(update))
        return update

    async def pump(self, timeout: float = 0.3) -> None:
        """Handle what the server sent until it is quiet for `timeout` seconds."""
        while self.closed is None:
            # receive_output's own timeout would cancel the application: ask first
            if await self.socket.receive_nothing(timeout, interval=0.01):
                return
            message = await self.socket.receive_output()
            if message["type"] == "websocket.close":
                self.closed = message.get("code", 1000)
                return
            if message["type"] == "websocket.send" and message.get("bytes") is not None:
                await self._handle(message["bytes"])

    async def pump_until(self, done: Callable[[], bool], deadline: float = 20.0) -> None:
        """Handle what the server sends until `done()` holds or the socket closes. A quiet
        time alone ends too soon on a loaded machine, where a message through Redis can take
        longer than any fixed pause; the deadline only stops a test that would hang."""
        end = asyncio.get_running_loop().time() + deadline
        while not done() and self.closed is None:
            if asyncio.get_running_loop().time() > end:
                return
            await self.pump(0.05)

    async def until_closed(self) -> int | None:
        await self.pump_until(lambda: False)
        return self.closed

    async def _handle(self, data: bytes) -> None:
        frame = protocol.parse(data)
        if frame.type == YMessageType.SYNC and frame.step == YSyncMessageType.SYNC_STEP1:
            missing = self.doc.get_update(frame.payload)
            await self.send(protocol.sync_frame(YSyncMessageType.SYNC_STEP2, missing))
        elif frame.type == YMessageType.SYNC:
            self.doc.apply_update(frame.payload)
        elif frame.type == YMessageType.AWARENESS:
            self.awareness.append(frame.payload)

    async def close(self) -> None:
        await self.socket.disconnect()


def stored(doc_id: int, root: type = Text) -> str:
    """The server's stored state of the document's `default` root, as text ("" before any
    update)."""
    state, _ = selectors.doc_state(doc_id=doc_id)
    doc = Doc()
    if state:
        doc.apply_update(state)
    doc["default"] = value = root()
    return str(value)


async def until_stored(doc_id: int, expected: str, deadline: float = 20.0) -> str:
    """The stored text once it is `expected` (or whatever it is at the deadline): the server
    writes an update after the client has sent it, and a loaded machine takes its time."""
    end = asyncio.get_running_loop().time() + deadline
    while (text := await database_sync_to_async(stored)(doc_id)) != expected:
        if asyncio.get_running_loop().time() > end:
            break
        await asyncio.sleep(0.05)
    return text


def stored_note(doc_id: int) -> str:
    return stored(doc_id, XmlFragment)
