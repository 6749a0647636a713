"""Keeping the catalogue (ADR 0220): create, edit, lifecycle, dependencies, categories — each
refusal changes nothing, each change leaves one audit record."""

from __future__ import annotations

import datetime
import threading
from decimal import Decimal

import pytest
from django.db import close_old_connections, connection

from samdrift.accounts.selectors import actor_for_user
from samdrift.audit.models import AuditEvent
from samdrift.catalogue import services
from samdrift.catalogue.models import Category, Service, ServiceDependency
from samdrift.core.exceptions import (
    BusinessRuleViolation,
    ConcurrentUpdate,
    NotFound,
    PermissionDenied,
    ValidationFailed,
)
from samdrift.onboarding.models import Subscription
from samdrift.tests.factories import (
    CategoryFactory,
    MembershipFactory,
    SecondProviderFactory,
    ServiceFactory,
    SubscriptionFactory,
    UserFactory,
)
from tests.api.support import open_case, row_state

pytestmark = pytest.mark.django_db

TODAY = datetime.date(2030, 3, 1)


def _input(**changes):
    values = {
        "name_sv": "Lagring",
        "name_en": "Storage",
        "category": "infrastructure",
        "availability_target": Decimal("99.7"),
        "support_hours": "24x7",
        "rto_hours": 8,
        "rpo_hours": 2,
        "description_sv": "Lagring som tjänst",
        "description_en": "Storage as a service",
    }
    return services.ServiceInput(**{**values, **changes})


@pytest.fixture
def manager(service_manager):
    CategoryFactory()
    return actor_for_user(service_manager)


def _new(manager, provider, code="LAGRING", **changes):
    return services.service_create(
        actor=manager, provider_id=provider.id, code=code, data=_input(**changes)
    )


def _actions():
    return list(AuditEvent.objects.order_by("id").values_list("action", flat=True))


def test_a_service_manager_creates_a_draft_with_its_service_level_audited(manager, provider):
    # when
    service = _new(manager, provider, code=" lagring ")
    # then
    service.refresh_from_db()
    assert (service.code, service.lifecycle, service.version) == ("LAGRING", "draft", 1)
    assert (service.support_hours, service.rto_hours, service.rpo_hours) == ("24x7", 8, 2)
    assert service.availability_target == Decimal("99.7")
    event = AuditEvent.objects.get(action="catalogue.service_create")
    assert event.after["code"] == "LAGRING" and event.organisation_id == provider.id


@pytest.mark.parametrize(
    ("changes", "field"),
    [
        ({"availability_target": Decimal("100.5")}, "availability_target"),
        ({"category": "nope"}, "category"),
        ({"name_sv": ""}, "name_sv"),
        ({"support_hours": "sometimes"}, "support_hours"),
    ],
)
def test_bad_input_names_the_field_and_saves_nothing(manager, provider, changes, field):
    with pytest.raises(ValidationFailed) as refused:
        _new(manager, provider, **changes)
    assert field in refused.value.errors
    assert not Service.objects.exists() and not AuditEvent.objects.exists()


def test_a_code_in_use_or_malformed_is_refused(manager, provider):
    _new(manager, provider)
    for code in ("LAGRING", "x", "1ABC"):
        with pytest.raises(ValidationFailed) as refused:
            _new(manager, provider, code=code)
        assert "code" in refused.value.errors
    assert Service.objects.count() == 1


@pytest.mark.parametrize("role", ["account_manager", "finance", "security", "contact"])
def test_only_administrators_and_service_managers_create(provider, agency, role):
    CategoryFactory()
    user = UserFactory(username=f"u_{role}")
    MembershipFactory(user=user, organisation=agency if role == "contact" else provider, role=role)
    with pytest.raises(PermissionDenied):
        _new(actor_for_user(user), provider)
    assert not Service.objects.exists()


def test_another_providers_manager_cannot_touch_the_service(manager, provider):
    # given: SITSSAM's service manager, and an FK service published
    second = SecondProviderFactory()
    other = UserFactory(username="sitssam_tjanst")
    MembershipFactory(user=other, organisation=second, role="service_manager")
    theirs = actor_for_user(other)
    service = _new(manager, provider)
    services.service_transition(actor=manager, code="LAGRING", to="active", expected_version=1)
    before = row_state(Service.objects.get(code="LAGRING"))
    # when / then: every write is a NotFound, as for a code that does not exist
    with pytest.raises(PermissionDenied):
        _new(theirs, provider, code="INTRANG")
    for attempt in (
        lambda: services.service_update(
            actor=theirs, code=service.code, expected_version=2, data=_input(name_sv="Kapad")
        ),
        lambda: services.service_transition(
            actor=theirs,
            code=service.code,
            to="retiring",
            expected_version=2,
            retirement_date=TODAY,
        ),
        lambda: services.dependency_add(actor=theirs, code=service.code, depends_on_code="X"),
    ):
        with pytest.raises(NotFound):
            attempt()
    assert row_state(Service.objects.get(code="LAGRING")) == before


