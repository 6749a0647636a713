"""Text out of PDF, DOCX, ODT and plain-text files, defended against hostile files (ADR 0080).

`extract_text(source, name)` looks at the content, not only the name: a file whose bytes are not
what its extension says is refused (`content_mismatch`), as is an extension we do not read
(`unsupported_type`). What can go wrong with a hostile file is bounded before it happens:

* DOCX and ODT are ZIP archives: at most `MAX_ENTRIES` entries, `MAX_UNCOMPRESSED` bytes
  uncompressed in all, no entry more than `MAX_RATIO` times its compressed size, counted on the
  bytes actually inflated (the sizes an archive declares are not trusted); encrypted entries and
  archives inside the archive are refused (`archive_refused`).
* Their XML is parsed with defusedxml: a document type declaration (the vehicle of entity
  expansion "billion laughs" and external entities) is refused, nothing is fetched from a network.
* PDF text comes from poppler's `pdftotext` in its own process, with a time limit and a memory
  limit, so a malformed or hostile PDF cannot take the worker down with it.
* The text kept is capped at `max_chars` (`SAMDRIFT_SEARCH_MAX_TEXT_CHARS`, default 500,000).

A plain function of bytes in, text out, with no database access: a background job calls it
(`samdrift.core.search.tasks.index_stored_file`) so an upload never waits for it.
"""

from __future__ import annotations

import io
import os
import resource
import shutil
import subprocess
import tempfile
import zipfile
from collections.abc import Iterator
from dataclasses import dataclass
from typing import IO, Any
from xml.etree.ElementTree import Element

from defusedxml import DefusedXmlException
from defusedxml.ElementTree import iterparse
from django.conf import settings
from django.utils.translation import gettext_lazy as _

from samdrift.core.exceptions import ValidationFailed

MAX_ENTRIES = 1000
MAX_UNCOMPRESSED = 200 * 1024 * 1024
MAX_RATIO = 200
PDF_TIMEOUT_SECONDS = 60
PDF_MEMORY_BYTES = 1024 * 1024 * 1024
DEFAULT_MAX_CHARS = 500_000
_READ = 64 * 1024

ARCHIVE_MAGIC = (b"PK\x03\x04", b"PK\x05\x06", b"\x1f\x8b", b"7z\xbc\xaf", b"Rar!", b"BZh")
NESTED_NAMES = (".zip", ".docx", ".odt", ".xlsx", ".ods", ".pptx", ".jar", ".gz", ".7z", ".rar")
OOXML_WORD = "application/vnd.openxmlformats-officedocument.wordprocessingml.document.main+xml"
ODT_MIMETYPE = b"application/vnd.oasis.opendocument.text"

W = "{http://schemas.openxmlformats.org/wordprocessingml/2006/main}"
TEXT_NS = "{urn:oasis:names:tc:opendocument:xmlns:text:1.0}"

UNSUPPORTED = _(
    "Text cannot be read from this type of file. Supported: PDF, DOCX, ODT and plain text."
)
MISMATCH = _("The file's content does not match its extension %(extension)s.")
ARCHIVE_REFUSED = _("The document was refused: %(reason)s.")
UNREADABLE = _("Text could not be read from the file: it is damaged or protected.")
TOO_MANY_ENTRIES = _("it has too many parts")
TOO_LARGE_UNPACKED = _("it unpacks to more than the allowed size")
RATIO = _("it is compressed suspiciously hard (an archive bomb)")
NESTED = _("it contains another archive")
ENCRYPTED = _("it is encrypted")
XML_REFUSED = _("its XML declares a document type or entities, which is not allowed")


class ExtractionRefused(ValidationFailed):
    code = "extraction_refused"

    def __init__(self, message: Any, code: str, **params: Any) -> None:
        text = str(message) % params if params else str(message)
        super().__init__(message, errors={"file": [text]}, **params)
        self.code = code


def _archive_refused(reason: Any) -> ExtractionRefused:
    # The reason is rendered in the user's language when the error is shown.
    return ExtractionRefused(ARCHIVE_REFUSED, "archive_refused", reason=reason)


@dataclass(frozen=True)
class Extracted:
    text: str
    format: str  # "pdf", "docx", "odt" or "text"
    truncated: bool


def max_chars_setting() -> int:
    return int(getattr(settings, "SAMDRIFT_SEARCH_MAX_TEXT_CHARS", DEFAULT_MAX_CHARS))


