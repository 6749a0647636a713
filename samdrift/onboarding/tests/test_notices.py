"""Who hears of a connection case's steps (notifications), through the services and a real SMTP
server: a finished checklist tells the provider's security role; a case moving on tells the
agency's contacts and the account managers, never the one who moved it; a refused step tells
no one."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import pytest

from samdrift.accounts.selectors import actor_for_user
from samdrift.core.exceptions import BusinessRuleViolation
from samdrift.core.notifications.models import Channel, Notification
from samdrift.core.notifications.testing import SmtpServer, smtp_server
from samdrift.onboarding import services as onboarding
from samdrift.onboarding.models import ChecklistTemplateItem
from samdrift.tests.factories import (
    MembershipFactory,
    OrganisationFactory,
    ProviderFactory,
    ServiceFactory,
    UserFactory,
)

pytestmark = pytest.mark.django_db(transaction=True)


@pytest.fixture
def smtp(settings) -> Iterator[SmtpServer]:  # type: ignore[no-untyped-def]
    yield from smtp_server(settings)


def person(username: str, org: Any, role: str, email: str = "") -> Any:
    user = UserFactory(username=username, email=email or f"{username}@myndighet.test")
    MembershipFactory(user=user, organisation=org, role=role)
    return user


@pytest.fixture
def world(smtp):  # type: ignore[no-untyped-def]
    provider = ProviderFactory(name="Försäkringskassan", org_number="202100-5521")
    other_provider = ProviderFactory(name="Skatteverket IT", org_number="202100-5448")
    agency = OrganisationFactory(name="Myndighet Ä")
    ChecklistTemplateItem.objects.create(phase="initiate", text_sv="Avtal", text_en="Agreement")
    ChecklistTemplateItem.objects.create(phase="plan", text_sv="Plan", text_en="Plan")
    ServiceFactory(code="EFOS", provider=provider)
    return {
        "manager": person("kundansvarig", provider, "account_manager"),
        "second_manager": person("kundansvarig2", provider, "account_manager"),
        "security": person("sakerhet", provider, "security"),
        "other_security": person("sakerhet.skv", other_provider, "security"),
        "contact": person("kontakt", agency, "contact", "kontakt@myndighet-a.test"),
        "member": person("medlem", agency, "member"),
        "agency": agency,
    }


def _open_and_check(w):  # type: ignore[no-untyped-def]
    manager = actor_for_user(w["manager"])
    case = onboarding.case_open(
        actor=manager, organisation_id=w["agency"].id, scope="single", service_codes=["EFOS"]
    )
    (item,) = case.checklist_items.filter(phase="initiate")
    onboarding.checklist_set(actor=manager, case=case, item_id=item.id, done=True)
    case.refresh_from_db()
    return manager, case


def test_a_finished_checklist_tells_the_providers_security_role(world, smtp):
    _open_and_check(world)
    assert smtp.mailbox.subjects() == [
        ("sakerhet@myndighet.test", "Säkerhetsgodkännande behövs: Myndighet Ä, fasen Initiera")
    ]
    # Only the provider of the case's services: another provider's security hears nothing.
    assert not Notification.objects.filter(recipient=world["other_security"]).exists()


def test_advancing_tells_contacts_and_account_managers_not_the_actor(world, smtp):
    manager, case = _open_and_check(world)
    onboarding.phase_sign_off(actor=actor_for_user(world["security"]), case=case)
    case.refresh_from_db()
    smtp.mailbox.received.clear()

    onboarding.case_advance(actor=manager, case=case, expected_version=case.version)

    subject = "Anslutningsärendet för Myndighet Ä är nu i fasen Planera"
    assert smtp.mailbox.subjects() == [
        ("kontakt@myndighet-a.test", subject),
        ("kundansvarig2@myndighet.test", subject),
    ]
    inbox = Notification.objects.filter(kind="case_advanced", channel=Channel.IN_APP)
    assert set(inbox.values_list("recipient_id", flat=True)) == {
        world["contact"].id,
        world["second_manager"].id,
    }
    assert {row.link for row in inbox} == {f"/connections/{case.id}/"}


def test_a_refused_advance_tells_no_one(world, smtp):
    manager = actor_for_user(world["manager"])
    case = onboarding.case_open(
        actor=manager, organisation_id=world["agency"].id, scope="single", service_codes=["EFOS"]
    )
    before = Notification.objects.count()
    with pytest.raises(BusinessRuleViolation):
        onboarding.case_advance(actor=manager, case=case)
    assert Notification.objects.count() == before
    assert not Notification.objects.filter(kind="case_advanced").exists()


def test_a_case_naming_no_service_yet_tells_every_providers_security_role(world, smtp):
    """A total commitment while no service is in the package names no provider: the security
    role of every provider agency hears that the phase waits for its sign-off (ADR 0023)."""
    manager = actor_for_user(world["manager"])
    case = onboarding.case_open(actor=manager, organisation_id=world["agency"].id, scope="total")
    (item,) = case.checklist_items.filter(phase="initiate")

    onboarding.checklist_set(actor=manager, case=case, item_id=item.id, done=True)

    told = Notification.objects.filter(kind="signoff_required", channel=Channel.IN_APP)
    assert set(told.values_list("recipient_id", flat=True)) == {
        world["security"].id,
        world["other_security"].id,
    }
