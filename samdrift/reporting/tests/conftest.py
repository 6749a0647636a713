"""A small world for the report: an umbrella with courts, EFOS and an IT workplace, cases in
several phases, connections on different agreement bases and a request for next year."""

from __future__ import annotations

import datetime
from dataclasses import dataclass

import pytest

from samdrift.onboarding.models import ConnectionCase
from samdrift.tests.factories import (
    ConnectionCaseFactory,
    OrganisationFactory,
    ServiceFactory,
    ServiceRequestFactory,
    SubscriptionFactory,
)


@dataclass
class World:
    efos: object
    itarb: object
    umbrella: object
    courts: list
    agency: object
    other_agency: object


@pytest.fixture
def world(provider, agency, other_agency) -> World:
    efos = ServiceFactory(code="EFOS", name_sv="EFOS", name_en="EFOS", display_order=3)
    itarb = ServiceFactory(
        code="ITARB", name_sv="IT-arbetsplats", name_en="IT workplace", display_order=1
    )
    umbrella = OrganisationFactory(name="Domstolsverket")
    courts = [OrganisationFactory(name=f"Tingsrätt {n}", parent=umbrella) for n in range(3)]
    ConnectionCaseFactory(organisation=agency, scope="single", phase="initiate")
    ConnectionCaseFactory(organisation=other_agency, scope="total", phase="plan")
    ConnectionCaseFactory(
        organisation=umbrella,
        scope="single",
        phase="run",
        state="completed",
        closed_on=datetime.date(2021, 5, 1),
    )
    ConnectionCaseFactory(
        organisation=agency,
        scope="total",
        phase="package",
        state="cancelled",
        closed_on=datetime.date(2021, 4, 1),
    )
    # EFOS: the umbrella under the assignment (footnote 2), the agency on a separate commitment.
    SubscriptionFactory(organisation=umbrella, service=efos, agreement_basis="assignment")
    SubscriptionFactory(organisation=agency, service=efos, agreement_basis="separate")
    SubscriptionFactory(organisation=agency, service=itarb, agreement_basis="assignment")
    # An ended connection does not count at the end of 2021.
    SubscriptionFactory(
        organisation=other_agency,
        service=itarb,
        agreement_basis="assignment",
        start_date=datetime.date(2020, 1, 1),
        end_date=datetime.date(2021, 3, 1),
    )
    for org in (agency, other_agency, umbrella):
        ServiceRequestFactory(
            organisation=org, service=efos, requested_on=datetime.date(2021, 2, 1)
        )
    ServiceRequestFactory(
        organisation=agency, service=itarb, requested_on=datetime.date(2021, 2, 1)
    )
    # Planned for 2022: a new agency asks for EFOS.
    newcomer = OrganisationFactory(name="Sjöfartsverket")
    ServiceRequestFactory(
        organisation=newcomer, service=efos, requested_on=datetime.date(2022, 1, 10)
    )
    assert ConnectionCase.objects.count() == 4
    return World(efos, itarb, umbrella, courts, agency, other_agency)
