"""Parsing the agency register CSV into validated rows, before anything is written."""

from __future__ import annotations

import csv
import io
from collections.abc import Iterator
from dataclasses import dataclass
from typing import Any

from django.core.exceptions import ValidationError
from django.utils.translation import gettext_lazy as _

from samdrift.core.i18n import in_both_languages
from samdrift.core.orgnumber import normalise_org_number, validate_org_number
from samdrift.core.text import is_single_line

REQUIRED_COLUMNS = ("name", "org_number")
# The model's column sizes (Organisation): a longer value is an error on its line, not a 500.
MAX_LENGTHS = {"name": 200, "parent": 200, "department": 120, "ministry": 120, "scb_group": 120}
MAX_FIELD = 4000  # any other column (a 200 kB field is refused, not parsed)
MAX_EMPLOYEE_DIGITS = 9
TOO_LONG = _("The column %(column)s is longer than %(max)s characters.")
YES = ("ja", "yes", "true", "1")
NO = ("nej", "no", "false", "0", "")


@dataclass(frozen=True)
class AgencyRow:
    line: int
    name: str
    org_number: str
    parent: str
    ministry: str
    register_group: str
    employees: int | None
    # From an optional `preparedness` column; None when the file has none (the annex decides).
    preparedness: bool | None = None


@dataclass(frozen=True)
class RowError:
    """An invalid row: its line number in the file and the reason, in Swedish and English."""

    line: int
    sv: str
    en: str

    @classmethod
    def of(cls, line: int, message: Any, params: dict[str, Any] | None = None) -> RowError:
        both = in_both_languages(message, params)
        return cls(line, both["sv"], both["en"])


def parse_agency_csv(text: str) -> tuple[list[AgencyRow], list[RowError]]:
    """Every row is checked; all errors are collected so one import reports them all."""
    reader = csv.DictReader(io.StringIO(text.lstrip("\ufeff")))
    missing = [c for c in REQUIRED_COLUMNS if c not in (reader.fieldnames or [])]
    if missing:
        return [], [
            RowError.of(1, _("Missing column(s): %(columns)s"), {"columns": ", ".join(missing)})
        ]
    rows: list[AgencyRow] = []
    errors: list[RowError] = []
    seen: dict[str, int] = {}
    records = _records(reader, errors)
    for line, record in records:
        problem = _field_problem(record)
        if problem:
            errors.append(RowError.of(line, *problem))
            continue
        name = (record.get("name") or "").strip()
        org_number = normalise_org_number(record.get("org_number") or "")
        if not name:
            errors.append(RowError.of(line, _("The name is empty.")))
            continue
        if name in seen:
            errors.append(
                RowError.of(
                    line,
                    _("%(name)s already appears on line %(line)s."),
                    {"name": name, "line": seen[name]},
                )
            )
            continue
        seen[name] = line
        try:
            validate_org_number(org_number)
        except ValidationError as error:
            detail = error.error_list[0]
            errors.append(RowError.of(line, detail.message, detail.params))
            continue
        employees_text = (record.get("employees") or "").strip()
        # isdigit() alone accepts "²" (int() then fails); nine digits is more than any agency.
        if (employees_text and not (employees_text.isascii() and employees_text.isdigit())) or (
            len(employees_text) > MAX_EMPLOYEE_DIGITS
        ):
            errors.append(RowError.of(line, _("The number of employees must be a whole number.")))
            continue
        preparedness_text = (record.get("preparedness") or "").strip().lower()
        if preparedness_text not in YES + NO:
            errors.append(
                RowError.of(line, _("The preparedness column must be ja or nej (yes or no)."))
            )
            continue
        rows.append(
            AgencyRow(
                line=line,
                name=name,
                org_number=org_number,
                parent=(record.get("parent") or "").strip(),
                ministry=(record.get("department") or record.get("ministry") or "").strip(),
                register_group=(record.get("scb_group") or "").strip(),
                employees=int(employees_text) if employees_text else None,
                preparedness=(
                    preparedness_text in YES
                    if "preparedness" in (reader.fieldnames or [])
                    else None
                ),
            )
        )
    return rows, errors


def _records(
    reader: csv.DictReader[str], errors: list[RowError]
) -> Iterator[tuple[int, dict[str, Any]]]:
    """The rows with their line numbers; a line the csv module cannot read (a NUL byte, a field
    over its size limit) becomes an error on that line and reading stops there."""
    while True:
        before = reader.line_num
        try:
            record = next(reader)
        except StopIteration:
            return
        except csv.Error:  # raised before line_num counts the line it could not read
            errors.append(RowError.of(before + 1, UNREADABLE))
            return
        yield reader.line_num, record


UNREADABLE = _("This line cannot be read: it holds a NUL byte or a far too long field.")


def _field_problem(record: dict[str, Any]) -> tuple[Any, dict[str, Any] | None] | None:
    """The first field that is too long or holds control characters, as (message, params)."""
    for column, value in record.items():
        if not isinstance(value, str):  # more fields than columns: csv gives a list
            return _("The line has more fields than the header has columns."), None
        limit = MAX_LENGTHS.get(column or "", MAX_FIELD)
        if len(value.strip()) > limit:
            return TOO_LONG, {"column": column, "max": limit}
        if not is_single_line(value):
            return _("The column %(column)s holds control characters."), {"column": column}
    return None
