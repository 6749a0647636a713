"""Crash test: kill the process running an invoice run or a year-end close at random points.

A real database (a SQLite file, or PostgreSQL when DATABASE_URL points to it) and real
processes: `samdrift billing run --year 2024 --finalise` and `samdrift billing close --year 2024`
are started and SIGKILLed after a random delay, at least 20 times. After every kill the database
must hold no partial or duplicated invoice; at the end a rerun must give exactly the invoices,
numbers and UBL bytes of an uninterrupted reference run on a copy of the same starting database.
"""

from __future__ import annotations

import os
import random
import shutil
import signal
import sqlite3
import subprocess
import sys
import time
from collections import defaultdict
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

import pytest
from django.conf import settings
from django.db import connection

KILLS_RUN = 15
KILLS_CLOSE = 5
LEDGER_LINE_KINDS = ("usage", "fixed", "one_time", "adjustment", "instalment", "settlement")


class Target:
    """One database under test, reachable by subprocesses (URL) and by this process (SQL)."""

    def __init__(self, url: str, connect: Any, placeholder: str = "?") -> None:
        self.url, self._connect, self.placeholder = url, connect, placeholder

    def rows(self, sql: str) -> list[tuple[Any, ...]]:
        with self._connect() as conn:
            cursor = conn.cursor()
            cursor.execute(sql)
            return [tuple(row) for row in cursor.fetchall()]


def _command(target: Target, *args: str) -> list[str]:
    return [sys.executable, str(Path(settings.BASE_DIR) / "manage.py"), *args]


def _env(target: Target) -> dict[str, str]:
    return dict(
        os.environ,
        DATABASE_URL=target.url,
        DJANGO_SETTINGS_MODULE="config.settings.test",
        SAMDRIFT_DB_CONN_MAX_AGE="0",
        PYTHONDONTWRITEBYTECODE="1",
    )


def _run(target: Target, *args: str, module: bool = False) -> None:
    command = [sys.executable, "-m", *args] if module else _command(target, *args)
    result = subprocess.run(
        command,
        env=_env(target),
        cwd=settings.BASE_DIR,
        capture_output=True,
        text=True,
        timeout=300,
    )
    assert result.returncode == 0, result.stderr[-3000:]