def test_an_edit_from_a_stale_version_is_refused(manager, provider):
    _new(manager, provider)
    services.service_update(
        actor=manager, code="LAGRING", expected_version=1, data=_input(rto_hours=4)
    )
    with pytest.raises(ConcurrentUpdate):
        services.service_update(
            actor=manager, code="LAGRING", expected_version=1, data=_input(rto_hours=1)
        )
    service = Service.objects.get(code="LAGRING")
    assert (service.rto_hours, service.version) == (4, 2)
    update = AuditEvent.objects.get(action="catalogue.service_update")
    assert (update.before["rto_hours"], update.after["rto_hours"]) == (8, 4)


# --- the lifecycle ------------------------------------------------------------------------------


def _to(manager, code, to, **kwargs):
    version = Service.objects.get(code=code).version
    return services.service_transition(
        actor=manager, code=code, to=to, expected_version=version, today=TODAY, **kwargs
    )


def test_the_lifecycle_runs_draft_published_retiring_retired(manager, provider, agency):
    _new(manager, provider)
    subscription = SubscriptionFactory(
        organisation=agency, service=Service.objects.get(code="LAGRING")
    )
    _to(manager, "LAGRING", "active")
    retiring = _to(manager, "LAGRING", "retiring", retirement_date=datetime.date(2030, 6, 30))
    assert retiring.lifecycle == "retiring"
    # the subscription ends on the retirement date, audited under the customer's agency
    subscription.refresh_from_db()
    assert subscription.end_date == datetime.date(2030, 6, 30)
    ended = AuditEvent.objects.get(action="onboarding.subscription_end_on_retirement")
    assert ended.organisation_id == agency.id
    # not retired before the date
    with pytest.raises(BusinessRuleViolation) as early:
        _to(manager, "LAGRING", "retired")
    assert early.value.code == "not_yet_retired"
    retired = services.service_transition(
        actor=manager,
        code="LAGRING",
        to="retired",
        expected_version=retiring.version,
        today=datetime.date(2030, 6, 30),
    )
    assert retired.lifecycle == "retired"
    assert _actions().count("catalogue.service_transition") == 3


@pytest.mark.parametrize(
    ("path", "target"),
    [([], "retiring"), ([], "retired"), (["active"], "draft"), (["active"], "active")],
)
def test_a_step_the_state_machine_does_not_have_is_refused(manager, provider, path, target):
    _new(manager, provider)
    for step in path:
        _to(manager, "LAGRING", step)
    before = row_state(Service.objects.get(code="LAGRING"))
    with pytest.raises(BusinessRuleViolation) as refused:
        _to(manager, "LAGRING", target, retirement_date=TODAY)
    assert refused.value.code == "invalid_transition"
    assert row_state(Service.objects.get(code="LAGRING")) == before


def test_retiring_needs_a_date_from_today_on(manager, provider):
    _new(manager, provider)
    _to(manager, "LAGRING", "active")
    for date in (None, TODAY - datetime.timedelta(days=1)):
        with pytest.raises(ValidationFailed) as refused:
            _to(manager, "LAGRING", "retiring", retirement_date=date)
        assert "retirement_date" in refused.value.errors
    assert Service.objects.get(code="LAGRING").lifecycle == "active"


def test_retiring_is_refused_while_a_connection_case_is_open(manager, provider, agency):
    _new(manager, provider)
    _to(manager, "LAGRING", "active")
    case = open_case(agency.id, ["LAGRING"])
    with pytest.raises(BusinessRuleViolation) as refused:
        _to(manager, "LAGRING", "retiring", retirement_date=TODAY)
    assert refused.value.code == "retirement_blocked"
    assert f"#{case.id}" in str(refused.value)
    assert Service.objects.get(code="LAGRING").lifecycle == "active"


def test_a_retiring_service_takes_no_new_requests_or_cases(manager, provider, agency):
    _new(manager, provider)
    _to(manager, "LAGRING", "active")
    _to(manager, "LAGRING", "retiring", retirement_date=TODAY)
    with pytest.raises(BusinessRuleViolation, match="LAGRING"):
        open_case(agency.id, ["LAGRING"])


def test_retiring_is_refused_while_a_published_service_needs_it(manager, provider):
    _new(manager, provider)
    _new(manager, provider, code="BACKUP")
    services.dependency_add(actor=manager, code="BACKUP", depends_on_code="LAGRING")
    _to(manager, "LAGRING", "active")
    _to(manager, "BACKUP", "active")
    with pytest.raises(BusinessRuleViolation) as refused:
        _to(manager, "LAGRING", "retiring", retirement_date=TODAY)
    assert refused.value.code == "still_needed" and "BACKUP" in str(refused.value)


def test_publishing_needs_its_dependencies_published(manager, provider):
    _new(manager, provider)
    _new(manager, provider, code="BACKUP")
    services.dependency_add(actor=manager, code="BACKUP", depends_on_code="LAGRING")
    with pytest.raises(BusinessRuleViolation) as refused:
        _to(manager, "BACKUP", "active")
    assert refused.value.code == "dependencies_unpublished"


