"""Importing a requirement catalogue: every row checked, any problem named by row in Swedish
and English, nothing stored; a good file stored whole and audited."""

from __future__ import annotations

import json

import pytest
from django.utils import translation

from samdrift.accounts.selectors import actor_for_user
from samdrift.audit.models import AuditEvent
from samdrift.cooperation import services
from samdrift.cooperation.models import Catalogue, Requirement
from samdrift.cooperation.parsing import parse_catalogue
from samdrift.core.exceptions import NotFound, ValidationFailed

from .conftest import CSV

pytestmark = pytest.mark.django_db


def _refusal(data: str, fmt: str = "csv", language: str = "en") -> ValidationFailed:
    with translation.override(language), pytest.raises(ValidationFailed) as caught:
        parse_catalogue(data.encode(), fmt)
    return caught.value


def test_a_good_csv_is_stored_whole_and_audited(catalogue):
    rows = list(
        Requirement.objects.filter(catalogue=catalogue).values_list("ref", "grade", "weight")
    )
    assert rows == [("V1", "skall", 0), ("V2", "önskvärd", 2), ("D1", "skall", 0),
                    ("D2", "bör", 5), ("C1", "bör", 3)]  # fmt: skip
    event = AuditEvent.objects.get(action="cooperation.catalogue.import")
    assert event.after == {"code": "DSAM-2021", "name": "DSAM 2021", "requirements": 5}


def test_json_with_code_and_name(admin, provider):
    document = {"code": "J1", "name": "Från JSON", "requirements": [
        {"id": "K1", "area": "Kanban", "text": "Tavla", "grade": "Bör", "weight": 4},
        {"id": "K2", "area": "Kanban", "text": "Kort", "grade": "skall"},
    ]}  # fmt: skip
    parsed = parse_catalogue(json.dumps(document).encode(), "json")
    catalogue = services.import_catalogue(actor=admin, owner_id=provider.id, parsed=parsed)
    assert (catalogue.code, catalogue.name) == ("J1", "Från JSON")
    assert [r.grade for r in catalogue.requirements.order_by("position")] == ["bör", "skall"]


def test_unknown_grade_names_the_row_in_both_languages():
    data = CSV.replace("D2;Documents;Version history;bör", "D2;Documents;Version history;kanske")
    english = _refusal(data)
    assert "Row 5: unknown grade “kanske”" in english.errors["rows"][0]
    assert "Row 5" in str(english)
    swedish = _refusal(data, language="sv")
    assert "Rad 5: okänd kravnivå ”kanske”" in swedish.errors["rows"][0]
    assert "Kravkatalogen importerades inte" in str(swedish)


def test_duplicate_id_and_missing_text_are_each_named():
    data = CSV + "V1;Video;;skall;;\n"
    refused = _refusal(data)
    assert refused.errors["rows"] == [
        "Row 7: the id V1 is already used on row 2.",
        "Row 7: the requirement has no text.",
    ]
    swedish = _refusal(data, language="sv")
    assert swedish.errors["rows"][0] == "Rad 7: id V1 används redan på rad 2."


def test_weights_are_checked_by_grade():
    refused = _refusal(CSV.replace("Background blur;önskvärd;Demonstration;2", "Blur;önskvärd;x;0")
                       .replace("at least 50 participants;skall;Test meeting;", "50;skall;x;3"))  # fmt: skip
    assert refused.errors["rows"] == [
        "Row 2: a skall requirement has no weight (it must be met); leave the weight empty.",
        "Row 3: the weight of a bör or önskvärd requirement must be a whole number from 1 to 10.",
    ]


@pytest.mark.parametrize(
    ("data", "fmt", "first"),
    [
        ("id;area;text\nA;B;C\n", "csv", "Row 1: the header lacks the column(s) grade."),
        ("id;area;text;grade\n", "csv", "The file holds no requirements."),
        ('{"requirements": 3}', "json", "The JSON must be a list of requirements"),
        ("[{", "json", "The file is not valid JSON (line 1)."),
        ("x", "xlsx", "Give a .csv or .json file."),
    ],
)
def test_malformed_files(data, fmt, first):
    assert _refusal(data, fmt).errors["rows"][0].startswith(first)


def test_refused_import_stores_nothing(admin, provider, catalogue):
    before = (Catalogue.objects.count(), Requirement.objects.count(), AuditEvent.objects.count())
    parsed = parse_catalogue(CSV.encode(), "csv")
    with translation.override("sv"), pytest.raises(ValidationFailed) as caught:
        services.import_catalogue(
            actor=admin, owner_id=provider.id, parsed=parsed, code="DSAM-2021"
        )
    assert "finns redan" in str(caught.value)
    assert (
        Catalogue.objects.count(),
        Requirement.objects.count(),
        AuditEvent.objects.count(),
    ) == before


def test_only_the_owners_editors_import(provider, agency_contact, account_manager):
    parsed = parse_catalogue(CSV.encode(), "csv")
    for user in (agency_contact, account_manager):
        with pytest.raises(NotFound):
            services.import_catalogue(actor=actor_for_user(user), owner_id=provider.id,
                                      parsed=parsed, code="X")  # fmt: skip
    assert not Catalogue.objects.exists()
