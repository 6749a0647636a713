"""The baseline of `bench_coediting.py`: pycrdt-websocket's own Django Channels consumer
(`pycrdt.websocket.django_channels_consumer.YjsConsumer`) on the same stack samdrift uses
(uvicorn, Channels, the channel layer in memory or on Redis), and nothing else: no session, no
rights, no class, nothing written; every frame is relayed to the room as it comes.

    gunicorn -k uvicorn_worker.UvicornWorker coedit_bare:application

(pycrdt-websocket's standalone `WebsocketServer` was tried first: with version 0.16.5 a second
client of a room got no answer, so it could not carry the workload.)
"""

from __future__ import annotations

import os

from django.conf import settings

if not settings.configured:
    settings.configure(
        CHANNEL_LAYERS={
            "default": (
                {
                    "BACKEND": "channels_redis.core.RedisChannelLayer",
                    "CONFIG": {
                        "hosts": [{"address": os.environ["REDIS_URL"], "socket_timeout": 15}],
                        "prefix": "bench-coedit:",
                        "capacity": 1000,
                    },
                }
                if os.environ.get("REDIS_URL")
                # as samdrift's (config/settings/base.py): 100 a channel drops messages here
                else {
                    "BACKEND": "channels.layers.InMemoryChannelLayer",
                    "CONFIG": {"capacity": 1000},
                }
            )
        }
    )

from channels.routing import ProtocolTypeRouter, URLRouter
from django.urls import path
from pycrdt.websocket.django_channels_consumer import YjsConsumer

application = ProtocolTypeRouter(
    {"websocket": URLRouter([path("<str:room>", YjsConsumer.as_asgi())])}
)
