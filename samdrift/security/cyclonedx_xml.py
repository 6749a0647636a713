"""CycloneDX XML read into the shape of CycloneDX JSON (ADR 0969), so one reader
(`cyclonedx.cyclonedx_report`) and one deduplication key serve both encodings.

Any schema version 1.0–1.6: elements are matched by local name, whatever the namespace. Only
what the reader uses is carried over: components (nested, with bom-ref, name, version, purl),
the metadata's component, and vulnerabilities (id, ratings, description, detail,
recommendation, references, analysis, affects). The XML itself is parsed with defusedxml (no
DTD, no entities): whole by the caller (`as_json`), or, for a large file, here from the file one
vulnerability at a time (`streamed_as_json`, ADR 0661).
"""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path
from typing import Any
from xml.etree.ElementTree import Element

from defusedxml.ElementTree import iterparse

from .safexml import local_name as _local
from .safexml import xml_refusals


def is_bom(root: Element) -> bool:
    return is_bom_tag(root.tag)


def is_bom_tag(tag: str) -> bool:
    return _local(tag) == "bom"


def as_json(root: Element) -> dict[str, Any]:
    metadata = _child(root, "metadata")
    meta_component = _child(metadata, "component") if metadata is not None else None
    return {
        "bomFormat": "CycloneDX",
        "metadata": {"component": _component(meta_component)} if meta_component is not None else {},
        "components": [_component(c) for c in _children(_child(root, "components"), "component")],
        "vulnerabilities": [
            _vulnerability(v) for v in _children(_child(root, "vulnerabilities"), "vulnerability")
        ],
    }


def _child(element: Element | None, name: str) -> Element | None:
    if element is None:
        return None
    return next((c for c in element if _local(c.tag) == name), None)


def _children(element: Element | None, name: str) -> list[Element]:
    return [] if element is None else [c for c in element if _local(c.tag) == name]


def _text(element: Element | None, name: str) -> str | None:
    child = _child(element, name)
    return (child.text or "").strip() if child is not None else None


def _component(element: Element) -> dict[str, Any]:
    found = {
        "bom-ref": element.get("bom-ref"),
        "name": _text(element, "name"),
        "version": _text(element, "version"),
        "purl": _text(element, "purl"),
        "components": [
            _component(c) for c in _children(_child(element, "components"), "component")
        ],
    }
    return {key: value for key, value in found.items() if value not in (None, [])}


def _number(value: str | None) -> float | str | None:
    try:
        return float(value) if value else None
    except ValueError:
        return value  # left as text: the reader ignores a score that is not a number


def _vulnerability(element: Element) -> dict[str, Any]:
    ratings = [
        {"severity": _text(rating, "severity"), "score": _number(_text(rating, "score"))}
        for rating in _children(_child(element, "ratings"), "rating")
    ]
    analysis = _child(element, "analysis")
    found = {
        "id": _text(element, "id"),
        "ratings": ratings,
        "description": _text(element, "description"),
        "detail": _text(element, "detail"),
        "recommendation": _text(element, "recommendation"),
        "references": [
            {"id": _text(reference, "id")}
            for reference in _children(_child(element, "references"), "reference")
        ],
        "affects": [
            {"ref": _text(target, "ref")}
            for target in _children(_child(element, "affects"), "target")
        ],
        "analysis": {
            "state": _text(analysis, "state"),
            "justification": _text(analysis, "justification"),
            "detail": _text(analysis, "detail"),
        }
        if analysis is not None
        else None,
    }
    return {key: value for key, value in found.items() if value is not None}


# --- a BOM too large to hold: read from its file, one vulnerability at a time -------------------


def streamed_as_json(path: Path) -> dict[str, Any]:
    """What `as_json` gives of the whole tree, read from the file: its vulnerabilities a list
    read from the file again each time it is iterated, one vulnerability at a time.

    One pass over the file checks it whole as XML (no DTD, no entities) and keeps of its
    components only what the reader uses (bom-ref, name, version and purl of each that has a
    bom-ref, in the reader's order); a vulnerability with a missing field is refused by the
    reader as it is reached. The caller has seen the root element is `bom`
    (`safexml.xml_root_tag`)."""
    components: list[dict[str, str]] = []
    count = sum(1 for _vulnerability in _read(path, components))
    return {
        "bomFormat": "CycloneDX",
        "components": components,
        "vulnerabilities": _VulnerabilitiesInFile(path, count),
    }


