"""Evaluating solutions: evidence per requirement, the first screening on skall, weighted
scores for bör and önskvärd, and who reads and changes what."""

from __future__ import annotations

import pytest
from django.utils import translation

from samdrift.accounts.selectors import actor_for_user
from samdrift.audit.models import AuditEvent
from samdrift.cooperation import scoring, selectors, services
from samdrift.cooperation.models import Assessment
from samdrift.core.exceptions import NotFound, ValidationFailed
from samdrift.tests.factories import MembershipFactory, SecondProviderFactory, UserFactory

pytestmark = pytest.mark.django_db


def test_screening_and_scores(admin, evaluation):
    table = selectors.comparison(actor=admin, code="E1")
    results = {r.name: r for r in table.results}
    assert [r.name for r in table.results] == ["Alfa", "Gamma", "Beta"]
    assert results["Alfa"].passed and results["Alfa"].score == 100.0
    # Gamma: V2 not met (0 of 2), D2 partly (2.5 of 5), C1 met (3 of 3) → 5.5 / 10.
    assert results["Gamma"].passed and results["Gamma"].score == 55.0
    assert results["Gamma"].by_grade == {"önskvärd": 0.0, "bör": 5.5}
    # Beta only partly meets a skall requirement: out at the first screening, whatever it scores.
    assert not results["Beta"].passed
    assert [r.ref for r in results["Beta"].failed] == ["V1"]
    assert table.row(table.requirements[0])[0].evidence == "Alfa V1"


def test_an_unassessed_skall_keeps_a_solution_out():
    reqs = [scoring.Req(1, "S", "A", "skall", 0), scoring.Req(2, "B", "A", "bör", 4)]
    [result] = scoring.evaluate(reqs, [(7, "X")], {(7, 2): "met"})
    assert [r.ref for r in result.failed] == ["S"] and result.score == 100.0
    [nothing] = scoring.evaluate(reqs[:1], [(7, "X")], {(7, 1): "met"})
    assert nothing.passed and nothing.score is None


def test_changing_a_verdict_is_audited_with_before_and_after(admin, evaluation):
    beta = evaluation.solutions.get(name="Beta")
    services.assess(actor=admin, evaluation_code="E1", solution_id=beta.id, requirement_ref="V1",
                    verdict="met", evidence="Retested with 60 participants")  # fmt: skip
    event = AuditEvent.objects.filter(action="cooperation.assessment.set").latest("id")
    assert event.before == {"verdict": "partly", "evidence": "Beta V1"}
    assert event.after["verdict"] == "met"
    assert all(r.passed for r in selectors.comparison(actor=admin, code="E1").results)


@pytest.mark.parametrize(
    ("ref", "verdict", "evidence", "swedish"),
    [
        ("V9", "met", "x", "Kravkatalogen har inget krav V9."),
        ("V1", "maybe", "x", "Okänt utfall maybe"),
        ("V1", "met", "  ", "Ange underlaget för bedömningen av V1."),
    ],
)
def test_bad_assessments_change_nothing(admin, evaluation, ref, verdict, evidence, swedish):
    beta = evaluation.solutions.get(name="Beta")
    before = (list(Assessment.objects.values()), AuditEvent.objects.count())
    with translation.override("sv"), pytest.raises(ValidationFailed) as caught:
        services.assess(actor=admin, evaluation_code="E1", solution_id=beta.id,
                        requirement_ref=ref, verdict=verdict, evidence=evidence)  # fmt: skip
    assert str(caught.value).startswith(swedish)
    assert (list(Assessment.objects.values()), AuditEvent.objects.count()) == before


def test_drafts_are_the_owners_published_is_everyones(
    admin, evaluation, agency_contact, account_manager
):
    customer = actor_for_user(agency_contact)
    other_provider = SecondProviderFactory()
    stranger_user = UserFactory(username="annan")
    MembershipFactory(user=stranger_user, organisation=other_provider, role="provider_admin")
    stranger = actor_for_user(stranger_user)
    colleague = actor_for_user(account_manager)
    for reader in (customer, stranger):
        assert not selectors.evaluation_list(actor=reader).exists()
        with pytest.raises(NotFound):
            selectors.comparison(actor=reader, code="E1")
    assert selectors.comparison(actor=colleague, code="E1").editable is False
    services.publish(actor=admin, evaluation_code="E1")
    for reader in (customer, stranger, colleague):
        table = selectors.comparison(actor=reader, code="E1")
        assert [r.name for r in table.results] == ["Alfa", "Gamma", "Beta"]
        assert table.editable is False
        assert selectors.catalogue_get(actor=reader, code="DSAM-2021")
    # Readers of a published evaluation still change nothing.
    before = AuditEvent.objects.count()
    for reader in (customer, stranger, colleague):
        with pytest.raises(NotFound):
            services.add_solution(actor=reader, evaluation_code="E1", name="Delta")
    assert AuditEvent.objects.count() == before
    assert not evaluation.solutions.filter(name="Delta").exists()
