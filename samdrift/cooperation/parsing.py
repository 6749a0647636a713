"""Reading a requirement catalogue from CSV or JSON (ADR 0960), before anything is stored.

CSV: a header row with `id, area, text, grade, test_method, weight` (`;` or `,` separated,
UTF-8 with or without BOM). JSON: `{"code", "name", "requirements": [{...same keys...}]}` or a
bare list of requirements. Every row is checked; any problem refuses the whole file with each
problem naming its row (the header is row 1 in CSV, the first requirement row 1 in JSON).
"""

from __future__ import annotations

import csv
import io
import json
from dataclasses import dataclass
from typing import Any

from django.utils.translation import gettext as _

from samdrift.core.exceptions import ValidationFailed

from .choices import GRADE_SPELLINGS, MAX_WEIGHT, Grade

COLUMNS = ("id", "area", "text", "grade", "test_method", "weight")
MAX_ROWS = 2000


@dataclass(frozen=True)
class Row:
    ref: str
    area: str
    text: str
    grade: str
    test_method: str
    weight: int


@dataclass(frozen=True)
class Parsed:
    code: str
    name: str
    rows: list[Row]


def _refuse(problems: list[str]) -> ValidationFailed:
    return ValidationFailed(
        _("The requirement catalogue was not imported (%(count)s problems): %(first)s"),
        errors={"rows": problems},
        count=len(problems),
        first=problems[0],
    )


def _raw_rows(data: bytes, fmt: str) -> tuple[str, str, list[tuple[int, dict[str, Any]]]]:
    try:
        text = data.decode("utf-8-sig")
    except UnicodeDecodeError:
        raise _refuse([_("The file is not UTF-8 text.")]) from None
    if fmt == "json":
        try:
            document = json.loads(text)
        except json.JSONDecodeError as error:
            raise _refuse(
                [_("The file is not valid JSON (line %(line)s).") % {"line": error.lineno}]
            ) from None
        code = name = ""
        if isinstance(document, dict):
            code, name = str(document.get("code") or ""), str(document.get("name") or "")
            document = document.get("requirements")
        if not isinstance(document, list) or not all(isinstance(r, dict) for r in document):
            raise _refuse([_("The JSON must be a list of requirements, or an object with "
                             "\"requirements\" as that list.")])  # fmt: skip
        return code, name, list(enumerate(document, start=1))
    sample = text[:4096]
    delimiter = ";" if sample.count(";") > sample.count(",") else ","
    reader = csv.DictReader(io.StringIO(text), delimiter=delimiter)
    header = [h.strip().lower() for h in reader.fieldnames or []]
    missing = [c for c in ("id", "area", "text", "grade") if c not in header]
    if missing:
        raise _refuse([_("Row 1: the header lacks the column(s) %(columns)s.")
                       % {"columns": ", ".join(missing)}])  # fmt: skip
    reader.fieldnames = header
    return "", "", [(number, row) for number, row in enumerate(reader, start=2)]


def _weight(value: Any, grade: str, number: int, problems: list[str]) -> int:
    text = "" if value is None else str(value).strip()
    if grade == Grade.SKALL:
        if text not in ("", "0"):
            problems.append(_("Row %(row)s: a skall requirement has no weight (it must be met); "
                              "leave the weight empty.") % {"row": number})  # fmt: skip
        return 0
    try:
        weight = int(text)
    except ValueError:
        weight = 0
    if not 1 <= weight <= MAX_WEIGHT:
        problems.append(_("Row %(row)s: the weight of a bör or önskvärd requirement must be a "
                          "whole number from 1 to %(max)s.") % {"row": number, "max": MAX_WEIGHT})  # fmt: skip
    return weight


def parse_catalogue(data: bytes, fmt: str) -> Parsed:
    """The catalogue in `data` (`fmt` "csv" or "json"), or ValidationFailed naming each row."""
    if fmt not in ("csv", "json"):
        raise _refuse([_("Give a .csv or .json file.")])
    code, name, raw = _raw_rows(data, fmt)
    if not raw:
        raise _refuse([_("The file holds no requirements.")])
    if len(raw) > MAX_ROWS:
        raise _refuse([_("The file holds more than %(max)s requirements.") % {"max": MAX_ROWS}])
    problems: list[str] = []
    rows: list[Row] = []
    seen: dict[str, int] = {}
    for number, item in raw:

        def cell(key: str, item: dict[str, Any] = item) -> str:
            value = item.get(key)
            return "" if value is None else str(value).strip()

        ref, text, spelled = cell("id"), cell("text"), cell("grade")
        if not ref:
            problems.append(_("Row %(row)s: the requirement has no id.") % {"row": number})
        elif len(ref) > 40:
            problems.append(
                _("Row %(row)s: the id is longer than 40 characters.") % {"row": number}
            )
        elif ref in seen:
            problems.append(_("Row %(row)s: the id %(id)s is already used on row %(first)s.")
                            % {"row": number, "id": ref, "first": seen[ref]})  # fmt: skip
        else:
            seen[ref] = number
        if not text:
            problems.append(_("Row %(row)s: the requirement has no text.") % {"row": number})
        if not cell("area"):
            problems.append(_("Row %(row)s: the requirement has no area.") % {"row": number})
        grade = GRADE_SPELLINGS.get(spelled.lower())
        if grade is None:
            problems.append(_("Row %(row)s: unknown grade “%(grade)s” (use skall, bör or "
                              "önskvärd).") % {"row": number, "grade": spelled[:40]})  # fmt: skip
            continue
        weight = _weight(item.get("weight"), grade, number, problems)
        rows.append(Row(ref, cell("area")[:120], text, grade, cell("test_method")[:300], weight))
    if problems:
        raise _refuse(problems)
    return Parsed(code, name, rows)
