"""Parsing the agency register CSV into validated rows, before anything is written."""

from __future__ import annotations

import csv
import io
from dataclasses import dataclass
from typing import Any

from django.core.exceptions import ValidationError
from django.utils.translation import gettext_lazy as _

from samdrift.core.i18n import in_both_languages
from samdrift.core.orgnumber import normalise_org_number, validate_org_number

REQUIRED_COLUMNS = ("name", "org_number")
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
    for line, record in enumerate(reader, start=2):
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
        if employees_text and not employees_text.isdigit():
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
