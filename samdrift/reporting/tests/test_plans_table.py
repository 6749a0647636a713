"""The government report's table of planned connections against outcome (issue 10 item 5,
ADR 0096): computed from the requests' plans, per service."""

from __future__ import annotations

import datetime
from typing import Any

import pytest

from samdrift.accounts.selectors import actor_for_user
from samdrift.onboarding.selectors import PlanRow
from samdrift.reporting.selectors import government_report
from samdrift.tests.factories import ServiceFactory, ServiceRequestFactory

pytestmark = pytest.mark.django_db
D = datetime.date


def test_the_report_shows_plan_against_outcome(agency: Any, account_manager: Any) -> None:
    efos = ServiceFactory(code="EFOS")
    ServiceRequestFactory(organisation=agency, service=efos, planned_on=D(2022, 6, 30),
                          status="connected", connected_on=D(2022, 9, 1))  # fmt: skip
    ServiceRequestFactory(organisation=agency, service=efos, planned_on=D(2022, 6, 30),
                          status="withdrawn")  # fmt: skip
    report = government_report(actor=actor_for_user(account_manager), year=2022)
    assert report.plans == [PlanRow("EFOS", planned=2, on_time=0, late=1, dropped=1, pending=0)]
