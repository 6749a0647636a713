"""Goals against outcome (ADR 0515): the assignment's targets from goals.json against onboarding's
live figures; a broken goals file is refused in both languages and named in the report."""

from __future__ import annotations

import datetime
import json

import pytest
from django.utils import translation

from samdrift.accounts.selectors import actor_for_user
from samdrift.core.exceptions import ValidationFailed
from samdrift.reporting import goals
from samdrift.reporting.documents import render_document_html
from samdrift.reporting.selectors import government_report
from samdrift.tests.factories import ConnectionCaseFactory, OrganisationFactory

pytestmark = pytest.mark.django_db


def test_the_shipped_file_holds_the_assignments_targets():
    targets = goals.load_targets()
    assert {(t.year, t.measure, t.at_least) for t in targets} >= {
        (2026, "realised", 2),
        (2026, "started", 3),
    }


@pytest.fixture
def cases(provider):
    day = datetime.date
    done = [OrganisationFactory(name=f"Klar {n}") for n in range(2)]
    for org in done:
        ConnectionCaseFactory(
            organisation=org, state="completed", phase="run", opened_on=day(2025, 3, 1),
            closed_on=day(2026, 5, 1),
        )  # fmt: skip
    # Completed in another year, cancelled, opened another year: none of them counts.
    ConnectionCaseFactory(
        organisation=OrganisationFactory(name="Förra året"), state="completed", phase="run",
        opened_on=day(2024, 1, 1), closed_on=day(2025, 6, 1),
    )  # fmt: skip
    ConnectionCaseFactory(
        organisation=OrganisationFactory(name="Avbruten"), state="cancelled",
        opened_on=day(2026, 2, 1), closed_on=day(2026, 3, 1),
    )  # fmt: skip
    ConnectionCaseFactory(organisation=OrganisationFactory(name="Ny A"), opened_on=day(2026, 4, 1))
    ConnectionCaseFactory(organisation=OrganisationFactory(name="Ny B"), opened_on=day(2026, 9, 1))
    # A second case of an agency realised this year is not "more" started.
    ConnectionCaseFactory(organisation=done[0], opened_on=day(2026, 8, 1))


def test_outcome_is_counted_from_the_cases_and_compared(cases, provider_admin):
    report = government_report(actor=actor_for_user(provider_admin), year=2026, language="en")
    rows = {row.target.measure: row for row in report.goals}
    assert (rows["realised"].outcome, rows["realised"].met) == (2, True)
    assert rows["realised"].agencies == ["Klar 0", "Klar 1"]
    assert (rows["started"].outcome, rows["started"].met) == (2, False)
    assert rows["started"].agencies == ["Ny A", "Ny B"]
    html = render_document_html(report)
    assert "Connection started for at least three more agencies" in html
    sv = render_document_html(government_report(actor=actor_for_user(provider_admin), year=2026))
    assert "Mål mot utfall" in sv and "Minst två nya kundmyndigheter realiserade" in sv


def test_a_year_without_goals_says_no_data(provider_admin):
    report = government_report(actor=actor_for_user(provider_admin), year=2021, language="en")
    assert report.goals == []
    assert "No data: no goals of the assignment are recorded for 2021." in render_document_html(
        report
    )


@pytest.mark.parametrize(
    ("content", "en", "sv"),
    [
        ("not json", "is not a JSON object", "är inte ett JSON-objekt"),
        ('{"targets": {}}', "is not a JSON object", "är inte ett JSON-objekt"),
        (
            {"year": 2026, "measure": "invented", "at_least": 2, "sv": "x", "en": "x"},
            "Target 2 in the goals file",
            "Mål 2 i målfilen",
        ),
        (
            {"year": 2026, "measure": "started", "at_least": -1, "sv": "x", "en": "x"},
            "Target 2",
            "Mål 2",
        ),
        ({"year": "2026", "measure": "started", "at_least": 1, "sv": "x", "en": "x"}, "2", "2"),
        ({"year": 2026, "measure": "started", "at_least": 1, "sv": " ", "en": "x"}, "2", "2"),
    ],
)
def test_a_broken_goals_file_is_refused_in_both_languages(
    tmp_path, monkeypatch, provider_admin, content, en, sv
):
    path = tmp_path / "goals.json"
    good = {"year": 2026, "measure": "realised", "at_least": 1, "sv": "a", "en": "a"}
    path.write_text(
        content if isinstance(content, str) else json.dumps({"targets": [good, content]})
    )
    for language, expected in (("en", en), ("sv", sv)):
        with translation.override(language):
            with pytest.raises(ValidationFailed) as caught:
                goals.load_targets(path)
            assert expected in str(caught.value)
    # In the report the problem is shown instead of the table (never a silently shorter list).
    monkeypatch.setattr(goals, "GOALS_FILE", path)
    monkeypatch.setattr(goals.goals_for, "__kwdefaults__", {"path": path})
    report = government_report(actor=actor_for_user(provider_admin), year=2026, language="en")
    assert report.goals == [] and en in report.goals_problem
