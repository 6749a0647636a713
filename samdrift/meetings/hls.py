"""A webinar's broadcast to its viewers over HLS (issue 14, ADR 0970).

Janus forwards the presenter's RTP (VideoRoom `rtp_forward`) to an ffmpeg on loopback, which
encodes it as H.264 and AAC and keeps a short rolling HLS playlist in the room's own folder.
samdrift serves that folder to the room's admitted people only (`views.hls_file`): viewers
never reach Janus, so a viewer cannot publish whatever their browser does.
"""

from __future__ import annotations

import re
import shutil
import socket
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

from samdrift.core.engines import EngineError, running_pid
from samdrift.core.engines import start as start_process
from samdrift.core.engines import stop as stop_process

from . import conf

# Payload types Janus rewrites the forwarded packets to, and the SDP tells ffmpeg.
PAYLOAD = {"audio": 111, "video": 96}
RTPMAP = {"audio": "opus/48000/2", "video": "VP8/90000"}
PLAYLIST = "index.m3u8"
SEGMENT_NAME = re.compile(r"^seg[0-9]{1,9}\.ts$")
ROOM_NAME = re.compile(r"^sd-[0-9a-f]{32}$")


@dataclass(frozen=True)
class Receiver:
    """Where ffmpeg listens for each forwarded stream (`kind` -> RTP port; RTCP is port + 1)."""

    ports: dict[str, int]


def folder(janus_room: str) -> Path:
    if not ROOM_NAME.match(janus_room):  # a path part: never anything but samdrift's own name
        raise ValueError(janus_room)
    return conf.meetings_dir() / "hls" / janus_room


def _udp_free(port: int) -> bool:
    with socket.socket(socket.AF_INET, socket.SOCK_DGRAM) as probe:
        try:
            probe.bind(("127.0.0.1", port))
        except OSError:
            return False
    return True


def _port_pair() -> int:
    """An even loopback UDP port free with the odd one above it (RTP and RTCP)."""
    for _ in range(200):
        with socket.socket(socket.AF_INET, socket.SOCK_DGRAM) as probe:
            probe.bind(("127.0.0.1", 0))
            port = int(probe.getsockname()[1]) & ~1
        if port > 1024 and _udp_free(port) and _udp_free(port + 1):
            return port
    raise EngineError("No free UDP ports for the broadcast / Inga lediga UDP-portar för sändningen")


def sdp(ports: dict[str, int]) -> str:
    lines = ["v=0", "o=- 0 0 IN IP4 127.0.0.1", "s=samdrift webinar", "c=IN IP4 127.0.0.1",
             "t=0 0"]  # fmt: skip
    for kind, port in ports.items():
        lines += [f"m={kind} {port} RTP/AVP {PAYLOAD[kind]}",
                  f"a=rtpmap:{PAYLOAD[kind]} {RTPMAP[kind]}"]  # fmt: skip
    return "\r\n".join(lines) + "\r\n"


def _argv(where: Path, kinds: set[str]) -> list[str]:
    seconds = conf.hls_segment_seconds()
    argv = [conf.ffmpeg_binary(), "-hide_banner", "-nostdin", "-loglevel", "warning",
            "-protocol_whitelist", "file,udp,rtp", "-i", str(where / "stream.sdp")]  # fmt: skip
    if "video" in kinds:
        # A key frame at every segment boundary: a viewer starts at any segment.
        argv += ["-map", "0:v:0", "-c:v", "libx264", "-preset", "veryfast", "-tune",
                 "zerolatency", "-pix_fmt", "yuv420p", "-sc_threshold", "0",
                 "-force_key_frames", f"expr:gte(t,n_forced*{seconds})"]  # fmt: skip
    if "audio" in kinds:
        argv += ["-map", "0:a:0", "-c:a", "aac", "-b:a", "96k", "-ar", "48000"]
    argv += ["-f", "hls", "-hls_time", str(seconds), "-hls_list_size", "6",
             "-hls_flags", "delete_segments+independent_segments",
             "-hls_segment_filename", str(where / "seg%d.ts"), str(where / PLAYLIST)]  # fmt: skip
    return argv


def _pid_file(janus_room: str) -> Path:
    return folder(janus_room) / "ffmpeg.pid"


def start(janus_room: str, kinds: set[str], wait: float = 10.0) -> Receiver:
    """Start ffmpeg listening for the room's forwarded `kinds` ("audio", "video"); returns its
    ports once it holds them (before that Janus's packets would be lost)."""
    if not Path(conf.ffmpeg_binary()).exists():
        raise EngineError(
            "ffmpeg is not installed: run scripts/ensure-janus.sh / "
            "ffmpeg är inte installerad: kör scripts/ensure-janus.sh"
        )
    stop(janus_room)
    where = folder(janus_room)
    where.mkdir(parents=True, mode=0o700)
    ports: dict[str, int] = {kind: _port_pair() for kind in ("audio", "video") if kind in kinds}
    (where / "stream.sdp").write_text(sdp(ports))
    first = next(iter(ports.values()))
    start_process(
        _argv(where, set(ports)),
        name="ffmpeg",
        cwd=where,
        output=where / "ffmpeg.out",
        pid_file=_pid_file(janus_room),
        probe=lambda: "" if _udp_free(first) else "listening",
        wait=wait,
    )
    return Receiver(ports)


def running(janus_room: str) -> bool:
    return running_pid(_pid_file(janus_room)) is not None


def stop(janus_room: str) -> bool:
    """Stop the room's ffmpeg and delete what it wrote; False when none ran."""
    where = folder(janus_room)
    stopped = stop_process(_pid_file(janus_room), timeout=5.0) if where.exists() else False
    shutil.rmtree(where, ignore_errors=True)
    return stopped


def stop_all() -> int:
    """Stop every broadcast's ffmpeg of this meetings folder (when its Janus stops, or a test
    ends midway); how many ran."""
    root = conf.meetings_dir() / "hls"
    rooms = [p.name for p in root.iterdir() if ROOM_NAME.match(p.name)] if root.is_dir() else []
    return sum(stop(room) for room in rooms)


def file_path(janus_room: str, name: str) -> Path | None:
    """The playlist or a segment of the room's broadcast, or None (an unknown name included)."""
    if name != PLAYLIST and not SEGMENT_NAME.match(name):
        return None
    path = folder(janus_room) / name
    return path if path.is_file() else None


def signed_playlist(text: str, query: Callable[[str], str]) -> str:
    """The playlist with each segment's address given its query (`?…`, from `query(name)`);
    any other line as ffmpeg wrote it."""
    return "".join(
        line + query(line.strip()) + "\n" if SEGMENT_NAME.match(line.strip()) else line + "\n"
        for line in text.splitlines()
    )
