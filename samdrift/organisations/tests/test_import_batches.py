"""The register import checks everything, then writes in short batches (issue 19 item 2,
ADR 0069): no write transaction while it checks or between batches, a stopped run is reported
and completed by importing the same file again."""

from __future__ import annotations

import io
from pathlib import Path

import pytest
from django.core.management import call_command
from django.db import connection

from samdrift.audit.models import AuditEvent
from samdrift.core.actor import SYSTEM
from samdrift.organisations.models import Organisation
from samdrift.organisations.register_import import (
    FINISHED,
    STARTED,
    import_agencies,
    unfinished_import,
)

REGISTER = Path(__file__).resolve().parents[1] / "data" / "agencies.csv"


class Stop(Exception):
    pass


@pytest.mark.django_db
def test_batches_give_the_same_register_and_a_rerun_changes_nothing():
    first = import_agencies(actor=SYSTEM, text=REGISTER.read_text(), batch_rows=40)
    assert first.ok and first.created == 347 and first.groups_created == ["Länsstyrelserna"]
    assert Organisation.objects.count() == 348
    assert Organisation.objects.get(name="Domstolsverket").children.count() == 80
    assert Organisation.objects.get(name="Länsstyrelserna", is_group=True).children.count() == 21
    started = AuditEvent.objects.get(action=STARTED)
    finished = AuditEvent.objects.get(action=FINISHED)
    assert started.after["rows"] == 347 and started.after["sha256"] == finished.after["sha256"]
    assert unfinished_import() is None
    events = AuditEvent.objects.count()

    again = import_agencies(actor=SYSTEM, text=REGISTER.read_text(), batch_rows=40)
    assert (again.created, again.updated, again.unchanged) == (0, 0, 347)
    assert AuditEvent.objects.count() == events + 2  # the run's start and end only


@pytest.mark.django_db(transaction=True)
def test_no_transaction_is_open_between_batches_and_a_stopped_run_is_completed_by_a_rerun():
    seen: list[tuple[int, bool]] = []

    def stop_after_three(done: int, total: int) -> None:
        seen.append((done, connection.in_atomic_block))
        if len(seen) == 3:
            raise Stop

    with pytest.raises(Stop):
        import_agencies(
            actor=SYSTEM, text=REGISTER.read_text(), batch_rows=50, on_batch=stop_after_three
        )
    assert seen == [(50, False), (100, False), (150, False)]  # committed, lock released
    kept = Organisation.objects.filter(is_group=False).count()
    assert kept == 150  # three batches stayed: each was its own transaction
    unfinished = unfinished_import()
    assert unfinished is not None and unfinished.rows == 347

    rerun = import_agencies(actor=SYSTEM, text=REGISTER.read_text(), batch_rows=50)
    assert (rerun.created, rerun.unchanged) == (347 - 150, 150)
    assert Organisation.objects.count() == 348
    assert Organisation.objects.get(name="Domstolsverket").children.count() == 80
    assert unfinished_import() is None


@pytest.mark.django_db
def test_an_invalid_file_writes_nothing_not_even_the_start_of_a_run():
    text = REGISTER.read_text() + "Trasig\u001b myndighet,202100-5521,,,\n"
    result = import_agencies(actor=SYSTEM, text=text, batch_rows=50)
    assert not result.ok and result.errors[0].line == 349
    assert Organisation.objects.count() == 0
    assert not AuditEvent.objects.filter(action=STARTED).exists()


@pytest.mark.django_db
def test_the_command_warns_of_a_stopped_run_and_completes_it(tmp_path):
    def stop(done: int, total: int) -> None:
        raise Stop

    with pytest.raises(Stop):
        import_agencies(actor=SYSTEM, text=REGISTER.read_text(), batch_rows=100, on_batch=stop)
    path = tmp_path / "agencies.csv"
    path.write_text(REGISTER.read_text(), encoding="utf-8")
    out = io.StringIO()
    call_command("import_agencies", str(path), stdout=out)
    assert "stopped before its end" in out.getvalue()
    assert "Created 247, updated 0, unchanged 100" in out.getvalue()
    assert Organisation.objects.count() == 348
    assert AuditEvent.objects.filter(action=FINISHED).count() == 1
    assert unfinished_import() is None


@pytest.mark.django_db(transaction=True)
@pytest.mark.parametrize(("batch_seconds", "kept"), [(0.0, 6), (3600.0, 0)])
def test_a_batch_commits_early_when_it_has_run_its_time(monkeypatch, batch_seconds, kept):
    """However slow the machine, the write lock is held about `batch_seconds`: with no time at
    all each row commits alone (six kept when the seventh fails), with an hour the whole
    50-row batch is one transaction (none kept)."""
    from samdrift.organisations import register_import

    real = register_import._upsert
    calls = {"n": 0}

    def seventh_fails(*args, **kwargs):
        calls["n"] += 1
        if calls["n"] == 7:
            raise Stop
        return real(*args, **kwargs)

    monkeypatch.setattr(register_import, "_upsert", seventh_fails)
    with pytest.raises(Stop):
        import_agencies(
            actor=SYSTEM, text=REGISTER.read_text(), batch_rows=50, batch_seconds=batch_seconds
        )
    assert Organisation.objects.filter(is_group=False).count() == kept
