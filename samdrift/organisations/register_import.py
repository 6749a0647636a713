"""The agency register import in short transactions (issue 19 item 2, ADR 0069).

A 200,000-row register held SQLite's write lock for 3 min 50 s in one transaction, and every
token-authenticated request waited behind it. Now:

1. **Everything is checked first, with no write transaction**: the CSV rows (line-numbered
   errors), own-parent rows, cycles and unconfirmed parent changes. Any error: nothing is
   written at all (as before).
2. **Then it is written in batches** of `BATCH_ROWS` rows, each batch its own short transaction
   (the write lock is held for one batch, not the file), cut shorter when a transaction has
   run `BATCH_SECONDS` (a loaded machine writes 500 audited rows in far more than 0.5 s). Each batch looks its agencies up again
   by name, inside its transaction, so a batch is idempotent: running it twice changes nothing
   the second time.
3. **An import is one audited run**: `organisations.register_import_started` (the file's SHA-256
   and row count) before the first batch, `organisations.register_imported` (the counts, the
   same SHA-256) after the last. A run that stopped between batches (a crash, a kill) leaves
   a *started* without an *imported*: `unfinished_import()` reports it, and importing the same
   file again completes it — rows already written are `unchanged`.

So the import is all-or-nothing for *invalid* files (nothing written) and all-eventually for
valid files (a valid file interrupted half-way is completed by running it again); between
batches readers see the agencies written so far, each one whole and audited.
"""

from __future__ import annotations

import hashlib
import time
from collections.abc import Callable, Iterator, Sequence
from dataclasses import dataclass
from typing import TypeVar

from django.db import transaction
from django.utils.translation import gettext_lazy as _

from samdrift.audit.selectors import object_history
from samdrift.audit.services import audit_record
from samdrift.core.actor import SYSTEM, Actor
from samdrift.core.exceptions import PermissionDenied

from .importing import AgencyRow, RowError, parse_agency_csv
from .models import Organisation
from .services import ImportResult, _ensure_groups, _link_parent, _parent_problems, _upsert

BATCH_ROWS = 500  # about 0.5 s of writing on SQLite on an idle machine
# …and a transaction commits after this long in any case, however slow the machine: another
# writer waits at most about this long (its busy timeout is 20 s).
BATCH_SECONDS = 0.5
STARTED = "organisations.register_import_started"
FINISHED = "organisations.register_imported"
T = TypeVar("T")


@dataclass(frozen=True)
class UnfinishedImport:
    sha256: str
    rows: int
    started_at: str


def import_agencies(
    *,
    actor: Actor,
    text: str,
    confirm_parent_changes: bool = False,
    batch_rows: int = BATCH_ROWS,
    batch_seconds: float = BATCH_SECONDS,
    on_batch: Callable[[int, int], None] | None = None,
) -> ImportResult:
    """Create or update agencies from the register CSV: checked whole, then written in short
    batches (module docstring). `on_batch(done, total)` is told after each committed batch."""
    if not actor.has_provider_role("provider_admin"):
        raise PermissionDenied(_("Only a provider administrator may import the agency register."))
    rows, errors = parse_agency_csv(text)
    result = ImportResult(errors=errors)
    if errors:
        return result
    for row in rows:
        if row.parent and row.parent == row.name:
            result.errors.append(RowError.of(row.line, _("An agency cannot be its own parent.")))
    result.errors.extend(_parent_problems(rows, confirm_parent_changes))
    if result.errors:
        return result

    digest = hashlib.sha256(text.encode("utf-8")).hexdigest()
    with transaction.atomic():
        audit_record(
            actor=actor,
            action=STARTED,
            object_type="organisations.register",
            object_id="agencies.csv",
            after={"sha256": digest, "rows": len(rows)},
        )
    names_in_file = {row.name for row in rows}
    with transaction.atomic():  # the umbrella groups: a handful of rows
        existing = _by_name({row.parent for row in rows if row.parent} - names_in_file)
        parents = _ensure_groups(actor, rows, names_in_file, existing, result)
    total = len(rows) * 2
    done = 0
    # Two passes, as before: first every agency exists, then parents are linked.
    for batch in _chunks(rows, batch_rows):
        start = 0
        while start < len(batch):  # a slow machine commits early: the lock is held briefly
            with transaction.atomic():
                existing = _by_name({row.name for row in batch[start:]})
                deadline = time.monotonic() + batch_seconds
                for row in batch[start:]:
                    _upsert(actor, row, existing, parents, result)
                    start += 1
                    if time.monotonic() >= deadline:
                        break
        done += len(batch)
        if on_batch:
            on_batch(done, total)
    for batch in _chunks(rows, batch_rows):
        for part in _chunks(batch, max(1, batch_rows // 10)):
            with transaction.atomic():
                _link_batch(actor, part, parents, result)
        done += len(batch)
        if on_batch:
            on_batch(done, total)
    with transaction.atomic():
        audit_record(
            actor=actor,
            action=FINISHED,
            object_type="organisations.register",
            object_id="agencies.csv",
            after={
                "sha256": digest,
                "created": result.created,
                "updated": result.updated,
                "unchanged": result.unchanged,
                "groups_created": result.groups_created,
            },
        )
    return result


def unfinished_import() -> UnfinishedImport | None:
    """The newest register import that started and did not finish, if the newest is one."""
    history = object_history(
        actor=SYSTEM, object_type="organisations.register", object_ids=["agencies.csv"], limit=20
    )
    newest = next((event for event in history if event.action in (STARTED, FINISHED)), None)
    if newest is None or newest.action != STARTED:
        return None
    after = newest.after or {}
    return UnfinishedImport(
        sha256=str(after.get("sha256", "")),
        rows=int(after.get("rows", 0)),
        started_at=newest.at.isoformat(),
    )


def _by_name(names: set[str]) -> dict[str, Organisation]:
    found: dict[str, Organisation] = {}
    ordered = sorted(names)
    for part in _chunks(ordered, 500):  # SQLite's variable limit
        found.update({org.name: org for org in Organisation.objects.filter(name__in=part)})
    return found


def _link_batch(
    actor: Actor, batch: Sequence[AgencyRow], groups: dict[str, Organisation], result: ImportResult
) -> None:
    linked = [row for row in batch if row.parent]
    if not linked:
        return
    orgs = _by_name({row.name for row in linked} | {row.parent for row in linked})
    for row in linked:
        parent = orgs.get(row.parent) or groups[row.parent]
        _link_parent(actor, orgs[row.name], parent, result)


def _chunks(items: Sequence[T], size: int) -> Iterator[Sequence[T]]:
    for start in range(0, len(items), max(1, size)):
        yield items[start : start + size]
