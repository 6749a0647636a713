"""Orphaned objects are swept; `samdrift files verify` finds changed and missing bytes."""

from __future__ import annotations

import datetime
import io
from pathlib import Path

import pytest
from django.core.management import call_command
from django.core.management.base import CommandError
from django.utils import timezone

from samdrift.core.actor import SYSTEM
from samdrift.core.files import services

from .test_store import stored_keys

pytestmark = pytest.mark.django_db


def _stray(backend, key: str) -> None:
    """An object written behind samdrift's back, as a crash before the row commits leaves it."""
    if isinstance(backend, Path):
        (backend / key).parent.mkdir(parents=True, exist_ok=True)
        (backend / key).write_bytes(b"left over")
    else:
        backend.client().put_object(Bucket=backend.bucket, Key=key, Body=b"left over")


def test_sweep_removes_objects_without_a_row_and_keeps_the_rest(backend):
    # given: a stored file, and a stray object
    kept = services.store(io.BytesIO(b"kept"), "a.txt", None, actor=SYSTEM, owner_org_id=1)
    _stray(backend, "files/2026/12/stray")
    later = timezone.now() + datetime.timedelta(hours=2)
    # when: swept, as if two hours later
    gone = services.sweep_orphans(older_than=datetime.timedelta(hours=1), now=later)
    # then
    assert gone == ["files/2026/12/stray"]
    assert "files/2026/12/stray" not in stored_keys(backend)
    assert kept.key in stored_keys(backend)
    assert services.verify(kept)


def test_sweep_leaves_a_fresh_object_alone(backend):
    # An upload whose row is being committed right now looks like an orphan for a moment.
    _stray(backend, "files/2026/12/just-written")
    assert services.sweep_orphans(older_than=datetime.timedelta(hours=1)) == []
    assert "files/2026/12/just-written" in stored_keys(backend)


def test_verify_command_names_changed_and_missing_files(local_backend):
    good = services.store(io.BytesIO(b"good"), "good.txt", None, actor=SYSTEM, owner_org_id=1)
    changed = services.store(io.BytesIO(b"abcd"), "changed.txt", None, actor=SYSTEM, owner_org_id=1)
    missing = services.store(io.BytesIO(b"gone"), "gone.txt", None, actor=SYSTEM, owner_org_id=1)
    (local_backend / changed.key).write_bytes(b"abce")
    (local_backend / missing.key).unlink()
    out = io.StringIO()
    with pytest.raises(CommandError, match="2 files do not match"):
        call_command("files", "verify", stdout=out)
    assert changed.key in out.getvalue() and missing.key in out.getvalue()
    assert good.key not in out.getvalue()


def test_sweep_command(local_backend):
    _stray(local_backend, "files/2026/12/stray")
    out = io.StringIO()
    call_command("files", "sweep", "--hours", "0", stdout=out)
    assert "Removed 1 objects without a row / Tog bort 1 objekt utan rad" in out.getvalue()
