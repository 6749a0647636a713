"""A connection case in Initiera with one checklist item, for the live-update tests."""

from __future__ import annotations

from typing import Any

from django.test import Client

from samdrift.accounts.selectors import actor_for_user
from samdrift.onboarding import services
from samdrift.onboarding.models import ChecklistTemplateItem, ConnectionCase
from samdrift.tests.factories import ServiceFactory


def open_case(agency: Any, account_manager: Any) -> ConnectionCase:
    ChecklistTemplateItem.objects.create(
        phase="initiate", text_sv="Behov beskrivet", text_en="Needs described"
    )
    ServiceFactory(code="EFOS")
    return services.case_open(
        actor=actor_for_user(account_manager),
        organisation_id=agency.id,
        scope="single",
        service_codes=["EFOS"],
    )


def session_cookie(user: Any) -> str:
    client = Client()
    client.force_login(user)
    return client.cookies["sessionid"].value


def ready_to_advance(case: ConnectionCase, account_manager: Any, security_officer: Any) -> None:
    """Checklist done and security signed off: the next step is the account manager's advance."""
    manager = actor_for_user(account_manager)
    item = case.checklist_items.get(phase=case.phase)
    services.checklist_set(actor=manager, case=case, item_id=item.id, done=True)
    case.refresh_from_db()
    services.phase_sign_off(actor=actor_for_user(security_officer), case=case, comment="OK")
    case.refresh_from_db()
