"""Fixtures of the DSAM tests: a small catalogue of three areas, and an evaluation of three
solutions by the provider's administrator."""

from __future__ import annotations

import pytest

from samdrift.accounts.selectors import actor_for_user
from samdrift.cooperation import services
from samdrift.cooperation.parsing import parse_catalogue

CSV = """id;area;text;grade;test_method;weight
V1;Video;Video meetings with at least 50 participants;skall;Test meeting;
V2;Video;Background blur;önskvärd;Demonstration;2
D1;Documents;Two people edit one document at the same time;skall;Test;
D2;Documents;Version history;bör;Inspection;5
C1;Chat;Persistent chat rooms;bör;Test;3
"""


@pytest.fixture
def admin(provider_admin):
    return actor_for_user(provider_admin)


@pytest.fixture
def catalogue(admin, provider):
    parsed = parse_catalogue(CSV.encode(), "csv")
    return services.import_catalogue(
        actor=admin, owner_id=provider.id, parsed=parsed, code="DSAM-2021", name="DSAM 2021"
    )


@pytest.fixture
def evaluation(admin, catalogue):
    """Alfa meets everything; Beta only partly meets the video skall (out); Gamma passes with
    a lower score."""
    ev = services.create_evaluation(actor=admin, catalogue_code="DSAM-2021", code="E1",
                                    title="Utvärdering 2021")  # fmt: skip
    verdicts = {
        "Alfa": {"V1": "met", "V2": "met", "D1": "met", "D2": "met", "C1": "met"},
        "Beta": {"V1": "partly", "V2": "met", "D1": "met", "D2": "met", "C1": "met"},
        "Gamma": {"V1": "met", "V2": "not_met", "D1": "met", "D2": "partly", "C1": "met"},
    }
    for name, marks in verdicts.items():
        solution = services.add_solution(actor=admin, evaluation_code="E1", name=name)
        for ref, verdict in marks.items():
            services.assess(actor=admin, evaluation_code="E1", solution_id=solution.id,
                            requirement_ref=ref, verdict=verdict, evidence=f"{name} {ref}")  # fmt: skip
    return ev
