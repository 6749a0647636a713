"""Filling properties into Radicale's PROPFIND and REPORT answers (ADR 0648): a property Radicale
does not know comes back in a 404 propstat; samdrift moves it to the 200 one with its value."""

from __future__ import annotations

import xml.etree.ElementTree as ET
from collections.abc import Callable, Iterator
from urllib.parse import unquote

from defusedxml import ElementTree as SafeET
from radicale.xmlutils import make_clark

Fill = Callable[[ET.Element], None]


def parse(body: bytes) -> ET.Element:
    return SafeET.fromstring(body)


def serialise(root: ET.Element) -> bytes:
    return ET.tostring(root, encoding="utf-8", xml_declaration=True)


def responses(root: ET.Element) -> Iterator[tuple[str, ET.Element]]:
    """Each response of a multistatus with its (unquoted) href."""
    for response in root.findall(make_clark("D:response")):
        yield unquote(response.findtext(make_clark("D:href")) or ""), response


def found_properties(response: ET.Element) -> ET.Element | None:
    """The `D:prop` of the response's 200 propstat, if it has one."""
    for propstat in response.findall(make_clark("D:propstat")):
        if " 200 " in (propstat.findtext(make_clark("D:status")) or ""):
            return propstat.find(make_clark("D:prop"))
    return None


def fill_missing(response: ET.Element, fills: dict[str, Fill]) -> None:
    """Move each property in `fills` (Clark names) that the response lists as 404 to its 200
    propstat (made when there is none), filled; a 404 propstat left empty is dropped."""
    moved: list[str] = []
    for propstat in response.findall(make_clark("D:propstat")):
        prop = propstat.find(make_clark("D:prop"))
        if prop is None or " 404 " not in (propstat.findtext(make_clark("D:status")) or ""):
            continue
        for child in [c for c in prop if c.tag in fills]:
            prop.remove(child)
            moved.append(child.tag)
        if len(prop) == 0:
            response.remove(propstat)
    if not moved:
        return
    found = found_properties(response)
    if found is None:
        propstat = ET.SubElement(response, make_clark("D:propstat"))
        found = ET.SubElement(propstat, make_clark("D:prop"))
        ET.SubElement(propstat, make_clark("D:status")).text = "HTTP/1.1 200 OK"
    for tag in moved:
        fills[tag](ET.SubElement(found, tag))
