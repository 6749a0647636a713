"""Responsibility matrices (issue 16 item 5, ADR 0821): RACI per function of a jointly delivered
service. Pure: a matrix (function → role → parties) in, the problems that keep a version from
taking effect out — exactly one Accountable and at least one Responsible per function, and no
party with two roles on one function. Also who an incident on a function goes to: assigned to R,
escalated to A, C and I notified.
"""

from __future__ import annotations

import json
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path

ROLES = ("R", "A", "C", "I")
Matrix = Mapping[str, Mapping[str, Sequence[str]]]  # function → role → parties

COVIDBEVIS_2021 = Path(__file__).parent / "data" / "raci_covidbevis_2021.json"


@dataclass(frozen=True)
class Routing:
    assigned: tuple[str, ...]  # R
    escalate_to: str  # A
    notify: tuple[str, ...]  # C and I


def bilingual_line(sv: str, en: str) -> str:
    """Swedish / English on one line, the form core.i18n.bilingual_line gives."""
    return f"{sv} / {en}"


def problems(matrix: Matrix) -> list[str]:
    """Every reason, in Swedish and English, why *matrix* may not take effect; empty when valid."""
    out: list[str] = []
    if not matrix:
        out.append(bilingual_line("Matrisen har inga funktioner.", "The matrix has no functions."))
    for function, roles in matrix.items():
        unknown = sorted(set(roles) - set(ROLES))
        if unknown:
            out.append(
                bilingual_line(
                    f"{function}: okänd roll {', '.join(unknown)}.",
                    f"{function}: unknown role {', '.join(unknown)}.",
                )
            )
        accountable = list(roles.get("A", ()))
        if len(accountable) != 1:
            out.append(
                bilingual_line(
                    f"{function}: exakt en ansvarig (A) krävs, {len(accountable)} angivna.",
                    f"{function}: exactly one accountable (A) required, {len(accountable)} given.",
                )
            )
        if not roles.get("R"):
            out.append(
                bilingual_line(
                    f"{function}: minst en utförare (R) krävs.",
                    f"{function}: at least one responsible (R) required.",
                )
            )
        seen: dict[str, str] = {}
        for role in ROLES:
            for party in roles.get(role, ()):
                if party in seen and not {seen[party], role} <= {"R", "A"}:
                    out.append(
                        bilingual_line(
                            f"{function}: {party} har både {seen[party]} och {role}.",
                            f"{function}: {party} has both {seen[party]} and {role}.",
                        )
                    )
                seen.setdefault(party, role)
    return out


def routing(matrix: Matrix, function: str) -> Routing:
    """Who an incident on *function* goes to; the matrix must be valid."""
    if problems(matrix):
        raise ValueError(bilingual_line("Matrisen är inte giltig.", "The matrix is not valid."))
    roles = matrix[function]
    notify = tuple(dict.fromkeys([*roles.get("C", ()), *roles.get("I", ())]))
    return Routing(assigned=tuple(roles["R"]), escalate_to=roles["A"][0], notify=notify)


def covidbevis_2021() -> dict[str, dict[str, list[str]]]:
    """The Covidbevis matrix as the 2021 report gives it (R only: it names no accountable)."""
    data = json.loads(COVIDBEVIS_2021.read_text(encoding="utf-8"))
    return {row["function"]: {"R": list(row["R"])} for row in data["functions"]}


@dataclass(frozen=True)
class Cell:
    line: int  # where it was entered (1-based), for the error that names it
    function: str
    role: str
    party: str  # an organisation number or an agency's exact name, as entered


def parse(text: str) -> tuple[list[Cell], list[str]]:
    """Cells from text, one per line: ``function;role;party`` (a header line and empty lines are
    skipped; a tab or a comma may separate instead when the line has no semicolon). Returns the
    cells and every reason, Swedish / English with its line number, that a line was refused."""
    cells: list[Cell] = []
    errors: list[str] = []
    for number, raw in enumerate((text or "").splitlines(), start=1):
        line = raw.strip()
        if not line:
            continue
        separator = ";" if ";" in line else ("\t" if "\t" in line else ",")
        parts = [part.strip() for part in line.split(separator)]
        if number == 1 and [p.lower() for p in parts[:2]] in (
            ["funktion", "roll"],
            ["function", "role"],
        ):
            continue
        if len(parts) != 3 or not all(parts):
            errors.append(
                bilingual_line(
                    f"Rad {number}: skriv funktion;roll;part.",
                    f"Line {number}: write function;role;party.",
                )
            )
            continue
        function, role, party = parts
        if role.upper() not in ROLES:
            errors.append(
                bilingual_line(
                    f"Rad {number}: rollen ska vara R, A, C eller I, inte {role}.",
                    f"Line {number}: the role must be R, A, C or I, not {role}.",
                )
            )
            continue
        if len(function) > 200:
            errors.append(
                bilingual_line(
                    f"Rad {number}: funktionen är längre än 200 tecken.",
                    f"Line {number}: the function is longer than 200 characters.",
                )
            )
            continue
        cells.append(Cell(number, function, role.upper(), party))
    return cells, errors


def as_text(rows: Sequence[tuple[str, str, str]]) -> str:
    """(function, role, party) rows as the text `parse` reads."""
    return "\n".join(f"{function};{role};{party}" for function, role, party in rows)


def covidbevis_2021_cells() -> list[tuple[str, str, str]]:
    """The reported Covidbevis matrix as (function, role, party) rows: R only."""
    return [
        (function, role, party)
        for function, roles in covidbevis_2021().items()
        for role, parties in roles.items()
        for party in parties
    ]
