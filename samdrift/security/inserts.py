"""The findings an import writes, as plain rows (ADR 0971). For a report of 100,000 findings,
making a model instance per finding (new ones to insert, known ones to compare) and letting
`bulk_create` prepare every value through its field took most of the import's time. Here a
finding is a `FindingValues` with the columns the import reads and writes; new rows are inserted
with one `executemany` per batch, adapting only the columns that need it (moments once per
distinct value, JSON through its field), and known findings are read as value tuples.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass, field
from datetime import datetime
from operator import attrgetter
from typing import Any, cast

from django.db import connection, models

from .models import Finding

#: Every column of a new finding but its id, in the model's order.
_FIELDS = [f for f in Finding._meta.concrete_fields if not f.primary_key]

#: What the import compares of a known finding: its content apart from when it was last seen.
CONTENT = (
    "severity", "title", "fixed_version", "location", "aliases", "status", "justification",
    "fixed_at",
)  # fmt: skip

#: What an update of a changed finding writes.
UPDATED_FIELDS = [*CONTENT, "last_seen", "last_run"]


@dataclass(slots=True)
class FindingValues:
    """A finding as the import holds it: a new one (pk None) or a known one read back."""

    component_id: int
    tool: str
    dedup_key: str
    vulnerability_id: str
    package_name: str
    package_version: str
    last_seen: datetime | None
    last_run_id: int
    #: When and by which import a new finding was first seen; not read back for a known one.
    first_seen: datetime | None = None
    first_run_id: int | None = None
    severity: str = ""
    title: str = ""
    fixed_version: str = ""
    location: str = ""
    aliases: list[str] = field(default_factory=list)
    status: str = ""
    justification: str = ""
    fixed_at: datetime | None = None
    pk: int | None = None

    def content(self) -> tuple[Any, ...]:
        return (self.severity, self.title, self.fixed_version, self.location, list(self.aliases),
                self.status, self.justification, self.fixed_at)  # fmt: skip

    def as_model(self) -> Finding:
        """A model instance to update this known finding with (only those whose content
        changed, few in a re-scan)."""
        seen = cast(datetime, self.last_seen)  # set by the import before it updates
        return Finding(pk=self.pk, last_run_id=self.last_run_id, last_seen=seen,
                       **{name: getattr(self, name) for name in CONTENT})  # fmt: skip


#: What the import reads of a known finding: what it compares and what VEX statements match.
_KNOWN = ("pk", "dedup_key", "vulnerability_id", "package_name", "package_version",
          "last_run_id", *CONTENT)  # fmt: skip


def known_rows(
    findings: models.QuerySet[Finding], component_id: int, tool: str
) -> Iterable[FindingValues]:
    """The findings of one scope as rows, without a model instance each."""
    for values in findings.values_list(*_KNOWN):
        yield FindingValues(
            component_id=component_id, tool=tool, last_seen=None,
            **dict(zip(_KNOWN, values, strict=True)),
        )  # fmt: skip


def _preparer(model_field: models.Field[Any, Any]) -> Callable[[Any], Any] | None:
    if isinstance(model_field, models.DateTimeField):
        adapted: dict[Any, Any] = {}

        def moment(value: Any) -> Any:
            if value not in adapted:
                adapted[value] = model_field.get_db_prep_save(value, connection)
            return adapted[value]

        return moment
    if isinstance(model_field, models.JSONField):
        return lambda value: model_field.get_db_prep_save(value, connection)
    return None  # text and ids: what the column holds already


def insert_findings(rows: Sequence[FindingValues]) -> None:
    """Insert new findings (validated, with their keys and runs set)."""
    if not rows:
        return
    values_of = attrgetter(*(f.attname for f in _FIELDS))
    adapt = [(i, how) for i, f in enumerate(_FIELDS) if (how := _preparer(f)) is not None]
    columns = ", ".join(connection.ops.quote_name(str(f.column)) for f in _FIELDS)
    marks = ", ".join(["%s"] * len(_FIELDS))
    table = connection.ops.quote_name(Finding._meta.db_table)
    sql = f"INSERT INTO {table} ({columns}) VALUES ({marks})"  # noqa: S608 - the model's names
    prepared = []
    for row in rows:
        values = list(values_of(row))
        for i, how in adapt:
            values[i] = how(values[i])
        prepared.append(values)
    with connection.cursor() as cursor:
        cursor.executemany(sql, prepared)
