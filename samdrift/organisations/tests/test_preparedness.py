"""The register marks the preparedness agencies of the annex to förordning (2022:524) (issue 10
item 6, ADR 0511); a file's own `preparedness` column overrides the annex for its rows."""

from __future__ import annotations

from pathlib import Path

import pytest

from samdrift.audit.models import AuditEvent
from samdrift.core.actor import SYSTEM
from samdrift.organisations.models import Organisation
from samdrift.organisations.preparedness import annex_sectors
from samdrift.organisations.services import import_agencies
from tests.api.support import call

pytestmark = pytest.mark.django_db
REGISTER = Path(__file__).resolve().parents[1] / "data" / "agencies.csv"


def test_the_shipped_register_marks_the_annex_agencies():
    assert import_agencies(actor=SYSTEM, text=REGISTER.read_text()).ok
    flagged = set(Organisation.objects.filter(preparedness=True).values_list("name", flat=True))
    # Every annex name is spelled as in the register, so every one is marked, and nothing else.
    assert flagged == set(annex_sectors())
    assert {"Försäkringskassan", "Domstolsverket", "Länsstyrelsen i Skåne län"} <= flagged
    assert not Organisation.objects.get(name="Skolforskningsinstitutet").preparedness
    assert not Organisation.objects.get(name="Länsstyrelserna").preparedness  # a group, no agency
    assert not Organisation.objects.filter(parent__name="Domstolsverket", preparedness=True)


def test_a_preparedness_column_overrides_the_annex_and_changes_are_audited():
    header = "name,org_number,preparedness\n"
    import_agencies(
        actor=SYSTEM, text=header + "Testverket,202100-5521,ja\nSkatteverket,202100-5448,\n"
    )
    assert Organisation.objects.get(name="Testverket").preparedness
    assert not Organisation.objects.get(name="Skatteverket").preparedness  # the column says no
    # Without the column the annex decides: Skatteverket is in it.
    result = import_agencies(actor=SYSTEM, text="name,org_number\nSkatteverket,202100-5448\n")
    assert result.updated == 1 and Organisation.objects.get(name="Skatteverket").preparedness
    event = AuditEvent.objects.filter(action="organisations.updated").latest("id")
    assert (event.before["preparedness"], event.after["preparedness"]) == (False, True)


def test_a_bad_preparedness_value_is_refused_in_both_languages_and_nothing_changes():
    result = import_agencies(
        actor=SYSTEM, text="name,org_number,preparedness\nTestverket,202100-5521,kanske\n"
    )
    assert not result.ok and not Organisation.objects.exists()
    (error,) = result.errors
    assert error.line == 2 and "ja eller nej" in error.sv and "yes or no" in error.en


def test_the_agency_api_shows_the_mark(client_for, account_manager, agency):
    Organisation.objects.filter(pk=agency.pk).update(preparedness=True)
    response = call(client_for(account_manager), "GET", "/agencies?limit=100")
    by_name = {row["name"]: row for row in response.json()["items"]}
    assert by_name[agency.name]["preparedness"] is True
    assert by_name["Försäkringskassan"]["preparedness"] is False  # a factory row, not imported
