"""The level-of-assurance policy, table-driven."""

from __future__ import annotations

import pytest

from samdrift.identity import loa


@pytest.mark.parametrize(
    ("acr", "min_rank", "options", "expected"),
    [
        (loa.LOA2, 2, {}, True),
        (loa.LOA2, 3, {}, False),
        (loa.LOA3, 3, {}, True),
        (loa.LOA4, 3, {}, True),
        (loa.LOA4, 4, {}, True),
        (loa.LOA3, 4, {}, False),
        (loa.EIDAS_LOW, 2, {}, False),  # eIDAS low ranks below Swedish level 2
        (loa.EIDAS_LOW, 1, {}, True),
        (loa.EIDAS_SUB, 3, {}, True),
        (loa.EIDAS_SUB, 3, {"allow_eidas": False}, False),
        (loa.EIDAS_NF_HIGH, 4, {}, True),
        (loa.UNCERTIFIED_LOA3, 3, {}, False),  # uncertified only when the provider is trusted so
        (loa.UNCERTIFIED_LOA3, 3, {"allow_uncertified": True}, True),
        (loa.UNCERTIFIED_LOA3, 4, {"allow_uncertified": True}, False),
        (loa.LOA3_NONRESIDENT, 3, {}, True),
        (loa.LOA3_NONRESIDENT, 3, {"allow_nonresident": False}, False),
        ("http://id.elegnamnden.se/loa/1.0/loa3-sigmessage", 3, {}, False),  # deprecated, unknown
        ("http://id.elegnamnden.se/loa/1.0/loa5", 1, {}, False),
        ("http://id.elegnamnden.se/loa/1.0/loa4 ", 4, {}, False),  # no fuzzy matching
        ("HTTP://ID.ELEGNAMNDEN.SE/LOA/1.0/LOA4", 4, {}, False),
        ("", 1, {}, False),
        (None, 1, {}, False),
    ],
)
def test_satisfies(acr, min_rank, options, expected):
    assert loa.satisfies(acr, min_rank, **options) is expected


def test_acceptable_uris_for_level_three_lists_every_sufficient_uri_lowest_first():
    assert loa.acceptable_uris(3) == [
        loa.LOA3,
        loa.LOA3_NONRESIDENT,
        loa.EIDAS_NF_SUB,
        loa.EIDAS_SUB,
        loa.LOA4,
        loa.LOA4_NONRESIDENT,
        loa.EIDAS_NF_HIGH,
        loa.EIDAS_HIGH,
    ]


def test_acceptable_uris_with_uncertified_and_without_eidas():
    assert loa.acceptable_uris(3, allow_uncertified=True, allow_eidas=False) == [
        loa.LOA3,
        loa.LOA3_NONRESIDENT,
        loa.UNCERTIFIED_LOA3,
        loa.LOA4,
        loa.LOA4_NONRESIDENT,
    ]


@pytest.mark.parametrize("min_rank", [1, 2, 3, 4])
def test_every_acceptable_uri_satisfies_and_no_other_does(min_rank):
    accepted = set(loa.acceptable_uris(min_rank, allow_uncertified=True))
    for level in loa.LEVELS:
        assert loa.satisfies(level.uri, min_rank, allow_uncertified=True) is (level.uri in accepted)


@pytest.mark.parametrize("bad", [0, 5, -1, "3", None, 2.5])
def test_out_of_range_level_is_refused(bad):
    with pytest.raises(ValueError):
        loa.acceptable_uris(bad)
    with pytest.raises(ValueError):
        loa.satisfies(loa.LOA4, bad)


def test_effective_rank_respects_the_provider_policy():
    assert loa.effective_rank(loa.LOA4) == 4
    assert loa.effective_rank(loa.UNCERTIFIED_LOA3) == 0
    assert loa.effective_rank(loa.UNCERTIFIED_LOA3, allow_uncertified=True) == 3
    assert loa.effective_rank("urn:unknown") == 0
    assert loa.rank(loa.EIDAS_NF_LOW) == 1
    assert loa.rank("nonsense") == 0


def test_every_uri_is_registered_once():
    assert len(loa.REGISTRY) == len(loa.LEVELS) == 18
