"""Malware scanning with ClamAV's daemon, clamd (ADR 0085).

The client speaks clamd's documented protocol itself (`man clamd`, "INSTREAM"): the command
`zINSTREAM\\0`, then the file in chunks, each a 4-byte big-endian length and that many bytes, then
a zero length; clamd answers one line ending in NUL: ``stream: OK``, ``stream: <signature>
FOUND`` or ``<text> ERROR``. It is a dozen lines, and the Python clients on PyPI (`clamd`,
`pyclamd`) have had no release since 2014 and 2017.

`SAMDRIFT_CLAMD` says where clamd listens: ``unix:///run/clamav/clamd.ctl`` (Debian's default,
also the default here) or ``tcp://127.0.0.1:3310``. Unset or empty with `SAMDRIFT_CLAMD_REQUIRED`
false (development) means no scanning; in production it is required, and an unreachable clamd
refuses the upload (fail closed) rather than storing an unscanned file.

An upload path calls `require_clean(stream)` before it stores the bytes: it returns the result
when clean and raises `MalwareFound` (422, both languages, the signature in the log and the
error's params) or `ScanUnavailable` (503) otherwise. `scan(stream)` returns the `ScanResult`
without raising, for a background re-scan.
"""

from __future__ import annotations

import logging
import socket
import struct
from dataclasses import dataclass
from typing import IO, Any, Literal
from urllib.parse import urlsplit

from django.conf import settings
from django.utils.translation import gettext_lazy as _

from samdrift.core.exceptions import DomainError, ValidationFailed

log = logging.getLogger(__name__)

CHUNK = 64 * 1024
DEFAULT_ADDRESS = "unix:///run/clamav/clamd.ctl"
DEFAULT_TIMEOUT = 60.0

MALWARE = _("The file was refused: the virus scanner found malicious content in it.")
UNAVAILABLE = _("The file could not be checked for viruses right now. Try again in a while.")

Status = Literal["clean", "infected", "error"]


@dataclass(frozen=True)
class ScanResult:
    status: Status
    signature: str = ""  # the name clamd gives, when infected
    detail: str = ""  # clamd's answer or the connection error, when status is "error"

    @property
    def clean(self) -> bool:
        return self.status == "clean"


class MalwareFound(ValidationFailed):
    code = "malware_found"

    def __init__(self, signature: str) -> None:
        super().__init__(MALWARE, errors={"file": [str(MALWARE)]})
        self.signature = signature


class ScanUnavailable(DomainError):
    code = "scan_unavailable"
    http_status = 503

    def __init__(self, detail: str) -> None:
        super().__init__(UNAVAILABLE)
        self.detail = detail


class ClamdClient:
    """One connection per call; thread-safe because it keeps no connection."""

    def __init__(self, address: str = DEFAULT_ADDRESS, *, timeout: float = DEFAULT_TIMEOUT) -> None:
        parts = urlsplit(address)
        if parts.scheme == "unix" and (parts.path or parts.netloc):
            self.family = socket.AF_UNIX
            self.target: Any = parts.netloc + parts.path
        elif parts.scheme == "tcp" and parts.hostname and parts.port:
            self.family = socket.AF_INET6 if ":" in parts.hostname else socket.AF_INET
            self.target = (parts.hostname, parts.port)
        else:
            raise ValueError(f"SAMDRIFT_CLAMD must be unix:///path or tcp://host:port: {address!r}")
        self.address = address
        self.timeout = timeout

    def _connect(self) -> socket.socket:
        sock = socket.socket(self.family, socket.SOCK_STREAM)
        sock.settimeout(self.timeout)
        try:
            sock.connect(self.target)
        except OSError:
            sock.close()
            raise
        return sock

    @staticmethod
    def _reply(sock: socket.socket) -> str:
        data = b""
        while not data.endswith(b"\0"):
            chunk = sock.recv(4096)
            if not chunk:
                break
            data += chunk
            if len(data) > 65536:
                break
        return data.rstrip(b"\0").decode("utf-8", errors="replace").strip()

    def ping(self) -> bool:
        try:
            with self._connect() as sock:
                sock.sendall(b"zPING\0")
                return self._reply(sock) == "PONG"
        except OSError:
            return False

    def version(self) -> str:
        with self._connect() as sock:
            sock.sendall(b"zVERSION\0")
            return self._reply(sock)

    def scan_stream(self, stream: IO[bytes] | Any) -> ScanResult:
        """Send the stream's bytes from where it is to its end; never raises for clamd's or the
        network's failures (they are an `error` result)."""
        try:
            with self._connect() as sock:
                sock.sendall(b"zINSTREAM\0")
                while chunk := stream.read(CHUNK):
                    sock.sendall(struct.pack("!L", len(chunk)) + chunk)
                sock.sendall(struct.pack("!L", 0))
                answer = self._reply(sock)
        except OSError as error:
            # A broken pipe while sending usually means clamd stopped reading: its StreamMaxLength
            # was reached. Either way nothing is known about the file.
            return ScanResult("error", detail=f"{type(error).__name__}: {error}")
        return parse_reply(answer)


def parse_reply(answer: str) -> ScanResult:
    """``stream: OK`` / ``stream: Name FOUND`` / ``… ERROR`` (anything else is an error too)."""
    if answer.endswith("ERROR") or not answer.startswith("stream:"):
        return ScanResult("error", detail=answer or "no answer from clamd")
    verdict = answer.removeprefix("stream:").strip()
    if verdict == "OK":
        return ScanResult("clean")
    if verdict.endswith(" FOUND"):
        return ScanResult("infected", signature=verdict.removesuffix(" FOUND").strip())
    return ScanResult("error", detail=answer)


def configured_client() -> ClamdClient | None:
    """The client for `SAMDRIFT_CLAMD`, or None when scanning is switched off (an empty value)."""
    address = getattr(settings, "SAMDRIFT_CLAMD", DEFAULT_ADDRESS)
    if not address:
        return None
    timeout = float(getattr(settings, "SAMDRIFT_CLAMD_TIMEOUT", DEFAULT_TIMEOUT))
    return ClamdClient(address, timeout=timeout)


def scan(stream: IO[bytes] | Any, *, client: ClamdClient | None = None) -> ScanResult:
    """The configured clamd's verdict on the stream (read from where it is to its end). With
    scanning switched off, an `error` result saying so: never a silent "clean"."""
    client = client or configured_client()
    if client is None:
        return ScanResult("error", detail="scanning is switched off (SAMDRIFT_CLAMD is empty)")
    return client.scan_stream(stream)


def require_clean(stream: IO[bytes] | Any, *, client: ClamdClient | None = None) -> ScanResult:
    """For the upload path, before storing: the stream is rewound after the scan when it can
    be. Raises `MalwareFound` or `ScanUnavailable`; returns the clean result. When scanning is
    switched off and `SAMDRIFT_CLAMD_REQUIRED` is false (development only), lets the file
    through with an `error` result the caller may record."""
    client = client or configured_client()
    if client is None and not getattr(settings, "SAMDRIFT_CLAMD_REQUIRED", False):
        return ScanResult("error", detail="scanning is switched off")
    start = stream.tell() if hasattr(stream, "seekable") and stream.seekable() else None
    result = scan(stream, client=client)
    if start is not None:
        stream.seek(start)
    if result.status == "infected":
        log.warning("malware refused: %s", result.signature)
        raise MalwareFound(result.signature)
    if result.status == "error":
        log.error("virus scan unavailable: %s", result.detail)
        raise ScanUnavailable(result.detail)
    return result
