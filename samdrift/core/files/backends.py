"""django-storages' S3 backend with one boto3 session per process (ADR 0016).

The stock backend builds a boto3 session and resource per thread. Django serves each ASGI request's
sync view in a fresh thread, so that cost (~100 ms: boto3 loads its service models) was paid on
every upload and download. One session per process, created once, and a resource per thread
from it (~4 ms; resources are not thread-safe, the session is shared only under a lock).
"""

from __future__ import annotations

import threading
from typing import Any

from storages.backends import s3

_lock = threading.Lock()


class S3Storage(s3.S3Storage):
    _session: Any = None

    def _create_session(self) -> Any:
        if self._session is None:
            self._session = super()._create_session()
        return self._session

    @property
    def connection(self) -> Any:
        connection = getattr(self._connections, "connection", None)
        if connection is None:
            with _lock:
                connection = super().connection
        return connection
