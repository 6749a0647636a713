"""XML as every XML reader of reports takes it (ADR 0957, 0969, 0971, 0661): parsed with
defusedxml, so a document type declaration, external entities or entity expansion (billion
laughs) are refused before anything is read, and broken XML is refused naming the problem.
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from xml.etree.ElementTree import Element

from defusedxml import DefusedXmlException
from defusedxml.ElementTree import ParseError, fromstring, iterparse
from django.utils.translation import gettext_lazy as _

from .refusal import refuse


@contextmanager
def xml_refusals() -> Iterator[None]:
    """defusedxml's and expat's errors inside the block, as the refusal of the file."""
    try:
        yield
    except DefusedXmlException:
        raise refuse(
            _("The XML file declares a document type or entities, which samdrift does not read.")
        ) from None
    except ParseError as error:
        raise refuse(_("The file is not valid XML: %(problem)s."), problem=str(error)) from None


def safe_xml(data: bytes) -> Element:
    """The document's root, or a refusal: no DTD, no entities (XXE, billion laughs)."""
    with xml_refusals():
        return fromstring(data, forbid_dtd=True)


def xml_root_tag(path: Path) -> str:
    """The tag of the file's root element, read from its first start tag (checked like a whole
    file: no DTD, no entities)."""
    with xml_refusals(), path.open("rb") as file:
        for _event, element in iterparse(file, events=("start",), forbid_dtd=True):
            return str(element.tag)
    return ""  # iterparse raises on a file without an element; for mypy


def local_name(tag: str) -> str:
    """A tag without its namespace: `{http://cyclonedx.org/schema/bom/1.6}bom` is `bom`."""
    return tag.rsplit("}", 1)[-1]
