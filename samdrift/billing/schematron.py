"""ISO Schematron → XSLT 2.0, run with Saxon-HE: validates our UBL against the official rules.

No ISO skeleton ships with the rule files, so this module is a small compiler of the subset
the CEN and Peppol files use (ADR 0204): `ns`, `let` (schema, pattern and rule level), XSLT
functions, `pattern`/`rule`/`assert`/`report` with `flag` and `id`. Semantics follow the
skeleton: each pattern is one mode; within a pattern a node fires only the first matching rule
(earlier rules get higher priority); the document is walked element by element (and attribute).
"""

from __future__ import annotations

import threading
from dataclasses import dataclass
from functools import cache
from pathlib import Path
from typing import Any

from lxml import etree

RULES_DIR = Path(__file__).resolve().parent / "rules"
RULE_FILES = ("CEN-EN16931-UBL.sch", "PEPPOL-EN16931-UBL.sch")

SCH = "http://purl.oclc.org/dsdl/schematron"
XSL = "http://www.w3.org/1999/XSL/Transform"
SVRL = "http://purl.oclc.org/dsdl/svrl"
_S = f"{{{SCH}}}"
_X = f"{{{XSL}}}"


@dataclass(frozen=True)
class Finding:
    rule_id: str
    flag: str
    location: str
    text: str

    @property
    def is_fatal(self) -> bool:
        return self.flag != "warning" and self.flag != "information"


def compile_schematron(sch_path: Path) -> str:
    """The XSLT 2.0 text for one Schematron file."""
    schema = etree.parse(str(sch_path)).getroot()
    nsmap: dict[str | None, str] = {
        "xsl": XSL,
        "svrl": SVRL,
        "xs": "http://www.w3.org/2001/XMLSchema",
    }
    for ns in schema.iter(f"{_S}ns"):
        nsmap[ns.get("prefix")] = ns.get("uri")
    for prefix, uri in (schema.nsmap or {}).items():
        if prefix and prefix not in nsmap and uri not in (SCH,):
            nsmap[prefix] = uri
    out = etree.Element(f"{_X}stylesheet", nsmap=nsmap, version="2.0")
    out.set("exclude-result-prefixes", " ".join(p for p in nsmap if p and p not in ("xsl", "svrl")))
    etree.SubElement(out, f"{_X}output", method="xml", indent="no")

    for child in schema:
        if child.tag == f"{_X}function":
            out.append(_copy(child))
        elif child.tag == f"{_S}let":
            out.append(_variable(child))
    patterns = [p for p in schema.iter(f"{_S}pattern") if p.get("abstract") != "true"]
    for pattern in patterns:
        for let in pattern.findall(f"{_S}let"):
            out.append(_variable(let))

    root = etree.SubElement(out, f"{_X}template", match="/")
    report = etree.SubElement(root, f"{{{SVRL}}}schematron-output")
    for index, _pattern in enumerate(patterns):
        etree.SubElement(report, f"{_X}apply-templates", select="/", mode=f"M{index}")

    for index, pattern in enumerate(patterns):
        mode = f"M{index}"
        rules = pattern.findall(f"{_S}rule")
        for position, rule in enumerate(rules):
            template = etree.SubElement(
                out,
                f"{_X}template",
                match=rule.get("context", ""),
                priority=str(10000 - position),
                mode=mode,
            )
            for let in rule.findall(f"{_S}let"):
                template.append(_variable(let))
            for test in rule:
                if test.tag not in (f"{_S}assert", f"{_S}report"):
                    continue
                flag = test.get("flag") or rule.get("flag") or "fatal"
                tag = "failed-assert" if test.tag == f"{_S}assert" else "successful-report"
                condition = test.get("test", "true()")
                if test.tag == f"{_S}assert":
                    condition = f"not({condition})"
                guard = etree.SubElement(template, f"{_X}if", test=condition)
                finding = etree.SubElement(guard, f"{{{SVRL}}}{tag}")
                finding.set("id", test.get("id", ""))
                finding.set("flag", flag)
                finding.set("location", "{path()}")
                text = etree.SubElement(finding, f"{{{SVRL}}}text")
                _message(test, text)
            etree.SubElement(template, f"{_X}apply-templates", select="@*|*", mode=mode)
        etree.SubElement(out, f"{_X}template", match="text()", priority="-1", mode=mode)
        fallback = etree.SubElement(
            out, f"{_X}template", match="@*|node()", priority="-2", mode=mode
        )
        etree.SubElement(fallback, f"{_X}apply-templates", select="@*|*", mode=mode)
    return etree.tostring(out, encoding="unicode")


def _copy(element: Any) -> Any:
    from copy import deepcopy

    return deepcopy(element)


def _variable(let: Any) -> Any:
    variable = etree.Element(f"{_X}variable", name=let.get("name"))
    if let.get("value") is not None:
        variable.set("select", let.get("value"))
    else:
        for child in let:
            variable.append(_copy(child))
        variable.text = let.text
    return variable


def _message(test: Any, target: Any) -> None:
    target.text = test.text
    for child in test:
        if child.tag == f"{_S}value-of":
            node = etree.SubElement(target, f"{_X}value-of", select=child.get("select", "."))
        elif child.tag == f"{_S}name":
            node = etree.SubElement(
                target, f"{_X}value-of", select=f"name({child.get('path', '.')})"
            )
        else:
            node = etree.SubElement(target, f"{_X}text")
            node.text = "".join(child.itertext())
        node.tail = child.tail


_lock = threading.Lock()


@cache
def _executables() -> tuple[Any, list[Any]]:
    from saxonche import PySaxonProcessor

    processor = PySaxonProcessor(license=False)
    xslt = processor.new_xslt30_processor()
    compiled = [
        xslt.compile_stylesheet(stylesheet_text=compile_schematron(RULES_DIR / name))
        for name in RULE_FILES
    ]
    return processor, compiled


def validate(document: bytes) -> list[Finding]:
    """Every failed assert or report of the CEN and Peppol rules (fatal and warnings)."""
    with _lock:  # one Saxon processor per process; its executables are not thread-safe
        processor, executables = _executables()
        node = processor.parse_xml(xml_text=document.decode("utf-8"))
        outputs = [executable.transform_to_string(xdm_node=node) for executable in executables]
    findings: list[Finding] = []
    for output in outputs:
        tree = etree.fromstring(output.encode("utf-8"))
        findings.extend(
            Finding(
                rule_id=item.get("id", ""),
                flag=item.get("flag", "fatal"),
                location=item.get("location", ""),
                text=" ".join("".join(item.itertext()).split()),
            )
            for item in tree.iter(f"{{{SVRL}}}failed-assert", f"{{{SVRL}}}successful-report")
        )
    return findings


def fatal_errors(document: bytes) -> list[Finding]:
    return [finding for finding in validate(document) if finding.is_fatal]
