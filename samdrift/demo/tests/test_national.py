"""`samdrift demo --scale national` at a test-sized scale: counts, constraints, history, the
2021 report untouched, one audit record, no duplicates on re-run, nothing partial on failure."""

from __future__ import annotations

import datetime
from collections import Counter
from io import StringIO
from itertools import pairwise
from typing import Any
from unittest import mock

import pytest
from django.contrib.auth.hashers import is_password_usable
from django.core.management import call_command
from django.db.models import Count
from django.test import TestCase
from django.utils import timezone

from samdrift.accounts.models import User
from samdrift.audit.models import AuditEvent
from samdrift.core.actor import SYSTEM
from samdrift.demo import national
from samdrift.demo.foundation import load_foundation
from samdrift.demo.national import (
    DEFAULT_EMPLOYEES,
    FIRST_NAMES_F,
    FIRST_NAMES_M,
    LAST_NAMES,
    NationalLoadError,
    largest_remainder,
    load_national,
)
from samdrift.onboarding.models import (
    CaseChecklistItem,
    CaseEvent,
    ChecklistTemplateItem,
    ConnectionCase,
    PhasePeriod,
    PhaseSignOff,
    ServiceRequest,
    Subscription,
)
from samdrift.onboarding.selectors import demand_report
from samdrift.organisations.models import Membership, Organisation

OFFICIALS, CASES, REQUESTS = 1_500, 300, 1_200
PHASES = ["initiate", "plan", "package", "run"]
YEAR_END = datetime.date(2021, 12, 31)


def _report(year: int = 2021, basis: str | None = "assignment") -> list[tuple[Any, ...]]:
    return [
        (
            row.service.code,
            row.requested,
            row.connected,
            row.requested_legal,
            row.connected_legal,
            row.coverage_pct,
        )
        for row in demand_report(actor=SYSTEM, year=year, basis=basis).rows
    ]


def _demand_pairs_2021() -> set[tuple[int, int]]:
    return set(
        ServiceRequest.objects.filter(requested_on__lte=YEAR_END)
        .exclude(status="withdrawn")
        .values_list("organisation_id", "service_id")
    )