def extract_text(source: IO[bytes], name: str, *, max_chars: int | None = None) -> Extracted:
    """The text of a seekable binary file named `name`, or `ExtractionRefused`."""
    limit = max_chars if max_chars is not None else max_chars_setting()
    extension = os.path.splitext(name.lower())[1]
    source.seek(0)
    head = source.read(1024)
    source.seek(0)
    readers = {
        ".pdf": _pdf,
        ".docx": _docx,
        ".odt": _odt,
        ".txt": _plain,
        ".text": _plain,
        ".md": _plain,
        ".csv": _plain,
    }
    reader = readers.get(extension)
    if reader is None:
        raise ExtractionRefused(UNSUPPORTED, "unsupported_type")
    if not _matches(extension, head):
        raise ExtractionRefused(MISMATCH, "content_mismatch", extension=extension)
    text, fmt = reader(source, limit + 1)
    text = text.replace("\x00", "")
    truncated = len(text) > limit
    return Extracted(text=text[:limit], format=fmt, truncated=truncated)


def _matches(extension: str, head: bytes) -> bool:
    if extension == ".pdf":
        return b"%PDF-" in head
    if extension in (".docx", ".odt"):
        return head.startswith(b"PK\x03\x04")
    # Plain text: no known binary signature and no NUL byte in the first kilobyte.
    return not head.startswith((b"%PDF-", *ARCHIVE_MAGIC)) and b"\x00" not in head


# --- plain text -------------------------------------------------------------------------------


def decode_text(data: bytes) -> str:
    """UTF-8 (with or without a byte-order mark) when the bytes are valid UTF-8, else Latin-1
    (every byte is a character there, so this never fails: Swedish files from older Windows
    programs are Latin-1 or its superset Windows-1252, whose extra characters are rare)."""
    if data.startswith(b"\xef\xbb\xbf"):
        data = data[3:]
    try:
        return data.decode("utf-8")
    except UnicodeDecodeError as error:
        # A multi-byte character cut at the end of a capped read is still UTF-8.
        if error.start >= len(data) - 3 and error.reason == "unexpected end of data":
            return data[: error.start].decode("utf-8")
        return data.decode("latin-1")


def _plain(source: IO[bytes], limit: int) -> tuple[str, str]:
    data = source.read(limit * 4)  # a character is at most four bytes in UTF-8
    if b"\x00" in data:
        raise ExtractionRefused(MISMATCH, "content_mismatch", extension=".txt")
    return decode_text(data)[:limit], "text"


# --- ZIP-based formats ------------------------------------------------------------------------


class _Budget:
    """Counts inflated bytes across the whole archive and refuses past the cap."""

    def __init__(self) -> None:
        self.total = 0

    def take(self, amount: int) -> None:
        self.total += amount
        if self.total > MAX_UNCOMPRESSED:
            raise _archive_refused(TOO_LARGE_UNPACKED)


class _CappedEntry(io.RawIOBase):
    """An archive entry read through the budget and the per-entry ratio check."""

    def __init__(self, archive: zipfile.ZipFile, info: zipfile.ZipInfo, budget: _Budget) -> None:
        self._stream = archive.open(info)
        self._info = info
        self._budget = budget
        self._read = 0

    def readable(self) -> bool:
        return True

    def readinto(self, buffer: Any) -> int:
        chunk = self._stream.read(min(len(buffer), _READ))
        self._read += len(chunk)
        self._budget.take(len(chunk))
        if self._read > MAX_RATIO * max(self._info.compress_size, 1) and self._read > _READ:
            raise _archive_refused(RATIO)
        buffer[: len(chunk)] = chunk
        return len(chunk)

    def close(self) -> None:
        self._stream.close()
        super().close()


def _open_archive(source: IO[bytes], extension: str) -> zipfile.ZipFile:
    try:
        archive = zipfile.ZipFile(source)
    except (zipfile.BadZipFile, OSError) as error:
        raise ExtractionRefused(MISMATCH, "content_mismatch", extension=extension) from error
    infos = archive.infolist()
    if len(infos) > MAX_ENTRIES:
        raise _archive_refused(TOO_MANY_ENTRIES)
    declared = 0
    for info in infos:
        if info.flag_bits & 0x1:
            raise _archive_refused(ENCRYPTED)
        if info.filename.lower().endswith(NESTED_NAMES):
            raise _archive_refused(NESTED)
        declared += info.file_size
        if info.file_size > MAX_RATIO * max(info.compress_size, 1) and info.file_size > _READ:
            raise _archive_refused(RATIO)
    if declared > MAX_UNCOMPRESSED:
        raise _archive_refused(TOO_LARGE_UNPACKED)
    return archive


def _read_small(archive: zipfile.ZipFile, name: str, budget: _Budget, cap: int = 1 << 20) -> bytes:
    try:
        info = archive.getinfo(name)
    except KeyError:
        return b""
    with io.BufferedReader(_CappedEntry(archive, info, budget)) as entry:
        return entry.read(cap)


def _refuse_nested(archive: zipfile.ZipFile, budget: _Budget) -> None:
    """An entry that is itself an archive, whatever it is called, is refused."""
    for info in archive.infolist():
        if info.is_dir() or info.file_size < 4:
            continue
        with _CappedEntry(archive, info, budget) as entry:
            head = entry.read(4) or b""
        if head.startswith(ARCHIVE_MAGIC):
            raise _archive_refused(NESTED)


