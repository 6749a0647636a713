"""Reading the two public threat feeds (ADR 0956), offline, from their published file formats:

- CISA's Known Exploited Vulnerabilities catalogue (`known_exploited_vulnerabilities.json`,
  schema 1.x: `vulnerabilities[]` with `cveID`, `vulnerabilityName`, `dateAdded`, `dueDate`,
  `knownRansomwareCampaignUse`);
- FIRST's EPSS scores (`epss_scores-YYYY-MM-DD.csv.gz`, or the CSV unpacked: a first line
  `#model_version:…,score_date:…`, then `cve,epss,percentile`).

Each file is read whole before anything is stored; a broken one is refused, naming the row.
"""

from __future__ import annotations

import csv
import datetime
import gzip
import io
import json
import re
from dataclasses import dataclass
from typing import Any

from django.utils.translation import gettext_lazy as _

from .refusal import refuse, text

CVE = re.compile(r"^CVE-\d{4}-\d{4,}$")
#: The EPSS file of a day holds about 300,000 scores; far beyond that is not an EPSS file.
MAX_BYTES = 100 * 1024 * 1024


@dataclass(frozen=True)
class Exploited:
    cve_id: str
    name: str
    date_added: datetime.date
    due_date: datetime.date | None
    ransomware: bool


@dataclass(frozen=True)
class Score:
    cve_id: str
    epss: float
    percentile: float


def _date(value: Any, where: str, what: str, required: bool = True) -> datetime.date | None:
    if not value and not required:
        return None
    try:
        return datetime.date.fromisoformat(str(value))
    except ValueError:
        raise refuse(_("%(where)s has no valid %(what)s."), where=where, what=what) from None


def read_kev(data: bytes) -> list[Exploited]:
    if not data.strip():
        raise refuse(_("The file is empty."))
    try:
        document = json.loads(data)
    except (UnicodeDecodeError, json.JSONDecodeError):
        raise refuse(_("The file is not CISA's KEV catalogue in JSON.")) from None
    rows = document.get("vulnerabilities") if isinstance(document, dict) else None
    if not isinstance(rows, list) or "catalogVersion" not in document:
        raise refuse(_("The file is not CISA's KEV catalogue in JSON."))
    read: dict[str, Exploited] = {}
    for number, row in enumerate(rows, start=1):
        where = f"vulnerabilities[{number}]"
        cve = text(row.get("cveID") if isinstance(row, dict) else "", 40)
        if not CVE.match(cve):
            raise refuse(_("%(where)s has no valid %(what)s."), where=where, what="cveID")
        read[cve] = Exploited(
            cve, text(row.get("vulnerabilityName"), 300),
            _date(row.get("dateAdded"), where, "dateAdded"),  # type: ignore[arg-type]
            _date(row.get("dueDate"), where, "dueDate", required=False),
            str(row.get("knownRansomwareCampaignUse", "")).lower() == "known",
        )  # fmt: skip
    return list(read.values())


def read_epss(data: bytes) -> tuple[datetime.date | None, list[Score]]:
    """The scores and the score date of the file's first line (None when it has none)."""
    if data[:2] == b"\x1f\x8b":
        try:
            data = gzip.decompress(data)
        except (OSError, EOFError):
            raise refuse(_("The gzip file is damaged.")) from None
    if len(data) > MAX_BYTES:
        raise refuse(_("The file is larger than %(limit)s MB."), limit=MAX_BYTES // 1024 // 1024)
    try:
        lines = data.decode("utf-8").splitlines()
    except UnicodeDecodeError:
        raise refuse(_("The file is not UTF-8 text.")) from None
    score_date = None
    if lines and lines[0].startswith("#"):
        found = re.search(r"score_date:(\d{4}-\d{2}-\d{2})", lines[0])
        score_date = datetime.date.fromisoformat(found.group(1)) if found else None
        lines = lines[1:]
    reader = csv.reader(io.StringIO("\n".join(lines)))
    if next(reader, None) != ["cve", "epss", "percentile"]:
        raise refuse(_("The file is not an EPSS score file: expected the columns cve, epss, "
                       "percentile."))  # fmt: skip
    scores = []
    bad_row = _("Row %(row)s is not a CVE with two numbers from 0 to 1.")
    for number, row in enumerate(reader, start=3 if score_date else 2):
        try:
            cve, epss, percentile = row[0].strip(), float(row[1]), float(row[2])
        except (IndexError, ValueError):
            raise refuse(bad_row, row=number) from None
        if not CVE.match(cve) or not (0 <= epss <= 1 and 0 <= percentile <= 1):
            raise refuse(bad_row, row=number)
        scores.append(Score(cve, epss, percentile))
    if not scores:
        raise refuse(_("The file holds no scores."))
    return score_date, scores