# --- dependencies -------------------------------------------------------------------------------


def test_a_three_cycle_is_refused_and_named(manager, provider):
    for code in ("AAA", "BBB", "CCC"):
        _new(manager, provider, code=code)
    services.dependency_add(actor=manager, code="AAA", depends_on_code="BBB")
    services.dependency_add(actor=manager, code="BBB", depends_on_code="CCC")
    audited = AuditEvent.objects.count()
    with pytest.raises(BusinessRuleViolation) as refused:
        services.dependency_add(actor=manager, code="CCC", depends_on_code="AAA")
    assert refused.value.code == "dependency_cycle"
    assert "CCC → AAA → BBB → CCC" in str(refused.value)
    assert ServiceDependency.objects.count() == 2 and AuditEvent.objects.count() == audited


def test_a_service_cannot_depend_on_itself_twice_or_on_a_hidden_draft(manager, provider):
    _new(manager, provider)
    _new(manager, provider, code="BACKUP")
    second = SecondProviderFactory()
    ServiceFactory(code="SITDRAFT", provider=second, lifecycle="draft")
    services.dependency_add(actor=manager, code="BACKUP", depends_on_code="LAGRING")
    for target in ("BACKUP", "LAGRING", "SITDRAFT", "NOSUCH"):
        with pytest.raises(ValidationFailed) as refused:
            services.dependency_add(actor=manager, code="BACKUP", depends_on_code=target)
        assert "depends_on" in refused.value.errors
    assert ServiceDependency.objects.count() == 1


def test_a_dependency_is_removed_and_audited(manager, provider):
    _new(manager, provider)
    _new(manager, provider, code="BACKUP")
    services.dependency_add(actor=manager, code="BACKUP", depends_on_code="LAGRING", reason_sv="x")
    services.dependency_remove(actor=manager, code="BACKUP", depends_on_code="lagring")
    assert not ServiceDependency.objects.exists()
    removed = AuditEvent.objects.get(action="catalogue.dependency_remove")
    assert removed.before["depends_on"] == "LAGRING"
    with pytest.raises(NotFound):
        services.dependency_remove(actor=manager, code="BACKUP", depends_on_code="LAGRING")


@pytest.mark.django_db(transaction=True)
def test_two_additions_that_close_a_cycle_together_cannot_both_pass(service_manager):
    """Two real threads add A→B and B→A at once: the graph locks make one of them lose."""
    CategoryFactory()
    manager = actor_for_user(service_manager)
    provider_id = service_manager.memberships.first().organisation_id
    for code in ("AAA", "BBB"):
        services.service_create(actor=manager, provider_id=provider_id, code=code, data=_input())
    barrier = threading.Barrier(2)
    outcomes: list[str] = []

    def add(code: str, target: str) -> None:
        try:
            barrier.wait(timeout=30)
            services.dependency_add(actor=manager, code=code, depends_on_code=target)
            outcomes.append("ok")
        except BusinessRuleViolation as error:
            outcomes.append(error.code)
        except Exception as error:
            outcomes.append(type(error).__name__)
        finally:
            close_old_connections()
            connection.close()

    threads = [
        threading.Thread(target=add, args=("AAA", "BBB")),
        threading.Thread(target=add, args=("BBB", "AAA")),
    ]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=60)
    assert sorted(outcomes)[-1] == "ok" and outcomes.count("ok") == 1, outcomes
    assert ServiceDependency.objects.count() == 1


# --- categories ---------------------------------------------------------------------------------


def test_the_catalogue_owners_manager_keeps_categories(manager, provider):
    ServiceFactory(code="EFOS", provider=provider, in_total_commitment=True)
    services.category_save(actor=manager, code="security", name_sv="Säkerhet", name_en="Security")
    services.category_save(actor=manager, code="security", name_sv="Säkerhet", name_en="Safety")
    assert Category.objects.get(code="security").name_en == "Safety"
    assert _actions()[-2:] == ["catalogue.category_create", "catalogue.category_update"]


def test_another_provider_does_not_keep_the_shared_categories(manager, provider):
    ServiceFactory(code="EFOS", provider=provider, in_total_commitment=True)
    second = SecondProviderFactory()
    other = UserFactory(username="sitssam_tjanst")
    MembershipFactory(user=other, organisation=second, role="service_manager")
    with pytest.raises(PermissionDenied):
        services.category_save(actor=actor_for_user(other), code="x", name_sv="X", name_en="X")
    assert not Category.objects.filter(code="x").exists()


def test_subscriptions_survive_a_refused_retirement(manager, provider, agency):
    _new(manager, provider)
    SubscriptionFactory(organisation=agency, service=Service.objects.get(code="LAGRING"))
    _to(manager, "LAGRING", "active")
    with pytest.raises(ValidationFailed):
        _to(manager, "LAGRING", "retiring", retirement_date=None)
    assert Subscription.objects.get().end_date is None
