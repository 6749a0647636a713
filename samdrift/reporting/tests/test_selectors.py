from __future__ import annotations

import pytest

from samdrift.accounts.selectors import actor_for_user
from samdrift.core.actor import SYSTEM
from samdrift.core.exceptions import NotFound, ValidationFailed
from samdrift.reporting.selectors import government_report, report_years

pytestmark = pytest.mark.django_db


def test_report_counts_cases_by_phase_and_scope(world, provider_admin):
    report = government_report(actor=actor_for_user(provider_admin), year=2021)
    conn = report.connections
    assert conn.count("initiate", "single") == 1
    assert conn.count("plan", "total") == 1
    assert conn.count("run", "single") == 1  # completed cases count in the run phase
    assert conn.count("package", "total") == 0  # cancelled cases do not count
    assert conn.total == 3
    assert [e.agency for e in conn.entries["run"]] == ["Domstolsverket"]


def test_service_table_counts_as_the_report_with_umbrella_footnote(world, provider_admin):
    report = government_report(actor=actor_for_user(provider_admin), year=2021)
    rows = {row.service.code: row for row in report.services.rows}
    assert (rows["EFOS"].requested, rows["EFOS"].connected, rows["EFOS"].connected_legal) == (
        3,
        1,
        3,
    )
    assert [(u.name, u.members) for u in rows["EFOS"].umbrellas] == [("Domstolsverket", 3)]
    # The ended connection of the other agency does not count; the agency's does.
    assert (rows["ITARB"].requested, rows["ITARB"].connected) == (1, 1)
    assert rows["ITARB"].umbrellas == []
    assert [r.service.code for r in report.services.umbrella_rows] == ["EFOS"]


def test_efos_consumers_any_basis_and_planned_connections(world, provider_admin):
    efos = government_report(actor=actor_for_user(provider_admin), year=2021).efos
    assert efos.consumers == ["Domstolsverket", "Myndighet A"]
    assert efos.planned_year == 2022
    assert efos.planned == ["Sjöfartsverket"]


def test_indicators_say_no_data_where_there_is_none(world, provider_admin):
    report = government_report(actor=actor_for_user(provider_admin), year=2021)
    assert [i.number for i in report.indicators] == [1, 2, 3, 4, 5, 6, 7]
    by_number = {i.number: i for i in report.indicators}
    assert by_number[1].value is not None
    coverage = {c.service.code: c for c in by_number[1].coverage}
    # All bases count for coverage: the umbrella's 3 courts + the agency = 4 legal agencies.
    assert coverage["EFOS"].connected_legal == 4
    for number in (2, 6, 7):
        assert by_number[number].value is None
    assert report.economy.available and not report.economy.has_lines  # no billing data: left out
    for number in (3, 4, 5):
        assert by_number[number].value is None


def test_prose_falls_back_to_swedish_and_marks_the_language(world, provider_admin):
    from samdrift.reporting.services import report_text_save

    report_text_save(
        actor=SYSTEM, year=2021, texts={"summary_sv": "Första stycket.\n\nAndra stycket."}
    )
    report = government_report(actor=actor_for_user(provider_admin), year=2021, language="en")
    assert report.summary.lang == "sv"
    assert report.summary.paragraphs == ["Första stycket.", "Andra stycket."]
    assert report.background.missing


@pytest.mark.parametrize(
    "fixture_name", ["agency_contact", "agency_orderer", "other_agency_contact"]
)
def test_customers_cannot_read_the_report(world, request, fixture_name):
    actor = actor_for_user(request.getfixturevalue(fixture_name))
    with pytest.raises(NotFound):
        government_report(actor=actor, year=2021)
    with pytest.raises(NotFound):
        report_years(actor=actor)


@pytest.mark.parametrize("year", [2016, 2101, "x", None])
def test_bad_year_is_refused_in_both_languages(provider_admin, year):
    with pytest.raises(ValidationFailed) as info:
        government_report(actor=actor_for_user(provider_admin), year=year)  # type: ignore[arg-type]
    from samdrift.core.i18n import in_both_languages

    both = in_both_languages(info.value.message)
    assert "2017" in both["en"] and "2017" in both["sv"]


def test_agencies_per_phase_are_named_once_with_their_case_count(world, provider_admin):
    from samdrift.reporting.documents import report_context
    from samdrift.tests.factories import ConnectionCaseFactory

    ConnectionCaseFactory(organisation=world.agency, scope="single", phase="initiate")
    report = government_report(actor=actor_for_user(provider_admin), year=2021)
    rows = {row["label"]: row for row in report_context(report)["phase_rows"]}
    assert rows["Initiera"]["cells"][0] == {"names": ["Myndighet A (2)"], "more": 0}
    assert rows["Initiera"]["single"] == 2
