"""Names and contents as users send them, refused when unsafe (ADR 0603).

The kernel's `samdrift.core.files.names.safe_name` *repairs* a name for storage (it keeps the last
path part, drops control characters). In a shared workspace a silently repaired name misleads the
other members, so here such names are *refused* with a message saying why, before anything is
stored; what passes is then kept as `safe_name` makes it.

The content check reads the first bytes of the upload and compares them with what the extension
promises (a ".pdf" must start "%PDF-", a ".docx" must be a ZIP, a ".txt" must be text): a file
that lies about its type is refused. Types not listed are refused too, naming what is accepted.
"""

from __future__ import annotations

import unicodedata
from typing import IO, Any

from django.utils.translation import gettext_lazy as _

from samdrift.core.exceptions import ValidationFailed
from samdrift.core.files.names import (
    FORBIDDEN_CHARS,
    INVISIBLE_CATEGORIES,
    MAX_NAME_BYTES,
    is_windows_reserved,
)

NAME_EMPTY = _("The name is empty.")
NAME_PATH = _("The name may not contain a path: no “/”, “\\” or “..”.")
NAME_CONTROL = _(
    "The name contains invisible control or direction characters (such as a right-to-left "
    "override). Rename the file with ordinary characters."
)
NAME_RESERVED = _("“%(name)s” is a reserved name on Windows (CON, PRN, AUX, NUL, COM1–9, LPT1–9).")
NAME_TOO_LONG = _("The name is too long: at most 255 bytes.")
NAME_CHARS = _('The name may not contain any of < > : " | ? *.')
TYPE_NOT_ACCEPTED = _("Files of type “.%(ext)s” are not accepted. Accepted: %(accepted)s.")
NO_EXTENSION = _("The file name has no extension, so its type cannot be checked.")
CONTENT_MISMATCH = _(
    "The content of the file does not match its extension “.%(ext)s”. Nothing was stored."
)

_ZIP = (b"PK\x03\x04",)
_OLE = (b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1",)
#: extension → accepted leading bytes; None means "text": UTF-8 without NUL bytes.
SIGNATURES: dict[str, tuple[bytes, ...] | None] = {
    "pdf": (b"%PDF-",),
    "png": (b"\x89PNG\r\n\x1a\n",),
    "jpg": (b"\xff\xd8\xff",),
    "jpeg": (b"\xff\xd8\xff",),
    "gif": (b"GIF87a", b"GIF89a"),
    "docx": _ZIP,
    "xlsx": _ZIP,
    "pptx": _ZIP,
    "odt": _ZIP,
    "ods": _ZIP,
    "odp": _ZIP,
    "zip": _ZIP,
    "doc": _OLE,
    "xls": _OLE,
    "ppt": _OLE,
    "txt": None,
    "csv": None,
    "md": None,
    "xml": None,
}
HEAD_BYTES = 8192


def _fail(field: str, message: Any, **params: Any) -> ValidationFailed:
    text = str(message) % params if params else str(message)
    return ValidationFailed(message, errors={field: [text]}, **params)


def check_name(name: str, field: str = "name") -> str:
    """The name, NFC-composed and stripped, or `ValidationFailed` saying what is wrong with it."""
    text = unicodedata.normalize("NFC", name or "").strip()
    if not text:
        raise _fail(field, NAME_EMPTY)
    if "/" in text or "\\" in text or ".." in text or text == ".":
        raise _fail(field, NAME_PATH)
    if any(unicodedata.category(ch) in INVISIBLE_CATEGORIES for ch in text):
        raise _fail(field, NAME_CONTROL)
    if set(FORBIDDEN_CHARS).intersection(text):
        raise _fail(field, NAME_CHARS)
    if is_windows_reserved(text):
        raise _fail(field, NAME_RESERVED, name=text)
    if len(text.encode()) > MAX_NAME_BYTES:
        raise _fail(field, NAME_TOO_LONG)
    return text.rstrip(" .") or text


def extension_of(name: str) -> str:
    stem, dot, ext = name.rpartition(".")
    return ext.lower() if dot and stem else ""


def check_content(stream: IO[bytes] | Any, name: str, field: str = "file") -> None:
    """Refuse a file whose first bytes do not match its extension. The stream is put back at its
    start (uploads are seekable: Django keeps them in memory or a temporary file)."""
    ext = extension_of(name)
    if not ext:
        raise _fail(field, NO_EXTENSION)
    if ext not in SIGNATURES:
        accepted = ", ".join(f".{e}" for e in sorted(SIGNATURES))
        raise _fail(field, TYPE_NOT_ACCEPTED, ext=ext, accepted=accepted)
    head = stream.read(HEAD_BYTES) or b""
    stream.seek(0)
    if isinstance(head, str):
        head = head.encode()
    expected = SIGNATURES[ext]
    if expected is None:
        ok = b"\x00" not in head and _utf8_prefix(head)
    else:
        ok = not head or any(head.startswith(sig) for sig in expected)
    if not ok:
        raise _fail(field, CONTENT_MISMATCH, ext=ext)


def _utf8_prefix(head: bytes) -> bool:
    """Whether `head` is UTF-8, allowing a character cut at the end of the sample."""
    for cut in range(4):
        try:
            head[: len(head) - cut].decode("utf-8")
        except UnicodeDecodeError:
            continue
        return True
    return False


def is_pdf(content_type: str, name: str) -> bool:
    """A PDF by its stored type or, failing that, by its name (ADRs 0608, 0618)."""
    return content_type == "application/pdf" or name.lower().endswith(".pdf")
