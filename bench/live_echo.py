"""The baseline of `bench_live.py`: a bare Channels broadcast, no samdrift at all.

`/ws/` joins one group; `/trigger/` sends each text frame it receives to that group with
`group_send`. No session, no actor, no tenancy, no database: what remains is uvicorn, Channels
and the channel layer (in memory, or Redis when REDIS_URL is set), as samdrift uses them.

    gunicorn -k uvicorn_worker.UvicornWorker bench.live_echo:application
"""

from __future__ import annotations

import os
from typing import Any

from django.conf import settings

if not settings.configured:
    settings.configure(
        CHANNEL_LAYERS={
            "default": (
                {
                    "BACKEND": "channels_redis.core.RedisChannelLayer",
                    "CONFIG": {
                        "hosts": [{"address": os.environ["REDIS_URL"], "socket_timeout": 15}],
                        "prefix": "bench-echo:",
                    },
                }
                if os.environ.get("REDIS_URL")
                else {"BACKEND": "channels.layers.InMemoryChannelLayer"}
            )
        }
    )

from channels.generic.websocket import AsyncWebsocketConsumer
from channels.routing import ProtocolTypeRouter, URLRouter
from django.urls import path

GROUP = "bench"


class Subscriber(AsyncWebsocketConsumer):
    async def connect(self) -> None:
        await self.channel_layer.group_add(GROUP, self.channel_name)
        await self.accept()

    async def disconnect(self, code: int) -> None:
        await self.channel_layer.group_discard(GROUP, self.channel_name)

    async def bench_event(self, message: dict[str, Any]) -> None:
        await self.send(text_data=message["text"])


class Trigger(AsyncWebsocketConsumer):
    async def receive(self, text_data: str | None = None, bytes_data: bytes | None = None) -> None:
        await self.channel_layer.group_send(GROUP, {"type": "bench.event", "text": text_data})


application = ProtocolTypeRouter(
    {
        "websocket": URLRouter(
            [path("ws/", Subscriber.as_asgi()), path("trigger/", Trigger.as_asgi())]
        )
    }
)
