"""CycloneDX XML read into the shape of CycloneDX JSON (ADR 0969), so one reader
(`cyclonedx.cyclonedx_report`) and one deduplication key serve both encodings.

Any schema version 1.0–1.6: elements are matched by local name, whatever the namespace. Only
what the reader uses is carried over: components (nested, with bom-ref, name, version, purl),
the metadata's component, and vulnerabilities (id, ratings, description, detail,
recommendation, references, analysis, affects). The XML itself is parsed by the caller with
defusedxml (no DTD, no entities).
"""

from __future__ import annotations

from typing import Any
from xml.etree.ElementTree import Element


def is_bom(root: Element) -> bool:
    return _local(root.tag) == "bom"


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


def _local(tag: str) -> str:
    return tag.rsplit("}", 1)[-1]


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
