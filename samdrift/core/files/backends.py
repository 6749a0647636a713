"""django-storages' S3 backend with one boto3 session and one client per process (ADR 0016).

The stock backend builds a boto3 session and resource per thread. Django serves each ASGI request's
sync view in a fresh thread, so that cost (~100 ms: boto3 loads its service models) was paid on
every upload and download. Here: one session per process, created once; a resource per thread
from it for django-storages' own calls (~4 ms; resources are not thread-safe, the session is
used only under a lock); and one low-level client, which is thread-safe, for our uploads and
downloads, so they also reuse its pooled connections to the S3 server.

A second client, `checked_client`, is for writes that carry our SHA-256 of the whole body in
`x-amz-checksum-sha256` (ADR 0620). That header is signed and the S3 server refuses a body that
does not match it, so the body is not hashed a second time for SigV4 (UNSIGNED-PAYLOAD): the
same protection against a changed or damaged body for one SHA-256 pass instead of two. The
parts of an upload sent while it arrives carry their CRC32 instead (ADR 0669): the S3 server
refuses a damaged part, and the whole file's SHA-256 is checked on every read.
"""

from __future__ import annotations

import threading
from typing import Any

from botocore.config import Config
from storages.backends import s3

_lock = threading.Lock()


class S3Storage(s3.S3Storage):
    _session: Any = None
    _client: Any = None
    _checked_client: Any = None

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
                    self._client = self._new_client(self.client_config)
        return self._client

    @property
    def checked_client(self) -> Any:
        """The client for writes that carry a checksum the S3 server checks (and only those)."""
        if self._checked_client is None:
            with _lock:
                if self._checked_client is None:
                    s3_options = dict((self.client_config and self.client_config.s3) or {})
                    s3_options["payload_signing_enabled"] = False
                    config = Config(s3=s3_options)
                    if self.client_config is not None:
                        config = self.client_config.merge(config)
                    self._checked_client = self._new_client(config)
        return self._checked_client

    def _new_client(self, config: Any) -> Any:
        return self._create_session().client(
            "s3",
            region_name=self.region_name,
            use_ssl=self.use_ssl,
            endpoint_url=self.endpoint_url,
            config=config,
            verify=self.verify,
        )
