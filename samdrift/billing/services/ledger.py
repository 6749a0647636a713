"""The carry-forward accounts and their append-only ledger (R-09, I-02, I-14).

Posting a run's lines is one set-based statement per year rather than a row per line through
Python: finalising a national month posts thousands of entries (bench/bench_billing.py). The
accounts are opened by a second one only when a line has none yet (ADR 0222).
"""

from __future__ import annotations

import datetime
import re
from collections.abc import Sequence

from django.db import IntegrityError, connection, transaction
from django.db.backends.utils import CursorWrapper
from django.utils.translation import gettext_lazy as _

from samdrift.core.exceptions import BusinessRuleViolation

from ..choices import LEDGER_KIND_OF_LINE
from ..models import Account, BillableService

_WORD = re.compile(r"^[a-z_]+$")


def accounts_for(keys: set[tuple[int, int]]) -> dict[tuple[int | None, int], Account]:
    """The carry-forward accounts of (agency, service), created on first use."""
    existing = {
        (a.organisation_id, a.service_id): a
        for a in Account.objects.filter(
            organisation_id__in={k[0] for k in keys}, service_id__in={k[1] for k in keys}
        )
    }
    missing = keys - set(existing)
    if missing:
        areas = dict(
            BillableService.objects.filter(service_id__in={k[1] for k in missing}).values_list(
                "service_id", "fee_area_id"
            )
        )
        Account.objects.bulk_create(
            [
                Account(organisation_id=org, service_id=svc, fee_area_id=areas[svc])
                for org, svc in sorted(missing)
            ],
            ignore_conflicts=True,
        )
        existing.update(
            {
                (a.organisation_id, a.service_id): a
                for a in Account.objects.filter(
                    organisation_id__in={k[0] for k in missing},
                    service_id__in={k[1] for k in missing},
                )
            }
        )
    return existing


def _literal(word: str) -> str:
    # Our own enum values, checked, so they can be SQL literals: PostgreSQL cannot type a bound
    # parameter inside CASE … THEN.
    if not _WORD.match(word):
        raise ValueError(word)
    return f"'{word}'"


def _kind_case() -> tuple[str, str]:
    whens = " ".join(
        f"WHEN {_literal(line)} THEN {_literal(ledger)}"
        for line, ledger in LEDGER_KIND_OF_LINE.items()
    )
    kinds = ", ".join(_literal(line) for line in LEDGER_KIND_OF_LINE)
    return f"CASE l.kind {whens} END", kinds


def _no_account(error: IntegrityError) -> bool:
    """Whether the ledger INSERT failed because a line had no account (NOT NULL account_id)."""
    cause = error.__cause__
    if getattr(cause, "sqlstate", None) == "23502":  # PostgreSQL: not_null_violation
        return "account_id" in str(cause)
    return "NOT NULL constraint failed: billing_ledgerentry.account_id" in str(error)


def post_lines(invoice_ids: Sequence[int], periods: dict[int, datetime.date]) -> int:
    """Ledger entries for every ledger-relevant line of the given invoices, one per line.

    `periods` maps each invoice to its period; the entry's year is the period's. Idempotent:
    each entry's key is its line, and the key is unique.

    The entries are posted first: almost always every (agency, service) already has its account.
    When one does not, the INSERT refuses (its account is NULL), the missing accounts are opened
    and the entries posted again; missing still means the service has no fee area (ADR 0222).
    """
    if not invoice_ids:
        return 0
    by_year: dict[int, list[int]] = {}
    for invoice_id in invoice_ids:
        by_year.setdefault(periods[invoice_id].year, []).append(invoice_id)
    posted = 0
    with connection.cursor() as cursor:
        for year, year_ids in sorted(by_year.items()):
            if not _post(cursor, year, year_ids):
                _open_accounts(cursor, year_ids)
                if not _post(cursor, year, year_ids):
                    raise BusinessRuleViolation(
                        _("A billed service has no fee area; nothing was finalised.")
                    )
            posted += cursor.rowcount
    return posted


def _post(cursor: CursorWrapper, year: int, invoice_ids: list[int]) -> bool:
    """One year's entries of the invoices' ledger lines, in a savepoint; False (and nothing
    posted) when a line has no account: the LEFT JOIN gives it a NULL account, which the NOT NULL
    column refuses."""
    kind_case, kinds = _kind_case()
    marks = ", ".join(["%s"] * len(invoice_ids))
    try:
        with transaction.atomic():
            cursor.execute(
                "INSERT INTO billing_ledgerentry "  # noqa: S608 - only placeholders and checked literals
                "(account_id, year, period, kind, amount_ore, idempotency_key, invoice_line_id) "
                f"SELECT a.id, {int(year)}, i.period, {kind_case}, l.amount_ore, "
                "'line:' || CAST(l.id AS VARCHAR(20)), l.id "
                "FROM billing_invoiceline l "
                "JOIN billing_invoice i ON i.id = l.invoice_id "
                "LEFT JOIN billing_account a "
                "ON a.organisation_id = l.organisation_id AND a.service_id = l.service_id "
                f"WHERE l.invoice_id IN ({marks}) AND l.kind IN ({kinds}) "
                "AND l.service_id IS NOT NULL "
                "ORDER BY l.id",
                invoice_ids,
            )
    except IntegrityError as error:
        if not _no_account(error):
            raise
        return False
    return True


def _open_accounts(cursor: CursorWrapper, invoice_ids: list[int]) -> None:
    """The accounts the invoices' ledger lines post to, created where missing (one INSERT)."""
    _kind, kinds = _kind_case()
    cursor.execute(
        "INSERT INTO billing_account (organisation_id, service_id, fee_area_id) "  # noqa: S608 - only placeholders and checked literals
        "SELECT DISTINCT l.organisation_id, l.service_id, b.fee_area_id "
        "FROM billing_invoiceline l "
        "JOIN billing_billableservice b ON b.service_id = l.service_id "
        f"WHERE l.invoice_id IN ({', '.join(['%s'] * len(invoice_ids))}) AND l.kind IN ({kinds}) "
        "AND NOT EXISTS (SELECT 1 FROM billing_account a "
        "WHERE a.organisation_id = l.organisation_id AND a.service_id = l.service_id) "
        "ON CONFLICT DO NOTHING",
        invoice_ids,
    )
