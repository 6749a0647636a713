"""The 2021 demo reproduces the source report: its table, EFOS consumers, cases and plans."""

from __future__ import annotations

import datetime
from decimal import Decimal

from django.test import TestCase

from samdrift.audit.models import AuditEvent
from samdrift.core.actor import SYSTEM
from samdrift.demo.foundation import ALIASES, DEMO_USERS, load_foundation, seed_facts
from samdrift.onboarding.models import ConnectionCase, ServiceRequest, Subscription
from samdrift.onboarding.selectors import demand_report
from samdrift.organisations.models import Membership, Organisation

# The report's table, as printed (requested / connected under the government assignment).
REPORT_TABLE = {
    "IT-arbetsplats": (31, 6),
    "SAFOS": (35, 4),
    "EFOS": (17, 8),
    "Objektsbaserad lagring": (3, 0),
    "Utskick": (5, 2),
    "CAP": (5, 1),
    "Webbtjänst": (5, 1),
    "Webbanalys": (15, 1),
    "Applikationsdrift": (1, 1),
}
YEAR_END = datetime.date(2021, 12, 31)


def _name(seed_name: str) -> str:
    return ALIASES.get(seed_name, seed_name)


class FoundationDemoTests(TestCase):
    @classmethod
    def setUpTestData(cls) -> None:
        cls.loaded = load_foundation()
        cls.facts = seed_facts()

    def test_the_2021_report_table_is_reproduced_exactly(self) -> None:
        report = demand_report(actor=SYSTEM, year=2021, basis="assignment")
        got = {row.service.name_sv: (row.requested, row.connected) for row in report.rows}
        assert got == REPORT_TABLE
        # The same order as the report's table.
        assert [row.service.name_sv for row in report.rows] == list(REPORT_TABLE)

    def test_legal_counts_expand_the_umbrella_agencies(self) -> None:
        report = demand_report(actor=SYSTEM, year=2021, basis="assignment")
        efos = next(row for row in report.rows if row.service.code == "EFOS")
        # Domstolsverket counts once in the table but stands for 80 courts, Länsstyrelserna for
        # 21 county boards: 6 other agencies + 80 + 21.
        assert efos.connected == 8
        assert efos.connected_legal == 6 + 80 + 21
        courts = Organisation.objects.filter(parent__name="Domstolsverket").count()
        boards = Organisation.objects.filter(parent__name="Länsstyrelserna").count()
        assert (courts, boards) == (80, 21)
        # Coverage is counted in legal agencies, of all legal agencies in the register.
        assert efos.coverage_pct == round(Decimal(100 * 107) / report.legal_agency_total, 1)
        for row in report.rows:
            if row.service.code != "EFOS":
                assert row.connected_legal == row.connected, row.service.code

    def test_the_18_efos_consumers_are_connected_at_the_end_of_2021(self) -> None:
        consumers = {_name(name) for name in self.facts["efos"]["consumers"]}
        assert len(consumers) == 18
        connected = set(
            Subscription.objects.filter(
                service__code="EFOS", start_date__lte=YEAR_END, end_date__isnull=True
            ).values_list("organisation__name", flat=True)
        )
        assert connected == consumers
        under_assignment = set(
            Subscription.objects.filter(
                service__code="EFOS", agreement_basis="assignment"
            ).values_list("organisation__name", flat=True)
        )
        reconstructed = self.facts["efos"]["connected_under_assignment_reconstructed"]["agencies"]
        assert under_assignment == {_name(name) for name in reconstructed}
        # The provider uses EFOS itself; that is not a connection under the assignment.
        provider_basis = Subscription.objects.get(
            service__code="EFOS", organisation__kind="provider"
        ).agreement_basis
        assert provider_basis == "own_use"

    def test_19_cases_all_marked_reconstructed(self) -> None:
        cases = ConnectionCase.objects.all()
        assert cases.count() == 19
        assert cases.filter(reconstructed=True).count() == 19
        seed_agencies = sorted(
            _name(case["agency"])
            for case in self.facts["connection_model"]["cases_reconstructed"]["cases"]
        )
        assert sorted(cases.values_list("organisation__name", flat=True)) == seed_agencies
        # Länsstyrelserna and Statens tjänstepensionsverk appear twice, as in the report.
        assert len(set(seed_agencies)) == 17
        phases = {"Initiera": "initiate", "Planera": "plan", "Paketera": "package", "Köra": "run"}
        wanted = sorted(
            (_name(case["agency"]), case["scope"], phases[case["phase"]])
            for case in self.facts["connection_model"]["cases_reconstructed"]["cases"]
        )
        assert sorted(cases.values_list("organisation__name", "scope", "phase")) == wanted

    def test_every_case_has_the_history_of_its_phases(self) -> None:
        order = ["initiate", "plan", "package", "run"]
        for case in ConnectionCase.objects.prefetch_related("phase_periods", "signoffs"):
            passed = order[: order.index(case.phase)]
            periods = [p.phase for p in case.phase_periods.all()]
            assert periods == [*passed, case.phase], case
            assert sorted(s.phase for s in case.signoffs.all()) == sorted(passed), case
            if case.phase == "run":
                assert case.subscriptions.exists(), case

    def test_the_planned_2022_efos_connections_are_requests_dated_2022(self) -> None:
        planned = {_name(name) for name in self.facts["efos"]["planned_2022"]}
        assert len(planned) == 4
        requests = ServiceRequest.objects.filter(
            service__code="EFOS", organisation__name__in=planned, requested_on__year=2022
        )
        assert set(requests.values_list("organisation__name", flat=True)) == planned
        assert set(requests.values_list("status", flat=True)) == {"requested"}
        # None of them is connected to EFOS yet, and none counts as 2021 demand.
        assert not Subscription.objects.filter(
            service__code="EFOS", organisation__name__in=planned
        ).exists()
        assert (
            not ServiceRequest.objects.filter(
                service__code="EFOS", organisation__name__in=planned, requested_on__lte=YEAR_END
            )
            .exclude(status="withdrawn")
            .exists()
        )
        # …and the 2022 report counts them as demand.
        efos_2022 = next(
            row
            for row in demand_report(actor=SYSTEM, year=2022, basis="assignment").rows
            if row.service.code == "EFOS"
        )
        assert efos_2022.requested == 17 + 4

    def test_demo_users_for_every_role(self) -> None:
        for username, _first, _last, agency, role, _what in DEMO_USERS:
            membership = Membership.objects.get(user__username=username)
            assert (membership.organisation.name, membership.role) == (agency, role)
            assert membership.user.has_usable_password()
        roles = set(Membership.objects.values_list("role", flat=True))
        assert {"provider_admin", "service_manager", "account_manager", "finance", "security"} | {
            "contact",
            "orderer",
            "member",
        } <= roles

    def test_the_load_is_audited(self) -> None:
        event = AuditEvent.objects.get(action="demo.loaded")
        assert event.after == {"cases": 19, "services": 9}
