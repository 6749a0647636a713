"""The shared factories stay valid however many agencies a test session makes."""

from __future__ import annotations

import pytest

from samdrift.core.orgnumber import validate_org_number
from samdrift.tests.factories import OrganisationFactory


@pytest.mark.parametrize("sequence", [0, 999, 1000, 123456])
def test_org_number_is_valid_for_any_sequence(sequence):
    # PostgreSQL enforces max_length=11; a long test session passes a thousand agencies.
    org = OrganisationFactory.build(__sequence=sequence)
    assert len(org.org_number) == 11
    validate_org_number(org.org_number)
