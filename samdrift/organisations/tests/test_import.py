from __future__ import annotations

from pathlib import Path

import pytest
from django.core.management import call_command
from django.core.management.base import CommandError

from samdrift.audit.models import AuditEvent
from samdrift.core.actor import SYSTEM
from samdrift.core.orgnumber import luhn_valid
from samdrift.organisations.models import Organisation
from samdrift.organisations.services import import_agencies

pytestmark = pytest.mark.django_db
REGISTER = Path(__file__).resolve().parents[1] / "data" / "agencies.csv"


def test_luhn():
    assert luhn_valid("2021005521")  # Försäkringskassan
    assert not luhn_valid("2021005522")


def test_register_imports_with_hierarchy_and_rerun_changes_nothing():
    first = import_agencies(actor=SYSTEM, text=REGISTER.read_text())
    assert first.ok and first.created == 347 and first.groups_created == ["Länsstyrelserna"]
    assert Organisation.objects.count() == 348
    assert Organisation.objects.get(name="Domstolsverket").children.count() == 80
    assert Organisation.objects.get(name="Länsstyrelserna", is_group=True).children.count() == 21
    events = AuditEvent.objects.count()

    again = import_agencies(actor=SYSTEM, text=REGISTER.read_text())

    assert (again.created, again.updated, again.unchanged) == (0, 0, 347)
    assert Organisation.objects.count() == 348
    assert AuditEvent.objects.count() == events + 1  # only the import's own record


def test_update_is_recorded_with_before_and_after():
    import_agencies(
        actor=SYSTEM,
        text="name,org_number,department\nTestverket,202100-5521,Socialdepartementet\n",
    )
    result = import_agencies(
        actor=SYSTEM,
        text="name,org_number,department\nTestverket,202100-5521,Finansdepartementet\n",
    )
    assert result.updated == 1
    event = AuditEvent.objects.filter(action="organisations.updated").get()
    assert event.before["ministry"] == "Socialdepartementet"
    assert event.after["ministry"] == "Finansdepartementet"


def test_one_bad_row_keeps_nothing_and_names_its_line_in_both_languages():
    text = "name,org_number\nBra verket,202100-5521\nDåligt verket,202100-5522\nTomt,\n"
    result = import_agencies(actor=SYSTEM, text=text)
    assert not result.ok
    assert [e.line for e in result.errors] == [3, 4]
    assert "kontrollsiffra" in result.errors[0].sv or "Luhn" in result.errors[0].sv
    assert "check digit" in result.errors[0].en
    assert not Organisation.objects.exists()
    assert not AuditEvent.objects.exists()


def test_missing_column_is_reported():
    result = import_agencies(actor=SYSTEM, text="namn,orgnr\nA,1\n")
    assert not result.ok and result.errors[0].line == 1


def test_cli_reports_line_numbers_and_fails(tmp_path, capsys):
    bad = tmp_path / "bad.csv"
    bad.write_text("name,org_number\nA,12345\n")
    with pytest.raises(CommandError):
        call_command("import_agencies", str(bad))
    assert "bad.csv:2:" in capsys.readouterr().err
    assert not Organisation.objects.exists()