class _VulnerabilitiesInFile(list):
    """The BOM's vulnerabilities, in the JSON shape, read from the file again on each iteration.
    A list to the reader's check (`as_list`), like `streamed.StreamedList`; it only iterates it."""

    def __init__(self, path: Path, count: int) -> None:
        super().__init__()
        self._path, self._count = path, count

    def __len__(self) -> int:
        return self._count

    def __bool__(self) -> bool:
        return self._count > 0

    def __iter__(self) -> Iterator[dict[str, Any]]:
        for element in _read(self._path, None):
            yield _vulnerability(element)


# What an element is to the reader, by where it stands (the whole reader's `_child` takes the
# first child of a name, `_children` every one).
_OTHER, _BOM, _METADATA, _COMPONENTS, _COMPONENT, _FIELD = range(6)
_VULNERABILITIES, _VULNERABILITY = 6, 7
_FIELDS = frozenset({"name", "version", "purl"})
_FIRSTS_COUNT = frozenset({_BOM, _METADATA, _COMPONENT})  # where only a name's first child counts


class _Open:
    """An element being read, with what the reader needs of it."""

    __slots__ = ("element", "found", "role", "seen", "to")

    def __init__(self, element: Element, role: int, to: list[dict[str, str]] | None = None) -> None:
        self.element, self.role, self.to = element, role, to
        #: the names of its children so far, where only the first of a name counts
        self.seen: set[str] | None = set() if role in _FIRSTS_COUNT else None
        self.found: dict[str, str] | None = None  # a component's bom-ref and fields


def _read(path: Path, components: list[dict[str, str]] | None) -> Iterator[Element]:
    """Each vulnerability of the BOM's first `vulnerabilities` list, complete, in document order;
    with `components`, each component the whole reader reads that has a bom-ref is added to it,
    its metadata's first, each before the components nested in it (the reader's order: of a
    bom-ref given twice, the later one counts).

    Every element is dropped from the tree as soon as it ends, a vulnerability once the caller
    has read it, so memory holds the path from the root and one vulnerability."""
    stack: list[_Open] = []
    inside = 0  # depth within the vulnerability being built, 0 outside one
    metadata: list[dict[str, str]] = []
    listed: list[dict[str, str]] = []
    with xml_refusals(), path.open("rb") as file:
        for event, element in iterparse(file, events=("start", "end"), forbid_dtd=True):
            if inside:
                inside += 1 if event == "start" else -1
                if not inside:  # the vulnerability has ended: complete
                    yield element
                    stack[-1].element.remove(element)
                continue
            if event == "start":
                opened = _opened(element, stack[-1] if stack else None, metadata, listed)
                if opened.role == _VULNERABILITY:
                    inside = 1
                    continue
                if opened.role == _COMPONENT and components is not None and opened.to is not None:
                    ref = element.get("bom-ref")
                    if ref:  # the reader passes over a component without one
                        opened.found = {"bom-ref": ref}
                        opened.to.append(opened.found)
                stack.append(opened)
                continue
            closed = stack.pop()
            if closed.role == _FIELD and stack[-1].found is not None:
                stack[-1].found[_local(element.tag)] = (element.text or "").strip()
            if stack:
                stack[-1].element.remove(element)
    if components is not None:
        components.extend(metadata)
        components.extend(listed)


def _opened(
    element: Element,
    parent: _Open | None,
    metadata: list[dict[str, str]],
    listed: list[dict[str, str]],
) -> _Open:
    """What the element is to the reader, from its name and its parent's."""
    if parent is None:
        return _Open(element, _BOM if is_bom_tag(element.tag) else _OTHER)
    role = parent.role
    if role == _OTHER:
        return _Open(element, _OTHER)
    name = _local(element.tag)
    first = True
    if parent.seen is not None:
        first = name not in parent.seen
        parent.seen.add(name)
    if role == _BOM and first:
        if name == "metadata":
            return _Open(element, _METADATA, metadata)
        if name == "components":
            return _Open(element, _COMPONENTS, listed)
        if name == "vulnerabilities":
            return _Open(element, _VULNERABILITIES)
    elif name == "component" and (role == _COMPONENTS or (role == _METADATA and first)):
        return _Open(element, _COMPONENT, parent.to)
    elif role == _COMPONENT and first:
        if name == "components":
            return _Open(element, _COMPONENTS, parent.to)
        if name in _FIELDS:
            return _Open(element, _FIELD)
    elif role == _VULNERABILITIES and name == "vulnerability":
        return _Open(element, _VULNERABILITY)
    return _Open(element, _OTHER)