class NationalScaleTests(TestCase):
    @classmethod
    def setUpTestData(cls) -> None:
        load_foundation()
        cls.report_before = _report()
        cls.pairs_before = _demand_pairs_2021()
        cls.last_user = User.objects.order_by("-id").values_list("id", flat=True).first() or 0
        cls.last_case = ConnectionCase.objects.order_by("-id").values_list("id", flat=True)[0]
        cls.requests_before = ServiceRequest.objects.count()
        cls.subscriptions_before = set(Subscription.objects.values_list("id", flat=True))
        cls.output = StringIO()
        cls.counts = load_national(
            stdout=cls.output, officials=OFFICIALS, cases=CASES, requests=REQUESTS
        )

    # --- counts -------------------------------------------------------------------------

    def test_it_adds_what_it_was_asked_for(self) -> None:
        added = Subscription.objects.exclude(id__in=self.subscriptions_before)
        assert self.counts == {
            "officials": OFFICIALS,
            "cases": CASES,
            "requests": REQUESTS,
            "subscriptions": added.count(),
        }
        assert User.objects.filter(id__gt=self.last_user).count() == OFFICIALS
        assert ConnectionCase.objects.filter(id__gt=self.last_case).count() == CASES
        assert ServiceRequest.objects.count() == self.requests_before + REQUESTS
        assert added.count() > 0
        assert "National scale loaded" in self.output.getvalue()

    def test_the_defaults_are_the_national_scale(self) -> None:
        assert (national.OFFICIALS, national.CASES, national.REQUESTS) == (
            270_000,
            5_000,
            20_000,
        )

    # --- officials ----------------------------------------------------------------------

    def test_officials_are_spread_over_customer_agencies_by_head_count(self) -> None:
        agencies = list(
            Organisation.objects.filter(kind="customer", is_group=False)
            .order_by("id")
            .values_list("id", "employees")
        )
        quotas = largest_remainder(
            OFFICIALS, [float(employees or DEFAULT_EMPLOYEES) for _id, employees in agencies]
        )
        got = Counter(
            dict(
                Membership.objects.filter(user_id__gt=self.last_user)
                .values_list("organisation_id")
                .annotate(n=Count("id"))
            )
        )
        assert got == Counter(
            {org_id: q for (org_id, _e), q in zip(agencies, quotas, strict=True) if q}
        )
        police = Organisation.objects.get(name="Polismyndigheten").id
        assert got.most_common(1)[0][0] == police
        # Neither the provider nor an umbrella group gets officials.
        assert not Membership.objects.filter(
            user_id__gt=self.last_user, organisation__kind="provider"
        ).exists()
        assert not Membership.objects.filter(
            user_id__gt=self.last_user, organisation__is_group=True
        ).exists()

    def test_every_official_has_one_customer_role_and_no_usable_password(self) -> None:
        officials = User.objects.filter(id__gt=self.last_user)
        per_user = Counter(
            Membership.objects.filter(user__in=officials).values_list("user_id", flat=True)
        )
        assert len(per_user) == OFFICIALS
        assert set(per_user.values()) == {1}
        roles = Counter(
            Membership.objects.filter(user__in=officials).values_list("role", flat=True)
        )
        assert set(roles) == {"contact", "orderer", "member"}
        assert roles["member"] > roles["contact"] + roles["orderer"]
        for password in officials.values_list("password", flat=True).iterator():
            assert not is_password_usable(password)

    def test_officials_have_swedish_names_and_unique_usernames(self) -> None:
        rows = list(
            User.objects.filter(id__gt=self.last_user).values_list(
                "username", "first_name", "last_name", "email"
            )
        )
        usernames = [row[0] for row in rows]
        assert len(set(usernames)) == len(usernames)
        assert set(usernames).isdisjoint(
            User.objects.filter(id__lte=self.last_user).values_list("username", flat=True)
        )
        for username, first, last, email in rows:
            assert first in FIRST_NAMES_F + FIRST_NAMES_M
            assert last in LAST_NAMES
            assert username.isascii()
            assert email.startswith(f"{username}@")

    # --- cases --------------------------------------------------------------------------

    def test_a_realistic_mix_of_phases_scopes_states_and_dates(self) -> None:
        cases = ConnectionCase.objects.filter(id__gt=self.last_case)
        assert set(cases.values_list("scope", flat=True)) == {"single", "total"}
        assert set(cases.values_list("state", flat=True)) == {"open", "completed", "cancelled"}
        open_phases = set(cases.filter(state="open").values_list("phase", flat=True))
        assert len(open_phases) >= 3
        assert set(cases.values_list("agreement_basis", flat=True)) == {"assignment", "separate"}
        years = set(cases.values_list("opened_on__year", flat=True))
        assert min(years) == 2019
        assert max(years) == 2026
        assert len(years) == 8
        today = timezone.localdate()
        assert not cases.filter(opened_on__gt=today).exists()
        assert not cases.filter(closed_on__gt=today).exists()
        assert not cases.filter(reconstructed=True).exists()
        assert not cases.filter(scope="single", services=None).exists()
        assert not cases.filter(scope="total", services__isnull=False).exists()

    def test_every_case_has_a_consistent_history(self) -> None:
        templates = Counter(
            ChecklistTemplateItem.objects.filter(active=True).values_list("phase", flat=True)
        )
        cases = ConnectionCase.objects.filter(id__gt=self.last_case).prefetch_related(
            "phase_periods", "signoffs", "checklist_items", "events"
        )
        for case in cases:
            periods = list(case.phase_periods.all())
            phases = [p.phase for p in periods]
            assert phases == PHASES[: PHASES.index(case.phase) + 1], case.id
            for earlier, later in pairwise(periods):
                assert earlier.left_at is not None
                assert earlier.left_at <= later.entered_at
            signed = {s.phase for s in case.signoffs.all()}
            items = list(case.checklist_items.all())
            kinds = Counter(e.kind for e in case.events.all())
            assert kinds["opened"] == 1
            signoffs = {s.phase: s for s in case.signoffs.all()}
            for period in periods:
                phase_items = [i for i in items if i.phase == period.phase]
                assert len(phase_items) == templates[period.phase]
                ticked = [i.done_at for i in phase_items if i.done_at]
                end = period.left_at or timezone.now()
                assert all(period.entered_at < at <= end for at in ticked), case.id
                if period.phase in signoffs:
                    signed_at = signoffs[period.phase].signed_at
                    assert all(at < signed_at for at in ticked), case.id
                    assert period.entered_at < signed_at <= end, case.id
                left_by_advancing = period.left_at is not None and (
                    period.phase != case.phase or case.state == "completed"
                )
                if left_by_advancing:
                    # A phase is only ever left with its checklist done and security's sign-off.
                    assert all(i.done_at and i.done_by_id for i in phase_items), case.id
                    assert period.phase in signed, case.id
            assert kinds["advanced"] == len(periods) - 1
            assert kinds["checked"] == sum(1 for i in items if i.done_at)
            assert kinds["signed_off"] == len(signed)
            if case.state == "open":
                assert periods[-1].left_at is None
                assert case.closed_on is None
            else:
                assert periods[-1].left_at is not None
                assert case.closed_on is not None
                assert kinds[case.state] == 1

    def test_subscriptions_only_for_cases_that_reached_kora(self) -> None:
        added = Subscription.objects.exclude(id__in=self.subscriptions_before)
        assert not added.filter(case__isnull=True).exists()
        assert not added.exclude(case__phase="run").exists()
        for subscription in added.select_related("case"):
            case = subscription.case
            assert case is not None
            assert subscription.organisation_id == case.organisation_id
            assert subscription.agreement_basis == case.agreement_basis
            run = PhasePeriod.objects.get(case=case, phase="run")
            assert subscription.start_date == timezone.localdate(run.entered_at)
        reached = ConnectionCase.objects.filter(id__gt=self.last_case, phase="run")
        assert added.values("case").distinct().count() <= reached.count()

    def test_never_two_open_subscriptions_to_one_service(self) -> None:
        duplicates = (
            Subscription.objects.filter(end_date__isnull=True)
            .values("organisation", "service")
            .annotate(n=Count("id"))
            .filter(n__gt=1)
        )
        assert not duplicates.exists()
        ended = Subscription.objects.filter(end_date__isnull=False)
        for subscription in ended:
            assert subscription.end_date >= subscription.start_date
        # The 2021 demo's own subscriptions are untouched.
        foundation = Subscription.objects.filter(id__in=self.subscriptions_before)
        assert not foundation.filter(end_date__isnull=False).exists()

    # --- the 2021 report ----------------------------------------------------------------

    def test_the_2021_demand_report_is_unchanged(self) -> None:
        assert _report() == self.report_before
        got = {row[0]: (row[1], row[2]) for row in _report()}
        assert got == {
            "ITARB": (31, 6),
            "SAFOS": (35, 4),
            "EFOS": (17, 8),
            "OBJLAG": (3, 0),
            "UTSKICK": (5, 2),
            "CAP": (5, 1),
            "WEBB": (5, 1),
            "WEBBANALYS": (15, 1),
            "APPDRIFT": (1, 1),
        }
        assert _demand_pairs_2021() == self.pairs_before

    def test_national_connections_before_2022_are_not_on_the_assignment(self) -> None:
        added = Subscription.objects.exclude(id__in=self.subscriptions_before)
        early = added.filter(start_date__lte=YEAR_END)
        assert early.exists()
        assert not early.filter(agreement_basis="assignment").exists()
        # Later years do grow under the assignment.
        assert added.filter(start_date__gt=YEAR_END, agreement_basis="assignment").exists()
        later = {row[0]: row[2] for row in _report(year=2026)}
        assert sum(later.values()) > sum(row[2] for row in self.report_before)

    # --- requests -----------------------------------------------------------------------

    def test_requests_cover_the_years_and_statuses(self) -> None:
        added = ServiceRequest.objects.order_by("id")[self.requests_before :]
        rows = list(added.values_list("requested_on", "status"))
        assert len(rows) == REQUESTS
        assert {status for _d, status in rows} == {
            "requested",
            "connected",
            "declined",
            "withdrawn",
        }
        years = {day.year for day, _s in rows}
        assert years == set(range(2019, 2027))

    # --- once only ----------------------------------------------------------------------

    def test_one_audit_record_with_the_counts(self) -> None:
        event = AuditEvent.objects.get(action="demo.national_loaded")
        assert event.after is not None
        assert event.after["officials"] == OFFICIALS
        assert event.after["cases"] == CASES
        assert event.after["requests"] == REQUESTS
        assert event.after["subscriptions"] == self.counts["subscriptions"]

    def test_running_again_adds_nothing(self) -> None:
        users = User.objects.count()
        cases = ConnectionCase.objects.count()
        requests = ServiceRequest.objects.count()
        output = StringIO()
        counts = load_national(stdout=output, officials=10, cases=10, requests=10)
        assert counts == {"officials": 0, "cases": 0, "requests": 0, "subscriptions": 0}
        assert "already loaded" in output.getvalue()
        assert "redan inläst" in output.getvalue()
        assert (User.objects.count(), ConnectionCase.objects.count()) == (users, cases)
        assert ServiceRequest.objects.count() == requests
        assert AuditEvent.objects.filter(action="demo.national_loaded").count() == 1

    def test_the_command_refuses_a_second_national_load(self) -> None:
        users = User.objects.count()
        output = StringIO()
        call_command("demo", "--scale", "national", stdout=output)
        assert "already loaded" in output.getvalue()
        assert User.objects.count() == users


