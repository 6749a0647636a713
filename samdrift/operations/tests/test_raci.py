import pytest

from samdrift.operations.raci import covidbevis_2021, problems, routing

VALID = {
    "DNS-tjänst": {"R": ["Försäkringskassan"], "A": ["Försäkringskassan"], "I": ["Digg"]},
    "24/7 support": {
        "R": ["E-hälsomyndigheten"],
        "A": ["E-hälsomyndigheten"],
        "C": ["Försäkringskassan"],
        "I": ["Digg"],
    },
}


def test_valid_matrix_has_no_problems_and_routes():
    assert problems(VALID) == []
    route = routing(VALID, "24/7 support")
    assert route.assigned == ("E-hälsomyndigheten",)
    assert route.escalate_to == "E-hälsomyndigheten"
    assert route.notify == ("Försäkringskassan", "Digg")


@pytest.mark.parametrize(
    ("roles", "fragment"),
    [
        ({"R": ["X"]}, "exactly one accountable (A) required, 0 given"),
        ({"R": ["X"], "A": ["X", "Y"]}, "exactly one accountable (A) required, 2 given"),
        ({"A": ["X"]}, "at least one responsible (R) required"),
        ({"R": ["X"], "A": ["Y"], "Q": ["Z"]}, "unknown role Q"),
        ({"R": ["X"], "A": ["Y"], "I": ["X"]}, "X has both R and I"),
    ],
)
def test_invalid_rows_named_in_both_languages(roles, fragment):
    found = problems({"F": roles})
    assert any(fragment in line and " / " in line for line in found), found
    with pytest.raises(ValueError, match="not valid"):
        routing({"F": roles}, "F")


def test_empty_matrix_refused():
    assert problems({}) == ["Matrisen har inga funktioner. / The matrix has no functions."]


def test_covidbevis_2021_as_reported_lacks_accountable():
    matrix = covidbevis_2021()
    assert len(matrix) == 13
    assert matrix["Beställare av tjänst"]["R"] == [
        "Myndigheten för digital förvaltning",
        "Folkhälsomyndigheten",
    ]
    # The report names only who is responsible: every function needs an A before it takes effect.
    assert len(problems(matrix)) == 13