def _kill_at_random(
    target: Target, rng: random.Random, *args: str, window: tuple[float, float]
) -> bool:
    """Start the command, SIGKILL it after a random delay; True when it was killed mid-flight."""
    process = subprocess.Popen(
        _command(target, *args),
        env=_env(target),
        cwd=settings.BASE_DIR,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    deadline = time.monotonic() + rng.uniform(*window)
    while time.monotonic() < deadline and process.poll() is None:
        time.sleep(0.01)
    killed = process.poll() is None
    if killed:
        process.send_signal(signal.SIGKILL)
    process.wait(timeout=60)
    return killed


def check_consistent(target: Target) -> None:
    """No partial or duplicated invoice, gapless numbers, a ledger entry for every ledger line."""
    invoices = target.rows(
        "SELECT i.id, i.status, i.number, i.total_ore, i.seller_id, i.kind, r.status, i.buyer_name "
        "FROM billing_invoice i LEFT JOIN billing_invoicerun r ON r.id = i.run_id"
    )
    sums = {
        row[0]: (row[1], row[2])
        for row in target.rows(
            "SELECT invoice_id, SUM(amount_ore), COUNT(*) FROM billing_invoiceline GROUP BY invoice_id"
        )
    }
    numbers: dict[tuple[int, str], list[int]] = defaultdict(list)
    for invoice_id, status, number, total, seller, kind, run_status, buyer in invoices:
        assert invoice_id in sums, f"invoice {invoice_id} without lines"
        assert status == run_status, f"invoice {invoice_id} is {status} in a {run_status} run"
        if status == "finalised":
            assert number and buyer and total == sums[invoice_id][0], (
                f"partial invoice {invoice_id}"
            )
            numbers[(seller, kind)].append(int(number[1:]))
        else:
            assert number is None
    for (seller, kind), used in numbers.items():
        assert sorted(used) == list(range(1, len(used) + 1)), f"gap or duplicate in {seller}/{kind}"
        (next_number,) = target.rows(
            f"SELECT next_number FROM billing_numberseries WHERE seller_id = {int(seller)} AND kind = '{kind}'"  # noqa: S608
        )[0]
        assert next_number == len(used) + 1
    assert not target.rows(
        "SELECT run_id, seller_id, buyer_id FROM billing_invoice WHERE kind = 'invoice' "
        "GROUP BY run_id, seller_id, buyer_id HAVING COUNT(*) > 1"
    )
    kinds = ", ".join(f"'{k}'" for k in LEDGER_LINE_KINDS)
    (expected,) = target.rows(
        "SELECT COUNT(*) FROM billing_invoiceline l JOIN billing_invoice i ON i.id = l.invoice_id "  # noqa: S608
        f"WHERE i.status = 'finalised' AND l.kind IN ({kinds}) AND l.service_id IS NOT NULL"
    )[0]
    (entries,) = target.rows(
        "SELECT COUNT(*) FROM billing_ledgerentry WHERE invoice_line_id IS NOT NULL"
    )[0]
    assert entries == expected, "ledger entries do not match the finalised lines"
    for (close_id,) in target.rows("SELECT id FROM billing_yearendclose"):
        (costs,) = target.rows(
            f"SELECT COUNT(*) FROM billing_ledgerentry WHERE close_id = {int(close_id)}"  # noqa: S608
        )[0]
        assert costs > 0, "a close without its allocated cost"
    (orphans,) = target.rows(
        "SELECT COUNT(*) FROM billing_ledgerentry WHERE kind = 'allocated_cost' AND close_id IS NULL"
    )[0]
    assert orphans == 0


def snapshot(target: Target) -> list[tuple[Any, ...]]:
    return (
        target.rows(
            "SELECT r.period, i.number, i.buyer_id, i.total_ore, i.buyer_name FROM billing_invoice i "
            "JOIN billing_invoicerun r ON r.id = i.run_id ORDER BY i.seller_id, i.number"
        )
        + target.rows(
            "SELECT 'close', c.year, c.fee_area_id, c.input_hash, '' FROM billing_yearendclose c ORDER BY c.year"
        )
        + target.rows(
            "SELECT 'entry', kind, account_id, SUM(amount_ore), COUNT(*) FROM billing_ledgerentry "
            "GROUP BY kind, account_id ORDER BY kind, account_id"
        )
    )


@contextmanager
def databases(tmp_path: Path) -> Iterator[tuple[Target, Target]]:
    """Two databases with the migrated schema of the test database: one to crash, one reference."""
    if connection.vendor == "sqlite":
        template = tmp_path / "template.sqlite3"
        connection.ensure_connection()
        with connection.cursor() as cursor:  # the migrated schema, triggers included
            cursor.execute("VACUUM INTO %s", [str(template)])
        paths = [tmp_path / "crash.sqlite3", tmp_path / "reference.sqlite3"]
        for path in paths:
            shutil.copy(template, path)
        yield tuple(Target(f"sqlite:///{p}", lambda p=p: sqlite3.connect(p)) for p in paths)  # type: ignore[misc]
        return
    import psycopg

    params = connection.get_connection_params()
    base = {k: v for k, v in params.items() if k in ("host", "port", "user", "password")}
    names = [f"crash_{os.getpid()}", f"crash_ref_{os.getpid()}"]
    schema = subprocess.run(
        [
            "pg_dump",
            "--schema-only",
            "--no-owner",
            "-h",
            str(base.get("host", "127.0.0.1")),
            "-p",
            str(base.get("port", 5432)),
            "-U",
            str(base.get("user", "postgres")),
            params["dbname"],
        ],
        capture_output=True,
        text=True,
        check=True,
        env=dict(os.environ, PGPASSWORD=str(base.get("password") or "")),
    ).stdout
    schema = "\n".join(
        line for line in schema.splitlines() if not line.startswith(("\\restrict", "\\unrestrict"))
    )
    with psycopg.connect(dbname="postgres", autocommit=True, **base) as admin:
        for name in names:
            admin.execute(f'DROP DATABASE IF EXISTS "{name}"')
            admin.execute(f'CREATE DATABASE "{name}"')
    for name in names:
        with psycopg.connect(dbname=name, autocommit=True, **base) as conn:
            conn.execute(schema)
    user, host, port = (
        base.get("user", "postgres"),
        base.get("host", "127.0.0.1"),
        base.get("port", 5432),
    )
    password = f":{base['password']}" if base.get("password") else ""
    try:
        yield tuple(  # type: ignore[misc]
            Target(
                f"postgres://{user}{password}@{host}:{port}/{name}",
                lambda name=name: psycopg.connect(dbname=name, **base),
                "%s",
            )
            for name in names
        )
    finally:
        with psycopg.connect(dbname="postgres", autocommit=True, **base) as admin:
            for name in names:
                admin.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')


@pytest.mark.slow
@pytest.mark.django_db(transaction=True)  # no open transaction: the schema can be copied out
def test_killed_runs_and_closes_leave_no_partial_invoice(tmp_path):
    rng = random.Random(int(os.environ.get("CRASH_SEED", "20261129")))
    with databases(tmp_path) as (crash, reference):
        _run(crash, "samdrift.billing.tests.crash_world", module=True)
        if crash.url.startswith("sqlite"):
            shutil.copy(
                crash.url.removeprefix("sqlite:///"), reference.url.removeprefix("sqlite:///")
            )
        else:
            _run(reference, "samdrift.billing.tests.crash_world", module=True)
        started = time.monotonic()
        _run(reference, "billing", "run", "--year", "2024", "--finalise")
        run_seconds = time.monotonic() - started
        _run(reference, "billing", "close", "--year", "2024")
        expected = snapshot(reference)
        assert len([row for row in expected if row[0] != "close" and row[0] != "entry"]) >= 12 * 17

        killed = 0
        for _attempt in range(KILLS_RUN):
            killed += _kill_at_random(
                crash,
                rng,
                "billing",
                "run",
                "--year",
                "2024",
                "--finalise",
                window=(0.5, max(1.0, run_seconds * 0.9)),
            )
            check_consistent(crash)
        _run(crash, "billing", "run", "--year", "2024", "--finalise")
        for _attempt in range(KILLS_CLOSE):
            killed += _kill_at_random(
                crash, rng, "billing", "close", "--year", "2024", window=(0.5, 2.5)
            )
            check_consistent(crash)
        _run(crash, "billing", "close", "--year", "2024")
        check_consistent(crash)
        assert killed >= 12, (
            f"only {killed} of {KILLS_RUN + KILLS_CLOSE} processes were killed mid-flight"
        )
        assert snapshot(crash) == expected