@pytest.mark.django_db
def test_without_the_2021_demo_it_refuses_and_writes_nothing() -> None:
    with pytest.raises(NationalLoadError, match="2021 demo first"):
        load_national(stdout=StringIO(), officials=10, cases=5, requests=5)
    assert not User.objects.exists()
    assert not AuditEvent.objects.filter(action="demo.national_loaded").exists()


class RollbackTests(TestCase):
    @classmethod
    def setUpTestData(cls) -> None:
        load_foundation()

    def test_a_changed_2021_report_rolls_everything_back(self) -> None:
        users = User.objects.count()
        counts = (
            CaseEvent.objects.count(),
            CaseChecklistItem.objects.count(),
            PhaseSignOff.objects.count(),
            Subscription.objects.count(),
            ServiceRequest.objects.count(),
        )
        real = national._report_2021
        calls = {"n": 0}

        def report_that_changes() -> list[tuple[Any, ...]]:
            calls["n"] += 1
            rows = real()
            return rows if calls["n"] == 1 else rows[1:]

        with (
            mock.patch.object(national, "_report_2021", report_that_changes),
            pytest.raises(NationalLoadError, match="would change the 2021 demand report"),
        ):
            load_national(stdout=StringIO(), officials=50, cases=20, requests=40)
        assert User.objects.count() == users
        assert (
            CaseEvent.objects.count(),
            CaseChecklistItem.objects.count(),
            PhaseSignOff.objects.count(),
            Subscription.objects.count(),
            ServiceRequest.objects.count(),
        ) == counts
        assert not AuditEvent.objects.filter(action="demo.national_loaded").exists()


def test_largest_remainder_splits_exactly() -> None:
    assert largest_remainder(10, [1, 1, 1]) == [4, 3, 3]
    assert sum(largest_remainder(270_000, [7.0, 25.0, 39_200.0, 3.5])) == 270_000
    assert largest_remainder(0, [1, 2]) == [0, 0]
    assert largest_remainder(5, []) == []
