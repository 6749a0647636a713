"""Reading scanner reports (ADR 0951): the format is recognised from the content, never from the
file name, and each format is read into the same `Parsed` findings with a documented
deduplication key. Nothing here touches the database; a report that cannot be read raises
`ReportRefused` with a message naming the problem in Swedish and English.
"""

from __future__ import annotations

import json
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

from django.utils.translation import gettext_lazy as _

from . import cyclonedx_xml
from .csaf import is_csaf, read_csaf
from .cyclonedx import cyclonedx_report
from .greenbone import greenbone_report, streamed_greenbone_report
from .grype import grype_report
from .parsed import Parsed as Parsed
from .parsed import Report as Report
from .refusal import ReportRefused as ReportRefused
from .refusal import refuse as _refuse
from .safexml import safe_xml, xml_root_tag
from .sarif import sarif_report
from .streamed import ReportStream
from .trivy import trivy_report
from .vex import VexDocument, is_openvex, read_openvex

#: A report given as bytes beyond this is refused before parsing.
MAX_BYTES = 50 * 1024 * 1024
#: A file up to this size is read whole (`json.loads`: quicker, and its errors name line and
#: column); a larger one is streamed from the file (JSON and Greenbone XML: ADR 0971; CycloneDX
#: XML: ADR 0661), up to MAX_STREAMED_BYTES.
READ_WHOLE_UP_TO = 4 * 1024 * 1024
MAX_STREAMED_BYTES = 4 * 1024 * 1024 * 1024


# --- recognising the format --------------------------------------------------------------------


def _recognise(document: Any) -> Callable[[Any], Report | VexDocument]:
    if isinstance(document, list):
        if document and all(isinstance(item, dict) and "Target" in item for item in document):
            return trivy_report
    elif isinstance(document, dict):
        if "SchemaVersion" in document and "Results" in document:
            return trivy_report
        if "ClusterName" in document:
            return trivy_report
        descriptor = document.get("descriptor")
        if "matches" in document and (
            (isinstance(descriptor, dict) and descriptor.get("name") == "grype")
            or "source" in document
        ):
            return grype_report
        if "runs" in document and str(document.get("version", "")).startswith("2.1"):
            return sarif_report
        if "runs" in document and "sarif" in str(document.get("$schema", "")).lower():
            raise _refuse(
                _("SARIF version %(version)s is not supported: only SARIF 2.1."),
                version=str(document.get("version", "?")),
            )
        if document.get("bomFormat") == "CycloneDX":
            return cyclonedx_report
        if is_openvex(document):
            return read_openvex
        if is_csaf(document):
            return read_csaf
    raise _refuse(
        _(
            "The file is not a report samdrift recognises: expected Trivy JSON, Anchore Grype "
            "JSON, SARIF 2.1, CycloneDX JSON, OpenVEX or CSAF 2.0."
        )
    )


def parse(data: bytes) -> Report | VexDocument:
    """Read a report from its bytes: JSON formats by their content, XML as a Greenbone/OpenVAS
    report (ADR 0957). Refused with a message naming the problem: an empty file, a file too
    large, text that is not UTF-8 JSON (with the line and column), dangerous or broken XML, an
    unknown document, or a recognised document with a missing or malformed field."""
    if not data or not data.strip():
        raise _refuse(_("The file is empty."))
    if len(data) > MAX_BYTES:
        raise _refuse(_("The file is larger than %(limit)s MB."), limit=MAX_BYTES // 1024 // 1024)
    if data.lstrip()[:1] == b"<":
        root = safe_xml(data)
        if cyclonedx_xml.is_bom(root):  # CycloneDX XML: read as its JSON encoding (ADR 0969)
            return cyclonedx_report(cyclonedx_xml.as_json(root))
        return greenbone_report(root)
    try:
        document = json.loads(data)
    except UnicodeDecodeError:
        raise _refuse(_("The file is not UTF-8 text.")) from None
    except json.JSONDecodeError as error:
        raise _refuse(
            _("The file is not valid JSON: %(problem)s at line %(line)s, column %(column)s."),
            problem=error.msg,
            line=error.lineno,
            column=error.colno,
        ) from None
    return _recognise(document)(document)


@contextmanager
def read_report(path: Path) -> Iterator[Report | VexDocument]:
    """Read a report from a file, as `parse` does, without holding a large one in memory: the
    findings of a JSON report, a Greenbone report or a CycloneDX XML BOM are read from the file
    as they are iterated, inside this block (ADR 0971, 0661). The whole file is checked as JSON
    or XML before anything is yielded."""
    size = path.stat().st_size
    if size <= READ_WHOLE_UP_TO:
        yield parse(path.read_bytes())
        return
    if size > MAX_STREAMED_BYTES:
        raise _refuse(
            _("The file is larger than %(limit)s MB."), limit=MAX_STREAMED_BYTES // 1024 // 1024
        )
    with path.open("rb") as file:
        xml = file.read(4096).lstrip()[:1] == b"<"
    if xml and cyclonedx_xml.is_bom_tag(xml_root_tag(path)):
        yield cyclonedx_report(cyclonedx_xml.streamed_as_json(path))  # ADR 0661
        return
    if xml:  # Greenbone; any other XML is refused once checked
        yield streamed_greenbone_report(path)
        return
    with ReportStream(path) as stream:
        yield _recognise(stream.document)(stream.document)
