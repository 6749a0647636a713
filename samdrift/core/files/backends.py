"""django-storages' S3 backend with one boto3 session and one client per process (ADR 0016).

The stock backend builds a boto3 session and resource per thread. Django serves each ASGI request's
sync view in a fresh thread, so that cost (~100 ms: boto3 loads its service models) was paid on
every upload and download. Here: one session per process, created once; a resource per thread
from it for django-storages' own calls (~4 ms; resources are not thread-safe, the session is
used only under a lock); and one low-level client, which is thread-safe, for our uploads and
downloads, so they also reuse its pooled connections to the S3 server.
"""

from __future__ import annotations

import threading
from typing import Any

from storages.backends import s3

_lock = threading.Lock()


class S3Storage(s3.S3Storage):
    _session: Any = None
    _client: Any = None

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

    @property
    def client(self) -> Any:
        if self._client is None:
            with _lock:
                if self._client is None:
                    self._client = self._create_session().client(
                        "s3",
                        region_name=self.region_name,
                        use_ssl=self.use_ssl,
                        endpoint_url=self.endpoint_url,
                        config=self.client_config,
                        verify=self.verify,
                    )
        return self._client
