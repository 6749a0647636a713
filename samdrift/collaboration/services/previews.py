"""Previews of PDFs and images (ADR 0612): a PNG made in the background, never in the web process.

A version hook queues `render_preview` for a PDF or a raster image (PNG, JPEG, GIF, WebP; never
SVG, which is a program and not accepted on upload anyway). The job copies the stored bytes to a temporary folder and renders them
in a child process with a memory and processor limit and a timeout: a PDF's first page with
poppler's `pdftoppm`, an image decoded and scaled down by Pillow (its decompression-bomb limit
on). The PNG is stored in the kernel's storage and linked to the version; pages show it as an
<img>, served with `nosniff` and a sandboxing CSP, and each showing is an audited read
(`preview`). A preview is a view, so class 3 (view only) has one too.
"""

from __future__ import annotations

import io
import logging
import resource
import subprocess
import sys
import tempfile
from pathlib import Path

from django.conf import settings
from django_tasks import task

from samdrift.core.actor import SYSTEM
from samdrift.core.files import storage
from samdrift.core.files.services import store

from ..models import Version
from .hooks import register_version_hook

log = logging.getLogger(__name__)

IMAGE_TYPES = {"image/png", "image/jpeg", "image/gif", "image/webp"}
IMAGE_SUFFIXES = {".png", ".jpg", ".jpeg", ".gif", ".webp"}
WIDTH = 1200
MEMORY_BYTES = 1024**3
CPU_SECONDS = 30
TIMEOUT_SECONDS = 60

# Runs in a child interpreter (-I: no site, no project): decode, check, scale, write a PNG.
_IMAGE_CHILD = """
import sys, warnings
from PIL import Image
Image.MAX_IMAGE_PIXELS = 50_000_000
warnings.simplefilter("error", Image.DecompressionBombWarning)
with Image.open(sys.argv[1]) as im:
    im.seek(0)
    im.thumbnail((int(sys.argv[3]), int(sys.argv[3]) * 2))
    im.convert("RGBA" if im.mode in ("RGBA", "LA", "P") else "RGB").save(sys.argv[2], "PNG")
"""


def kind_of(version: Version) -> str:
    name = version.document.name.lower()
    if version.content_type == "application/pdf" or name.endswith(".pdf"):
        return "pdf"
    if version.content_type in IMAGE_TYPES or Path(name).suffix in IMAGE_SUFFIXES:
        return "image"
    return ""


def _limits() -> None:  # pragma: no cover - runs in the child
    memory = int(getattr(settings, "SAMDRIFT_PREVIEW_MEMORY_BYTES", MEMORY_BYTES))
    resource.setrlimit(resource.RLIMIT_AS, (memory, memory))
    resource.setrlimit(resource.RLIMIT_CPU, (CPU_SECONDS, CPU_SECONDS + 1))


def render_png(source: Path, kind: str, folder: Path) -> bytes:
    """The PNG of `source` rendered in a limited child process; raises on any failure."""
    out = folder / "preview.png"
    if kind == "pdf":
        command = ["pdftoppm", "-png", "-f", "1", "-l", "1", "-singlefile",
                   "-scale-to-x", str(WIDTH), "-scale-to-y", "-1",
                   str(source), str(folder / "preview")]  # fmt: skip
    else:
        command = [sys.executable, "-I", "-c", _IMAGE_CHILD, str(source), str(out), str(WIDTH)]
    subprocess.run(  # noqa: S603 - fixed programs, our own temporary paths
        command,
        check=True,
        capture_output=True,
        timeout=TIMEOUT_SECONDS,
        preexec_fn=_limits,
    )
    data = out.read_bytes()
    if not data.startswith(b"\x89PNG"):
        raise ValueError("not a PNG")
    return data


@task()
def render_preview(version_id: int) -> str:
    version = Version.objects.select_related("document", "document__workspace", "file").get(
        id=version_id
    )
    kind = kind_of(version)
    if not kind:
        Version.objects.filter(id=version_id).update(preview_state="none")
        return "none"
    with tempfile.TemporaryDirectory(prefix="samdrift-preview-") as tmp:
        folder = Path(tmp)
        source = folder / ("source.pdf" if kind == "pdf" else "source")
        with source.open("wb") as copy:
            for chunk in storage.read_chunks(version.file.key):
                copy.write(chunk)
        try:
            png = render_png(source, kind, folder)
        except (subprocess.SubprocessError, OSError, ValueError) as error:
            log.warning("no preview of version %s: %s", version_id, error)
            Version.objects.filter(id=version_id).update(preview_state="failed")
            return "failed"
    stored = store(
        io.BytesIO(png),
        f"{Path(version.document.name).stem}.png",
        "image/png",
        actor=SYSTEM,
        owner_org_id=version.document.workspace.owner_org_id,
    )
    Version.objects.filter(id=version_id).update(preview=stored, preview_state="ready")
    return "ready"


def queue_preview(version_id: int) -> None:
    """The version hook: previewable files are queued; anything else is marked `none`."""
    version = Version.objects.select_related("document").filter(id=version_id).first()
    if version is None:
        return
    if not kind_of(version):
        Version.objects.filter(id=version_id).update(preview_state="none")
        return
    render_preview.enqueue(version_id)


register_version_hook("preview", queue_preview)
