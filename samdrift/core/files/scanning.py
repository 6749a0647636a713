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

An upload to a path in `SAMDRIFT_SCANNED_UPLOAD_PATHS` is sent to clamd while it arrives
(`StreamScan`, fed by `core.files.uploads`, ADR 0670): `require_clean` then only waits for the
verdict on the very bytes received, instead of reading the file again after it arrived.
"""

from __future__ import annotations

import logging
import socket
import struct
from collections import deque
from concurrent.futures import Future
from dataclasses import dataclass
from typing import IO, Any, Literal
from urllib.parse import urlsplit

from django.conf import settings
from django.utils.translation import gettext_lazy as _

from samdrift.core.exceptions import DomainError, ValidationFailed
from samdrift.core.lent_threads import LentThread, stream_threads

log = logging.getLogger(__name__)

CHUNK = 64 * 1024
DEFAULT_ADDRESS = "unix:///run/clamav/clamd.ctl"
DEFAULT_TIMEOUT = 60.0

MALWARE = _("The file was refused: the virus scanner found malicious content in it.")
UNAVAILABLE = _("The file could not be checked for viruses right now. Try again in a while.")

Status = Literal["clean", "infected", "error"]

# clamd stops scanning a file past its MaxFileSize, MaxScanSize and the like. With
# `AlertExceedsMax yes` it says so with this signature; without it, it answers OK for bytes it
# never scanned (a 101 MB file with EICAR at its end was "OK" with the defaults). samdrift's
# clamd configuration sets it (docs/domains/files.md), and the answer is an error: fail closed.
LIMITS_EXCEEDED = "Heuristics.Limits.Exceeded"


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


class StreamScan:
    """clamd's INSTREAM fed while an upload arrives: the connection, each chunk and the end are
    sent in order in a lent thread, so the caller (the multipart parser) does not wait for clamd;
    at most `AHEAD` chunks wait to be sent. `result()` ends the stream and returns the verdict
    (once; later calls return it again). A failure to reach or feed clamd is an `error` result,
    never a clean one. `abort()` drops the stream (an upload refused on the way)."""

    AHEAD = 2

    def __init__(self, client: ClamdClient) -> None:
        self._client = client
        self._sock: socket.socket | None = None
        self._failure = ""
        self._verdict: ScanResult | None = None
        self._executor: LentThread | None = stream_threads.borrow()
        self._pending: deque[Future[None]] = deque([self._executor.submit(self._open)])

    def feed(self, chunk: bytes) -> None:
        if self._executor is None:
            raise RuntimeError("the scan has ended")
        self._pending.append(self._executor.submit(self._send, chunk))
        while len(self._pending) > self.AHEAD:
            self._pending.popleft().result()

    def result(self) -> ScanResult:
        if self._verdict is None:
            executor = self._executor
            if executor is None:
                return ScanResult("error", detail="the scan was aborted")
            self._verdict = executor.submit(self._finish).result()
            self._release()
        return self._verdict

    def abort(self) -> None:
        if self._executor is not None:
            self._executor.submit(self._close).result()
            self._release()

    def _release(self) -> None:
        self._pending.clear()
        executor, self._executor = self._executor, None
        if executor is not None:
            stream_threads.give_back(executor)

    # In the lent thread, in order:

    def _open(self) -> None:
        try:
            self._sock = self._client._connect()
            self._sock.sendall(b"zINSTREAM\0")
        except OSError as error:
            self._fail(error)

    def _send(self, chunk: bytes) -> None:
        if self._sock is None or not chunk:
            return
        try:
            self._sock.sendall(struct.pack("!L", len(chunk)))
            self._sock.sendall(chunk)
        except OSError as error:  # usually clamd's StreamMaxLength: it stopped reading
            self._fail(error)

    def _finish(self) -> ScanResult:
        if self._sock is None:
            return ScanResult("error", detail=self._failure or "no connection to clamd")
        try:
            self._sock.sendall(struct.pack("!L", 0))
            answer = self._client._reply(self._sock)
        except OSError as error:
            self._fail(error)
            return ScanResult("error", detail=self._failure)
        finally:
            self._close()
        return parse_reply(answer)

    def _fail(self, error: OSError) -> None:
        self._failure = f"{type(error).__name__}: {error}"
        self._close()

    def _close(self) -> None:
        sock, self._sock = self._sock, None
        if sock is not None:
            sock.close()


def stream_scan() -> StreamScan | None:
    """A scan to feed while an upload arrives; None when scanning is switched off."""
    client = configured_client()
    return StreamScan(client) if client is not None else None


def stream_scan_for(path: str, body_bytes: int = 0) -> StreamScan | None:
    """A scan to feed while an upload to `path` arrives, when uploads there are scanned and a
    clamd is configured; None otherwise, and None for a body large enough to be held for a scan
    after it is stored (`may_hold`, ADR 0688): that scan reads the stored bytes later, so
    sending them to clamd now would only make the upload wait for clamd."""
    if not _scanned_path(path) or may_hold(body_bytes):
        return None
    return stream_scan()


def scanned_after_storing(path: str, body_bytes: int) -> bool:
    """Whether an upload to `path` is not scanned as it arrives because its body is large
    enough to be held (`stream_scan_for`): its service holds it, judged by the same number,
    rather than by the file's own size a few hundred bytes smaller (ADR 0690)."""
    return _scanned_path(path) and may_hold(body_bytes)


def _scanned_path(path: str) -> bool:
    prefixes = tuple(getattr(settings, "SAMDRIFT_SCANNED_UPLOAD_PATHS", ()))
    return bool(prefixes) and path.startswith(prefixes)


def hold_from_bytes() -> int:
    """`SAMDRIFT_SCAN_HOLD_FROM_BYTES`: an upload at least this large, where its service may hold
    it, is stored first and scanned after the answer; nothing reads it until found clean (ADR
    0688). 0: never held, every upload waits for its verdict."""
    return int(getattr(settings, "SAMDRIFT_SCAN_HOLD_FROM_BYTES", 8 * 1024 * 1024))


def may_hold(size: int) -> bool:
    """Whether an upload of `size` bytes is held for a scan after it is stored: large enough, and
    a clamd to scan it (with scanning switched off nothing is held: there is no verdict)."""
    threshold = hold_from_bytes()
    return 0 < threshold <= size and configured_client() is not None


def parse_reply(answer: str) -> ScanResult:
    """``stream: OK`` / ``stream: Name FOUND`` / ``… ERROR`` (anything else is an error too)."""
    if answer.endswith("ERROR") or not answer.startswith("stream:"):
        return ScanResult("error", detail=answer or "no answer from clamd")
    verdict = answer.removeprefix("stream:").strip()
    if verdict == "OK":
        return ScanResult("clean")
    if verdict.endswith(" FOUND"):
        signature = verdict.removesuffix(" FOUND").strip()
        if signature.startswith(LIMITS_EXCEEDED):  # not scanned whole: nothing is known
            return ScanResult("error", detail=f"clamd's scan limits were exceeded: {signature}")
        return ScanResult("infected", signature=signature)
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
    streamed: StreamScan | None = getattr(stream, "scan", None) if client is None else None
    if streamed is not None:  # sent to clamd while it arrived: its verdict on those bytes
        result = streamed.result()
    else:
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
