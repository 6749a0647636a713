"""The connection model's rules: checklist, security sign-off, advance, connect, and refusals."""

from __future__ import annotations

import datetime

import pytest

from samdrift.accounts.selectors import actor_for_user
from samdrift.audit.models import AuditEvent
from samdrift.core.exceptions import (
    BusinessRuleViolation,
    ConcurrentUpdate,
    NotFound,
    PermissionDenied,
    ValidationFailed,
)
from samdrift.onboarding import services
from samdrift.onboarding.models import (
    ChecklistTemplateItem,
    ConnectionCase,
    ServiceRequest,
    Subscription,
)
from samdrift.tests.factories import ServiceFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def setup(agency, account_manager, security_officer):
    for phase in ("initiate", "plan", "package", "run"):
        ChecklistTemplateItem.objects.create(
            phase=phase, text_sv=f"Klart {phase}", text_en=f"Done {phase}"
        )
    efos = ServiceFactory(code="EFOS", in_total_commitment=True)
    safos = ServiceFactory(code="SAFOS", in_total_commitment=True)
    cap = ServiceFactory(code="CAP")
    return {
        "manager": actor_for_user(account_manager),
        "security": actor_for_user(security_officer),
        "agency": agency,
        "services": (efos, safos, cap),
    }


def _finish_phase(s, case):
    case.refresh_from_db()
    for item in case.checklist_items.filter(phase=case.phase):
        services.checklist_set(actor=s["manager"], case=case, item_id=item.id, done=True)
    services.phase_sign_off(actor=s["security"], case=case)
    case.refresh_from_db()
    return services.case_advance(actor=s["manager"], case=case, expected_version=case.version)


def test_case_walks_all_phases_and_connects_its_services(setup):
    s = setup
    ServiceRequest.objects.create(
        organisation=s["agency"], service=s["services"][2], requested_on=datetime.date(2021, 1, 1)
    )
    case = services.case_open(
        actor=s["manager"], organisation_id=s["agency"].id, scope="single", service_codes=["cap"]
    )
    for expected in ("plan", "package", "run"):
        case = _finish_phase(s, case)
        assert case.phase == expected
    assert list(
        Subscription.objects.filter(organisation=s["agency"]).values_list(
            "service__code", flat=True
        )
    ) == ["CAP"]
    assert ServiceRequest.objects.get().status == "connected"
    case = _finish_phase(s, case)
    assert case.state == "completed" and case.closed_on is not None
    periods = list(case.phase_periods.order_by("entered_at").values_list("phase", flat=True))
    assert periods == ["initiate", "plan", "package", "run"]
    assert (
        AuditEvent.objects.filter(action="onboarding.case_advanced", object_id=str(case.id)).count()
        == 4
    )


def test_total_commitment_connects_the_package(setup):
    s = setup
    case = services.case_open(actor=s["manager"], organisation_id=s["agency"].id, scope="total")
    for _ in range(3):
        case = _finish_phase(s, case)
    codes = set(
        Subscription.objects.filter(organisation=s["agency"]).values_list(
            "service__code", flat=True
        )
    )
    assert codes == {"EFOS", "SAFOS"}


def test_advance_needs_checklist_and_security_and_changes_nothing_when_refused(setup):
    s = setup
    case = services.case_open(
        actor=s["manager"], organisation_id=s["agency"].id, scope="single", service_codes=["EFOS"]
    )
    case.refresh_from_db()
    audit_count = AuditEvent.objects.count()
    with pytest.raises(BusinessRuleViolation) as error:
        services.case_advance(actor=s["manager"], case=case)
    assert error.value.code == "checklist_incomplete"
    item = case.checklist_items.get()
    services.checklist_set(actor=s["manager"], case=case, item_id=item.id, done=True)
    audit_count = AuditEvent.objects.count()
    with pytest.raises(BusinessRuleViolation) as error:
        services.case_advance(actor=s["manager"], case=case)
    assert error.value.code == "signoff_missing"
    case.refresh_from_db()
    assert case.phase == "initiate" and AuditEvent.objects.count() == audit_count


def test_only_security_signs_off_and_only_account_managers_advance(setup):
    s = setup
    case = services.case_open(
        actor=s["manager"], organisation_id=s["agency"].id, scope="single", service_codes=["EFOS"]
    )
    with pytest.raises(PermissionDenied):
        services.phase_sign_off(actor=s["manager"], case=case)
    item = case.checklist_items.get()
    services.checklist_set(actor=s["manager"], case=case, item_id=item.id, done=True)
    services.phase_sign_off(actor=s["security"], case=case)
    with pytest.raises(PermissionDenied):
        services.case_advance(actor=s["security"], case=case)
    case.refresh_from_db()
    assert case.phase == "initiate"


def test_stale_version_loses_with_a_clear_message(setup):
    s = setup
    case = _open_ready_case(s)
    stale = case.version
    services.case_advance(actor=s["manager"], case=case, expected_version=stale)
    with pytest.raises(ConcurrentUpdate) as error:
        services.case_advance(actor=s["manager"], case=case, expected_version=stale)
    assert "Reload" in str(error.value) or "Ladda om" in str(error.value)
    case.refresh_from_db()
    assert case.phase == "plan"


def _open_ready_case(s):
    case = services.case_open(
        actor=s["manager"], organisation_id=s["agency"].id, scope="single", service_codes=["EFOS"]
    )
    item = case.checklist_items.get()
    services.checklist_set(actor=s["manager"], case=case, item_id=item.id, done=True)
    services.phase_sign_off(actor=s["security"], case=case)
    case.refresh_from_db()
    return case


def test_unknown_service_code_is_refused_and_nothing_is_written(setup):
    s = setup
    with pytest.raises(ValidationFailed) as error:
        services.case_open(
            actor=s["manager"],
            organisation_id=s["agency"].id,
            scope="single",
            service_codes=["NOPE"],
        )
    assert "NOPE" in str(error.value)
    assert not ConnectionCase.objects.exists() and not AuditEvent.objects.exists()


def test_customer_requests_for_own_agency_only(setup, agency_orderer, other_agency):
    s = setup
    orderer = actor_for_user(agency_orderer)
    request = services.request_create(
        actor=orderer, organisation_id=s["agency"].id, service_code="safos"
    )
    assert request.service.code == "SAFOS" and request.created_by_id == agency_orderer.id
    with pytest.raises(NotFound):
        services.request_create(
            actor=orderer, organisation_id=other_agency.id, service_code="SAFOS"
        )
    assert ServiceRequest.objects.count() == 1


def test_member_cannot_request_and_withdraw_twice_is_refused(setup, agency_member, agency_orderer):
    s = setup
    with pytest.raises(PermissionDenied):
        services.request_create(
            actor=actor_for_user(agency_member), organisation_id=s["agency"].id, service_code="CAP"
        )
    orderer = actor_for_user(agency_orderer)
    request = services.request_create(
        actor=orderer, organisation_id=s["agency"].id, service_code="CAP"
    )
    services.request_set_status(actor=orderer, request=request, status="withdrawn")
    with pytest.raises(PermissionDenied):
        services.request_set_status(actor=orderer, request=request, status="withdrawn")
