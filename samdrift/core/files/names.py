"""Names and content types as users send them, made safe to store, show and download (ADR 0017).

The stored name never becomes a path (the storage key is a uuid), but it is shown in pages and
sent back in Content-Disposition, so it must open the same on Windows, macOS and Linux and carry
nothing that changes how a terminal, a browser or a file manager reads it.
"""

from __future__ import annotations

import re
import unicodedata

from django.utils.translation import gettext_lazy as _

from samdrift.core.exceptions import ValidationFailed

MAX_NAME_BYTES = 255  # what ext4, NTFS and APFS all accept for one path component
FALLBACK_CONTENT_TYPE = "application/octet-stream"

# Characters Windows refuses in a name; the path separators are among them.
FORBIDDEN_CHARS = '<>:"|?*'
_FORBIDDEN = re.compile(r'[<>:"/\\|?*]')
_SPACES = re.compile(r"\s+")
WINDOWS_RESERVED = frozenset({"CON", "PRN", "AUX", "NUL"}) | {
    f"{d}{n}" for d in ("COM", "LPT") for n in "123456789"
}
# Control, format (bidi overrides that disguise an extension), surrogate and private-use.
INVISIBLE_CATEGORIES = frozenset({"Cc", "Cf", "Cs", "Co"})


def is_windows_reserved(name: str) -> bool:
    """ "CON", "con.txt" and "Con.tar.gz" all open the console device on Windows."""
    return name.split(".")[0].strip().upper() in WINDOWS_RESERVED


_CONTENT_TYPE = re.compile(r"^[a-z0-9][a-z0-9!#$&^_.+-]{0,63}/[a-z0-9][a-z0-9!#$&^_.+-]{0,63}$")

BAD_NAME = _("The file name is empty or unusable. Rename the file and try again.")


def safe_name(name: str) -> str:
    """The name to keep for an uploaded file, or `ValidationFailed` when nothing usable is left.

    Browsers may send a whole client path (`C:\\Users\\x\\report.pdf`): only the last part is
    the file's name. Unicode is composed (NFC), so "å" typed on macOS (decomposed) and on Windows
    is one name; control and format characters (including bidi overrides that disguise an
    extension) go; Windows' forbidden characters become "_"; a Windows device name gets a "_"
    prefix; the result fits 255 UTF-8 bytes with its extension kept."""
    text = unicodedata.normalize("NFC", name or "")
    text = re.split(r"[/\\]", text)[-1]
    text = "".join(ch for ch in text if unicodedata.category(ch) not in INVISIBLE_CATEGORIES)
    text = _FORBIDDEN.sub("_", text)
    text = _SPACES.sub(" ", text).strip(" .")  # Windows drops trailing dots and spaces
    if not text or set(text) <= {"_", " ", "."}:
        raise ValidationFailed(BAD_NAME, errors={"name": [str(BAD_NAME)]})
    if is_windows_reserved(text):
        text = f"_{text}"
    return _fit(text)


def _fit(text: str) -> str:
    if len(text.encode()) <= MAX_NAME_BYTES:
        return text
    stem, dot, extension = text.rpartition(".")
    if not dot or len(extension.encode()) > 16:
        stem, extension = text, ""
    suffix = f".{extension}" if extension else ""
    budget = MAX_NAME_BYTES - len(suffix.encode())
    cut = stem.encode()[:budget].decode(errors="ignore").rstrip(" .")
    return f"{cut}{suffix}"


def clean_content_type(content_type: str | None) -> str:
    """The declared type without parameters, if it is a well-formed `type/subtype`; otherwise
    `application/octet-stream`. Downloads are always attachments with `nosniff`, so the type is a
    hint to the user's program, never a reason for the browser to render the file."""
    value = (content_type or "").split(";")[0].strip().lower()
    return value if _CONTENT_TYPE.match(value) else FALLBACK_CONTENT_TYPE
