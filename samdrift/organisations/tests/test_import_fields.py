"""Every field of the agency CSV is checked; a bad value is an error on its line in both
languages, never a traceback, and nothing is written (issue 19 item 10)."""

from __future__ import annotations

import pytest

from samdrift.audit.models import AuditEvent
from samdrift.core.actor import SYSTEM
from samdrift.organisations.models import Organisation
from samdrift.organisations.services import import_agencies

pytestmark = pytest.mark.django_db
HEADER = "name,org_number,employees\n"
GOOD = "Bra verket,202100-5521,10\n"


@pytest.mark.parametrize(
    ("bad_line", "english"),
    [
        ("Upphöjt verket,202100-4284,²\n", "whole number"),
        ("Stort verket,202100-4284,12345678901234567890123\n", "whole number"),
        ("L" * 201 + ",202100-4284,1\n", "longer than 200"),
        ("Nollverket\x1b,202100-4284,1\n", "control characters"),
        ("Nollverket\x00,202100-4284,1\n", "control characters"),
        ("Fältverket,202100-4284," + "9" * 200_000 + "\n", "cannot be read"),
    ],
)
def test_a_bad_field_is_an_error_on_its_line_and_nothing_is_written(bad_line, english):
    result = import_agencies(actor=SYSTEM, text=HEADER + GOOD + bad_line)
    assert not result.ok
    assert [error.line for error in result.errors] == [3]
    assert english in result.errors[0].en
    assert result.errors[0].sv and result.errors[0].sv != result.errors[0].en
    assert not Organisation.objects.exists()
    assert not AuditEvent.objects.exists()


def test_the_bundled_register_still_parses():
    from pathlib import Path

    from samdrift.organisations.importing import parse_agency_csv

    data = Path(__file__).resolve().parents[1] / "data" / "agencies.csv"
    rows, errors = parse_agency_csv(data.read_text(encoding="utf-8"))
    assert errors == [] and len(rows) > 100


def test_a_parent_cycle_is_refused():
    text = "name,org_number,parent\nA-verket,202100-5521,B-verket\nB-verket,202100-4284,A-verket\n"
    result = import_agencies(actor=SYSTEM, text=text)
    assert not result.ok and [e.line for e in result.errors] == [2, 3]
    assert "own ancestor" in result.errors[0].en and "egen överordnade" in result.errors[0].sv
    assert not Organisation.objects.exists()


def test_a_parent_change_needs_explicit_confirmation(tmp_path):
    from django.core.management import CommandError, call_command

    first = "name,org_number,parent\nA-verket,202100-5521,Grupp 1\n"
    assert import_agencies(actor=SYSTEM, text=first).ok
    moved = "name,org_number,parent\nA-verket,202100-5521,Grupp 2\n"
    refused = import_agencies(actor=SYSTEM, text=moved)
    assert not refused.ok and "--confirm-parent-changes" in refused.errors[0].en
    assert Organisation.objects.get(name="A-verket").parent.name == "Grupp 1"
    path = tmp_path / "moved.csv"
    path.write_text(moved, encoding="utf-8")
    with pytest.raises(CommandError):
        call_command("import_agencies", str(path))
    assert Organisation.objects.get(name="A-verket").parent.name == "Grupp 1"
    call_command("import_agencies", str(path), "--confirm-parent-changes")
    assert Organisation.objects.get(name="A-verket").parent.name == "Grupp 2"