def _xml_paragraphs(stream: IO[bytes], paragraph_tags: frozenset[str], limit: int) -> Iterator[str]:
    """The text of each paragraph element, in document order, read as a stream (each paragraph
    is dropped from memory once read)."""
    produced = 0
    try:
        for _event, element in iterparse(stream, events=("end",), forbid_dtd=True):
            if element.tag in paragraph_tags:
                text = _paragraph_text(element)
                element.clear()
                produced += len(text) + 1
                yield text
                if produced > limit:
                    return
    except DefusedXmlException as error:
        raise _archive_refused(XML_REFUSED) from error
    except SyntaxError as error:  # ParseError: not well-formed XML
        raise ExtractionRefused(UNREADABLE, "unreadable") from error


def _paragraph_text(paragraph: Element) -> str:
    if paragraph.tag.startswith(TEXT_NS):
        return _odf_text(paragraph)
    parts: list[str] = []
    for element in paragraph.iter():
        if element.tag == f"{W}t":
            parts.append(element.text or "")
        elif element.tag == f"{W}tab":
            parts.append("\t")
        elif element.tag in (f"{W}br", f"{W}cr"):
            parts.append("\n")
    return "".join(parts)


def _odf_text(element: Element) -> str:
    """ODF text: character data, with `text:s`, `text:tab` and `text:line-break` as spacing."""
    parts = [element.text or ""]
    for child in element:
        if child.tag == f"{TEXT_NS}s":
            parts.append(" " * min(int(child.get(f"{TEXT_NS}c", "1") or 1), 1000))
        elif child.tag == f"{TEXT_NS}tab":
            parts.append("\t")
        elif child.tag == f"{TEXT_NS}line-break":
            parts.append("\n")
        elif child.tag in (f"{TEXT_NS}note", f"{TEXT_NS}p", f"{TEXT_NS}h"):
            pass  # read as paragraphs of their own
        else:
            parts.append(_odf_text(child))
        parts.append(child.tail or "")
    return "".join(parts)


def _zip_document(
    source: IO[bytes], extension: str, limit: int, check: str, body: str, tags: frozenset[str]
) -> str:
    archive = _open_archive(source, extension)
    budget = _Budget()
    with archive:
        _refuse_nested(archive, budget)
        marker = _read_small(archive, check, budget)
        if extension == ".docx" and OOXML_WORD.encode() not in marker:
            raise ExtractionRefused(MISMATCH, "content_mismatch", extension=extension)
        if extension == ".odt" and marker.strip() != ODT_MIMETYPE:
            raise ExtractionRefused(MISMATCH, "content_mismatch", extension=extension)
        try:
            info = archive.getinfo(body)
        except KeyError as error:
            raise ExtractionRefused(MISMATCH, "content_mismatch", extension=extension) from error
        with io.BufferedReader(_CappedEntry(archive, info, budget)) as stream:
            return "\n".join(_xml_paragraphs(stream, tags, limit))


def _docx(source: IO[bytes], limit: int) -> tuple[str, str]:
    tags = frozenset({f"{W}p"})
    return _zip_document(
        source, ".docx", limit, "[Content_Types].xml", "word/document.xml", tags
    ), "docx"


def _odt(source: IO[bytes], limit: int) -> tuple[str, str]:
    tags = frozenset({f"{TEXT_NS}p", f"{TEXT_NS}h"})
    return _zip_document(source, ".odt", limit, "mimetype", "content.xml", tags), "odt"


# --- PDF --------------------------------------------------------------------------------------


def _limit_memory() -> None:  # runs in the child before pdftotext starts
    resource.setrlimit(resource.RLIMIT_AS, (PDF_MEMORY_BYTES, PDF_MEMORY_BYTES))


def _pdf(source: IO[bytes], limit: int) -> tuple[str, str]:
    binary = shutil.which("pdftotext")
    if binary is None:  # a deployment error, not the user's: said plainly in the log and body
        raise RuntimeError("pdftotext (Debian package poppler-utils) is not installed")
    with tempfile.NamedTemporaryFile(suffix=".pdf") as copy:
        shutil.copyfileobj(source, copy, _READ)
        copy.flush()
        try:
            done = subprocess.run(  # noqa: S603 (fixed binary, our own temporary file)
                [binary, "-q", "-enc", "UTF-8", "-nopgbrk", copy.name, "-"],
                capture_output=True,
                timeout=PDF_TIMEOUT_SECONDS,
                preexec_fn=_limit_memory,
                check=False,
            )
        except subprocess.TimeoutExpired as error:
            raise ExtractionRefused(UNREADABLE, "unreadable") from error
    if done.returncode != 0:
        raise ExtractionRefused(UNREADABLE, "unreadable")
    return done.stdout[: limit * 4].decode("utf-8", errors="replace")[:limit], "pdf"
