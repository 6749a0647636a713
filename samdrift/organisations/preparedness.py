"""The preparedness agencies (beredskapsmyndigheter) named in the annex to förordning (2022:524)
om statliga myndigheters beredskap, as a list shipped with the register (ADR 0511).

The list is `data/preparedness_agencies.csv` (name, preparedness sector; empty sector for the
agencies outside a sector); `data/README.md` says where it comes from and what to verify.
"""

from __future__ import annotations

import csv
import io
from functools import cache
from importlib import resources

ANNEX_SOURCE = "förordning (2022:524) om statliga myndigheters beredskap, bilaga"


@cache
def annex_sectors() -> dict[str, str]:
    """Name → preparedness sector ("" outside a sector), in the register's spelling."""
    text = (
        resources.files("samdrift.organisations")
        .joinpath("data/preparedness_agencies.csv")
        .read_text("utf-8")
    )
    return {row["name"].strip(): row["sector"].strip() for row in csv.DictReader(io.StringIO(text))}


def in_annex(name: str) -> bool:
    return name in annex_sectors()
