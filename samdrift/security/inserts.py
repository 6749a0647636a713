"""Inserting many new findings at once (ADR 0971). Django's `bulk_create` prepares every value
of every row through its model field; for an import of 100,000 findings that was two thirds of
the time. Here each column's values are prepared once per kind: text and ids are what the
column holds already, a moment is adapted once per distinct value, JSON through its field.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from typing import Any

from django.db import connection, models

from .models import Finding

#: Every column of a new finding but its id.
_FIELDS = [f for f in Finding._meta.concrete_fields if not f.primary_key]


def _preparer(field: models.Field[Any, Any]) -> Callable[[Any], Any]:
    if isinstance(field, models.DateTimeField):
        adapted: dict[Any, Any] = {}

        def moment(value: Any) -> Any:
            if value not in adapted:
                adapted[value] = field.get_db_prep_save(value, connection)
            return adapted[value]

        return moment
    if isinstance(field, models.JSONField):
        return lambda value: field.get_db_prep_save(value, connection)
    return lambda value: value


def insert_findings(findings: Sequence[Finding]) -> None:
    """Insert findings made by the import (validated, with their keys and runs set)."""
    if not findings:
        return
    prepare = [(field.attname, _preparer(field)) for field in _FIELDS]
    columns = ", ".join(connection.ops.quote_name(str(field.column)) for field in _FIELDS)
    marks = ", ".join(["%s"] * len(_FIELDS))
    table = connection.ops.quote_name(Finding._meta.db_table)
    sql = f"INSERT INTO {table} ({columns}) VALUES ({marks})"  # noqa: S608 - the model's names
    rows = [[how(getattr(f, name)) for name, how in prepare] for f in findings]
    with connection.cursor() as cursor:
        cursor.executemany(sql, rows)
