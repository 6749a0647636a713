"""Table tests for every abilities function (`*_abilities` in every app's permissions.py): each
role of the matrix against one object, and the set of abilities it must have — no more, no less.

Actors are built directly (the kernel's fields), objects are unsaved rows with the ids that
matter, so most tables need no database; billing's reads which provider owns the fee model.
A new `*_abilities` function without a table fails `test_every_abilities_function_has_a_table`.
"""

from __future__ import annotations

import dataclasses
import datetime
import importlib
import inspect
import pkgutil
from collections.abc import Callable
from typing import Any

import pytest

import samdrift
from samdrift.billing.models import Invoice
from samdrift.catalogue.models import Service
from samdrift.continuity.permissions import sites_abilities
from samdrift.cooperation.permissions import cooperation_abilities, decision_abilities
from samdrift.core.actor import ANONYMOUS, SYSTEM, Actor
from samdrift.efos.models import Credential, Official, SignableDocument
from samdrift.onboarding.models import ConnectionCase, ServiceRequest
from samdrift.organisations.models import Organisation
from samdrift.security.permissions import security_abilities

FK, SECOND, A, B, C = 1, 2, 10, 11, 12  # provider agencies and customer agencies

FK_CUSTOMERS = frozenset({A, B})


def _customer(*roles: str, org: int = A) -> Actor:
    return Actor(user_id=100, label="customer", roles_by_org={org: frozenset(roles)})


def _fk(role: str) -> Actor:
    return Actor(
        user_id=200,
        label=role,
        provider_roles_by_org={FK: frozenset({role})},
        customer_org_ids=FK_CUSTOMERS,
    )


ACTORS: dict[str, Actor] = {
    "member": _customer("member"),
    "orderer": _customer("orderer"),
    "contact": _customer("contact"),
    # a parent's contact: already expanded to the sub-agency by actor_for_user
    "parent_contact": Actor(
        user_id=101, label="parent", roles_by_org={9: frozenset({"contact"}), A: {"contact"}}
    ),
    "provider_admin": _fk("provider_admin"),
    "service_manager": _fk("service_manager"),
    "account_manager": _fk("account_manager"),
    "finance": _fk("finance"),
    "security": _fk("security"),
    "second_provider": Actor(
        user_id=300,
        label="sitssam",
        provider_roles_by_org={SECOND: frozenset({"provider_admin"})},
        customer_org_ids=frozenset({C}),
    ),
    "anonymous": ANONYMOUS,
    "system": SYSTEM,
}
FK_STAFF = {"provider_admin", "service_manager", "account_manager", "finance", "security"}
A_PEOPLE = {"member", "orderer", "contact", "parent_contact"}
A_ADMINS = {"contact", "parent_contact"}


def _table(rows: dict[str, set[str]], keys: set[str]) -> list[tuple[str, frozenset[str]]]:
    """Every actor of ACTORS must have a row, so a new role cannot be forgotten either."""
    assert set(rows) == set(ACTORS), set(ACTORS) ^ set(rows)
    for granted in rows.values():
        assert granted <= keys
    # In ACTORS' order, not the rows': rows built from sets differ per process, and pytest-xdist
    # needs every worker to collect the same parameters in the same order.
    return [(role, frozenset(rows[role])) for role in ACTORS]


def _check(
    function: Callable[..., dict[str, bool]], role: str, expected: frozenset[str], **kw: Any
):
    got = function(actor=ACTORS[role], **kw)
    assert {name for name, allowed in got.items() if allowed} == expected, role


# --- organisations ------------------------------------------------------------------------------

from samdrift.organisations.permissions import membership_abilities  # noqa: E402

CUSTOMER_AGENCY = Organisation(id=A, name="A", kind="customer")
FK_AGENCY = Organisation(id=FK, name="FK", kind="provider")
MEMBERSHIP_OF_A = {
    **{key: set() for key in A_PEOPLE - A_ADMINS},
    **{key: {"view", "manage"} for key in A_ADMINS},
    "provider_admin": {"view", "manage"},  # sets up its customer's first contact
    **{key: {"view"} for key in FK_STAFF - {"provider_admin"}},
    "second_provider": set(),
    "anonymous": set(),
    "system": {"view", "manage"},
}
MEMBERSHIP_OF_FK = {
    **{key: set() for key in A_PEOPLE},
    "provider_admin": {"view", "manage"},
    **{key: {"view"} for key in FK_STAFF - {"provider_admin"}},
    "second_provider": set(),  # another provider's administrator manages only its own agency
    "anonymous": set(),
    "system": {"view", "manage"},
}


@pytest.mark.parametrize(("role", "expected"), _table(MEMBERSHIP_OF_A, {"view", "manage"}))
def test_membership_abilities_in_a_customer_agency(role, expected):
    _check(membership_abilities, role, expected, organisation=CUSTOMER_AGENCY)


@pytest.mark.parametrize(("role", "expected"), _table(MEMBERSHIP_OF_FK, {"view", "manage"}))
def test_membership_abilities_in_a_provider_agency(role, expected):
    _check(membership_abilities, role, expected, organisation=FK_AGENCY)


# --- onboarding ---------------------------------------------------------------------------------

from samdrift.onboarding.permissions import case_abilities, request_abilities  # noqa: E402

CASE_KEYS = {"view", "check", "sign_off", "advance", "cancel"}
CASE_OF_A = {
    **{key: {"view"} for key in A_PEOPLE},
    "provider_admin": {"view", "check", "cancel"},
    "account_manager": {"view", "check", "cancel"},
    "service_manager": {"view"},
    "finance": {"view"},
    "security": {"view", "sign_off"},
    "second_provider": set(),  # a provider role, but not FK's customer: nothing at all
    "anonymous": set(),
    "system": CASE_KEYS - {"advance"},
}


@pytest.mark.parametrize(("role", "expected"), _table(CASE_OF_A, CASE_KEYS))
def test_case_abilities_on_an_open_case_awaiting_sign_off(role, expected):
    case = ConnectionCase(id=5, organisation_id=A, state="open")
    _check(case_abilities, role, expected, case=case, checklist_done=True, signed_off=False)


@pytest.mark.parametrize("role", sorted(ACTORS))
def test_a_closed_case_can_only_be_viewed(role):
    case = ConnectionCase(id=5, organisation_id=A, state="completed")
    got = case_abilities(actor=ACTORS[role], case=case, checklist_done=True, signed_off=True)
    assert {k for k, v in got.items() if v} <= {"view"}


REQUEST_KEYS = {"view", "withdraw", "decline", "plan"}
REQUEST_OF_A = {
    "member": {"view"},
    "orderer": {"view", "withdraw"},
    "contact": {"view", "withdraw"},
    "parent_contact": {"view", "withdraw"},
    "provider_admin": {"view", "withdraw", "decline", "plan"},
    "account_manager": {"view", "withdraw", "decline", "plan"},
    **{key: {"view"} for key in {"service_manager", "finance", "security"}},
    "second_provider": set(),
    "anonymous": set(),
    "system": REQUEST_KEYS,
}


@pytest.mark.parametrize(("role", "expected"), _table(REQUEST_OF_A, REQUEST_KEYS))
def test_request_abilities_on_a_pending_request(role, expected):
    request = ServiceRequest(id=6, organisation_id=A, status="requested")
    _check(request_abilities, role, expected, request=request)


# --- catalogue ----------------------------------------------------------------------------------

from samdrift.catalogue.permissions import category_abilities, service_abilities  # noqa: E402

SERVICE_KEYS = {"view", "see_drafts", "edit", "transition", "dependencies"}
KEEPERS = {"provider_admin", "service_manager"}  # keep their own provider's services (ADR 0220)

DRAFT_OF_FK = {
    **{key: set() for key in A_PEOPLE},
    **dict.fromkeys(KEEPERS, SERVICE_KEYS),
    **{key: {"view", "see_drafts"} for key in FK_STAFF - KEEPERS},
    "second_provider": set(),  # another provider's draft is as hidden as from a customer
    "anonymous": set(),
    "system": SERVICE_KEYS,
}
ACTIVE_OF_FK = {
    **{key: {"view"} for key in A_PEOPLE},
    **dict.fromkeys(KEEPERS, SERVICE_KEYS),
    **{key: {"view", "see_drafts"} for key in FK_STAFF - KEEPERS},
    "second_provider": {"view"},  # sees FK's published service, may not change it
    "anonymous": set(),
    "system": SERVICE_KEYS,
}
RETIRING_OF_FK = {
    **ACTIVE_OF_FK,
    **{key: {"view", "see_drafts", "edit", "transition"} for key in KEEPERS},
    "system": {"view", "see_drafts", "edit", "transition"},
}
RETIRED_OF_FK = {
    **ACTIVE_OF_FK,
    **{key: {"view", "see_drafts"} for key in KEEPERS},
    "system": {"view", "see_drafts"},
}
ACTIVE_OF_SECOND = {
    **{key: {"view"} for key in A_PEOPLE | FK_STAFF},  # FK's managers may not change it
    "second_provider": SERVICE_KEYS,
    "anonymous": set(),
    "system": SERVICE_KEYS,
}


@pytest.mark.parametrize(("role", "expected"), _table(DRAFT_OF_FK, SERVICE_KEYS))
def test_service_abilities_on_a_draft(role, expected):
    _check(service_abilities, role, expected, service=Service(provider_id=FK, lifecycle="draft"))


@pytest.mark.parametrize(("role", "expected"), _table(ACTIVE_OF_FK, SERVICE_KEYS))
def test_service_abilities_on_an_active_service(role, expected):
    _check(service_abilities, role, expected, service=Service(provider_id=FK, lifecycle="active"))


@pytest.mark.parametrize(("role", "expected"), _table(RETIRING_OF_FK, SERVICE_KEYS))
def test_service_abilities_on_a_retiring_service(role, expected):
    service = Service(provider_id=FK, lifecycle="retiring")
    _check(service_abilities, role, expected, service=service)


@pytest.mark.parametrize(("role", "expected"), _table(RETIRED_OF_FK, SERVICE_KEYS))
def test_service_abilities_on_a_retired_service(role, expected):
    _check(service_abilities, role, expected, service=Service(provider_id=FK, lifecycle="retired"))


@pytest.mark.parametrize(("role", "expected"), _table(ACTIVE_OF_SECOND, SERVICE_KEYS))
def test_service_abilities_on_another_providers_service(role, expected):
    service = Service(provider_id=SECOND, lifecycle="active")
    _check(service_abilities, role, expected, service=service)


CATEGORIES_OWNED_BY_FK = {
    **{key: set() for key in A_PEOPLE | (FK_STAFF - KEEPERS)},
    **{key: {"manage"} for key in KEEPERS},
    "second_provider": set(),  # shared categories are the catalogue owner's (ADR 0042)
    "anonymous": set(),
    "system": {"manage"},
}


@pytest.mark.parametrize(("role", "expected"), _table(CATEGORIES_OWNED_BY_FK, {"manage"}))
def test_category_abilities(role, expected):
    _check(category_abilities, role, expected, owner_id=FK)


# --- efos ---------------------------------------------------------------------------------------

from samdrift.efos import permissions as efos  # noqa: E402

OFFICIAL_OF_A = {
    "member": set(),
    **{key: {"view", "order"} for key in {"orderer", "contact", "parent_contact"}},
    **{key: {"view", "order"} for key in {"provider_admin", "security"}},  # EFOS operators
    **{key: set() for key in {"service_manager", "account_manager", "finance"}},
    "second_provider": set(),  # an operator role, but A is not its provider's customer
    "anonymous": set(),
    "system": {"view", "order"},
}


@pytest.mark.parametrize(("role", "expected"), _table(OFFICIAL_OF_A, {"view", "order"}))
def test_official_abilities(providers, role, expected):
    got = efos.official_abilities(ACTORS[role], Official(id=7, organisation_id=A))
    assert {k for k, v in got.items() if v} == expected, role


CREDENTIAL_KEYS = {"view", "verify", "issue", "activate", "suspend", "resume", "revoke", "renew"}
ORDERED_CREDENTIAL_OF_A = {
    "member": set(),
    **{key: {"view", "revoke"} for key in {"orderer", "contact", "parent_contact"}},
    **{key: {"view", "verify", "revoke"} for key in {"provider_admin", "security"}},
    **{key: set() for key in {"service_manager", "account_manager", "finance"}},
    "second_provider": set(),
    "anonymous": set(),
    "system": {"view", "verify", "revoke"},
}


@pytest.mark.parametrize(("role", "expected"), _table(ORDERED_CREDENTIAL_OF_A, CREDENTIAL_KEYS))
def test_credential_abilities_on_an_ordered_e_id(providers, role, expected):
    credential = Credential(id=8, status="ordered")
    credential.official = Official(id=7, organisation_id=A)
    got = efos.credential_abilities(ACTORS[role], credential)
    assert {k for k, v in got.items() if v} == expected, role


def test_another_providers_staff_are_not_efos_operators_even_for_their_own_customers(providers):
    """EFOS is run by the catalogue owner (no EFOS service here: the default provider, ADR 0042);
    SITSSAM's administrator serves agency C but operates no EFOS for it."""
    official_of_c = Official(id=7, organisation_id=C)
    assert efos.is_operator(ACTORS["provider_admin"])
    assert not efos.is_operator(ACTORS["second_provider"])
    got = efos.official_abilities(ACTORS["second_provider"], official_of_c)
    assert {k for k, v in got.items() if v} == set()


DOCUMENT_OF_A = {
    "member": {"view", "sign"},  # the member is the signing official of A here
    **{key: {"view", "sign"} for key in {"orderer", "contact", "parent_contact"}},
    **{key: {"view"} for key in {"provider_admin", "security"}},
    **{key: set() for key in {"service_manager", "account_manager", "finance"}},
    "second_provider": set(),
    "anonymous": set(),
    "system": {"view"},
}


@pytest.mark.parametrize(("role", "expected"), _table(DOCUMENT_OF_A, {"view", "sign"}))
def test_document_abilities(providers, role, expected):
    actor = ACTORS[role]
    signer = Official(id=7, organisation_id=A) if role in A_PEOPLE else None
    got = efos.document_abilities(actor, SignableDocument(id=9, organisation_id=A), signer=signer)
    assert {k for k, v in got.items() if v} == expected, role


# --- identity, reporting, accessibility, notifications -------------------------------------------

from samdrift.accessibility.permissions import checker_abilities  # noqa: E402
from samdrift.identity.permissions import identity_abilities  # noqa: E402
from samdrift.reporting.permissions import report_abilities  # noqa: E402

IDENTITY = {
    **{key: set() for key in A_PEOPLE},
    "provider_admin": {"manage_providers", "view_access_requests"},
    "account_manager": {"view_access_requests"},
    **{key: set() for key in {"service_manager", "finance", "security"}},
    # identity configuration is platform-wide: the catalogue owner's (ADR 0042)
    "second_provider": set(),
    "anonymous": set(),
    "system": {"manage_providers", "view_access_requests"},
}


@pytest.mark.parametrize(
    ("role", "expected"), _table(IDENTITY, {"manage_providers", "view_access_requests"})
)
def test_identity_abilities(providers, role, expected):
    _check(identity_abilities, role, expected)


REPORT = {
    **{key: set() for key in A_PEOPLE},
    "provider_admin": {"view", "download", "edit_text", "decide"},
    "service_manager": {"view", "download", "edit_text"},
    **{key: {"view", "download"} for key in {"account_manager", "finance", "security"}},
    # its own report: built from its own customers and services only (selectors)
    "second_provider": {"view", "download", "edit_text", "decide"},
    "anonymous": set(),
    "system": {"view", "download", "edit_text", "decide"},
}


@pytest.mark.parametrize(
    ("role", "expected"), _table(REPORT, {"view", "download", "edit_text", "decide"})
)
def test_report_abilities(role, expected):
    _check(report_abilities, role, expected)


@pytest.mark.parametrize("role", sorted(ACTORS))
def test_only_the_deciding_official_signs_the_report_once(role):
    """ADR 0516: the official recorded as deciding it, provider staff, until it is sealed."""
    from samdrift.reporting.permissions import may_sign_report

    actor = ACTORS[role]
    decider = actor.user_id
    expected = role in FK_STAFF or role == "second_provider"
    assert may_sign_report(actor=actor, decided_by_id=decider, sealed=False) is (
        expected and decider is not None
    )
    assert may_sign_report(actor=actor, decided_by_id=decider, sealed=True) is False
    assert may_sign_report(actor=actor, decided_by_id=None, sealed=False) is False
    assert may_sign_report(actor=actor, decided_by_id=-1, sealed=False) is False


# Program 2032 sites (ADR 0913): shared infrastructure every provider's staff see; any provider's
# administrator registers one; whoever keeps services places them; customers see nothing of it.
SITES = {
    **{key: set() for key in A_PEOPLE},
    "provider_admin": {"view", "add_site", "place"},
    "service_manager": {"view", "place"},
    **{key: {"view"} for key in FK_STAFF - {"provider_admin", "service_manager"}},
    "second_provider": {"view", "add_site", "place"},
    "anonymous": set(),
    "system": {"view", "add_site", "place"},
}


@pytest.mark.parametrize(("role", "expected"), _table(SITES, {"view", "add_site", "place"}))
def test_sites_abilities(role, expected):
    _check(sites_abilities, role, expected)


# Security findings (ADR 0952): a provider's SOC (administrator, security) imports and sees its
# own components in full; an agency's people see the findings that reach it; other staff nothing.
SECURITY = {
    **{key: {"view"} for key in A_PEOPLE},
    **{key: {"view", "soc", "import"} for key in {"provider_admin", "security"}},
    **{key: set() for key in FK_STAFF - {"provider_admin", "security"}},
    "second_provider": {"view", "soc", "import"},
    "anonymous": set(),
    "system": {"view", "soc", "import"},
}


@pytest.mark.parametrize(("role", "expected"), _table(SECURITY, {"view", "soc", "import"}))
def test_security_abilities(role, expected):
    _check(security_abilities, role, expected)


# DSAM evaluations (ADR 0962): everyone logged in reads published ones; a provider's
# administrator and service manager import catalogues and record evaluations.
COOPERATION = {
    **{key: {"view"} for key in A_PEOPLE | FK_STAFF},
    **{key: {"view", "import"} for key in {"provider_admin", "service_manager"}},
    "second_provider": {"view", "import"},
    "anonymous": set(),
    "system": {"view", "import"},
}


@pytest.mark.parametrize(("role", "expected"), _table(COOPERATION, {"view", "import"}))
def test_cooperation_abilities(role, expected):
    _check(cooperation_abilities, role, expected)


# Steering group decisions (ADR 0972): a provider agency's staff read those binding it; its
# administrator records them (the system for any provider agency); customers neither.
DECISIONS = {
    **{key: set() for key in A_PEOPLE},
    **{key: {"view"} for key in FK_STAFF},
    "provider_admin": {"view", "record"},
    "second_provider": {"view", "record"},
    "anonymous": set(),
    "system": {"view", "record"},
}


@pytest.mark.parametrize(("role", "expected"), _table(DECISIONS, {"view", "record"}))
def test_decision_abilities(role, expected):
    _check(decision_abilities, role, expected)


@pytest.mark.parametrize("role", sorted(ACTORS))
def test_checker_abilities_any_actor_checks_and_nobody_else(role):
    assert checker_abilities(actor=ACTORS[role]) == {"check": True}
    assert checker_abilities(actor=None) == {"check": False}


def test_notification_abilities_the_owner_only():
    from samdrift.core.notifications.models import Notification
    from samdrift.core.notifications.permissions import notification_abilities

    unread = Notification(recipient_id=100)
    for role, actor in ACTORS.items():
        got = notification_abilities(actor=actor, notification=unread)
        expected = {"view", "mark_read"} if actor.user_id == 100 else set()
        assert {k for k, v in got.items() if v} == expected, role


from samdrift.audit.permissions import trail_abilities  # noqa: E402

TRAIL = {
    **{role: set() for role in A_PEOPLE},  # customers read an object's history on its page
    **{role: {"search", "export"} for role in FK_STAFF},
    "second_provider": {"search", "export"},  # within what its own provider serves (selectors)
    "anonymous": set(),
    "system": {"search", "export"},
}


@pytest.mark.parametrize(("role", "expected"), _table(TRAIL, {"search", "export"}))
def test_trail_abilities(role, expected):
    got = trail_abilities(ACTORS[role])
    assert {k for k, v in got.items() if v} == expected, role


# --- billing: each provider runs its own fee model and its own invoice runs ----------------------

from samdrift.billing.permissions import billing_abilities, invoice_abilities  # noqa: E402

# The fee model (ADR 0664): the actor's own provider's, asked with no provider named.
FEE_MODEL = {"manage_fee_areas", "import_costs", "allocate", "close_year", "create_price"}
FEE_MODEL |= {"record_usage"}
# The monthly invoice run, project time and exits: each provider's own too (ADR 0668).
RUNS = {"run", "finalise", "record_project_time", "settle_exit"}
BILLING_KEYS = {"read_all", "read_runs", *FEE_MODEL, *RUNS}
MANAGE = BILLING_KEYS
BILLING = {
    **{key: set() for key in A_PEOPLE},
    **dict.fromkeys({"provider_admin", "finance"}, MANAGE),
    "account_manager": {"read_all", "read_runs"},
    **{key: set() for key in {"service_manager", "security"}},
    "second_provider": MANAGE,  # its own fee model and its own runs (ADR 0668)
    "anonymous": set(),
    "system": MANAGE,
}
# Asked for the other provider's billing: FK's staff have none of the second provider's, and
# the second provider's administrator none of FK's, runs included (ADR 0668).
BILLING_OTHER_PROVIDER = {
    **{key: set() for key in A_PEOPLE},
    **{key: set() for key in {"provider_admin", "finance", "account_manager"}},
    **{key: set() for key in {"service_manager", "security"}},
    "second_provider": set(),
    "anonymous": set(),
    "system": MANAGE,
}
INVOICE_KEYS = {"view", "finalise", "credit", "export_ubl"}
FINAL_INVOICE_FK_TO_A = {
    "member": set(),
    **{key: {"view", "export_ubl"} for key in {"orderer", "contact", "parent_contact"}},
    **{key: {"view", "credit", "export_ubl"} for key in {"provider_admin", "finance"}},
    "account_manager": {"view", "export_ubl"},
    **{key: set() for key in {"service_manager", "security"}},
    "second_provider": set(),
    "anonymous": set(),
    "system": {"view", "credit", "export_ubl"},
}


@pytest.fixture
def providers(db):
    """FK first (the catalogue's owner), the second provider after it, at the ids the actors use."""
    Organisation.objects.create(id=FK, name="FK", kind="provider", org_number="202100-5521")
    Organisation.objects.create(id=SECOND, name="SIT", kind="provider", org_number="202100-6453")


@pytest.mark.parametrize(("role", "expected"), _table(BILLING, BILLING_KEYS))
def test_billing_abilities(providers, role, expected):
    got = billing_abilities(ACTORS[role])
    assert {k for k, v in got.items() if v} == expected, role


@pytest.mark.parametrize(("role", "expected"), _table(BILLING_OTHER_PROVIDER, BILLING_KEYS))
def test_billing_abilities_in_the_other_providers_fee_model(providers, role, expected):
    other = FK if role == "second_provider" else SECOND
    got = billing_abilities(ACTORS[role], other)
    assert {k for k, v in got.items() if v} == expected, role


@pytest.mark.parametrize(("role", "expected"), _table(FINAL_INVOICE_FK_TO_A, INVOICE_KEYS))
def test_invoice_abilities_on_a_final_invoice(providers, role, expected):
    invoice = Invoice(id=3, seller_id=FK, buyer_id=A, status="finalised", kind="invoice")
    got = invoice_abilities(ACTORS[role], invoice)
    assert {k for k, v in got.items() if v} == expected, role


# --- operations ---------------------------------------------------------------------------------

from samdrift.operations.models import Change, Incident, Problem  # noqa: E402
from samdrift.operations.permissions import (  # noqa: E402
    change_abilities,
    incident_abilities,
    problem_abilities,
)

INCIDENT_KEYS = {
    *("view", "note", "work", "resolve", "reopen", "close", "declare_major", "link", "legal"),
    *("route", "escalate"),
}
OPS_MANAGERS = {"provider_admin", "service_manager"}
NEW_INCIDENT_REACHING_A = {
    **{key: {"view", "note"} for key in A_PEOPLE},
    **{
        key: {"view", "note", "work", "resolve", "declare_major", "link", "legal", "route"}
        for key in OPS_MANAGERS
    },
    "security": {"view", "note", "work", "resolve", "link", "legal", "route"},
    "account_manager": {"view"},
    "finance": {"view"},
    "second_provider": set(),  # another provider's staff: not even the incident
    "anonymous": set(),
    "system": INCIDENT_KEYS - {"reopen", "close", "escalate"},  # not routed: no A
}
RESOLVED_INCIDENT_REPORTED_BY_A = {
    **{key: {"view", "note", "reopen"} for key in A_PEOPLE},
    **{
        key: {"view", "note", "reopen", "close", "declare_major", "link", "legal", "route"}
        for key in OPS_MANAGERS
    },
    "security": {"view", "note", "reopen", "close", "link", "legal", "route"},
    "account_manager": {"view"},
    "finance": {"view"},
    "second_provider": set(),
    "anonymous": set(),
    "system": INCIDENT_KEYS - {"work", "resolve", "escalate"},
}


@pytest.mark.parametrize(("role", "expected"), _table(NEW_INCIDENT_REACHING_A, INCIDENT_KEYS))
def test_incident_abilities_on_a_new_incident(role, expected):
    incident = Incident(id=5, provider_id=FK, reported_by_org_id=None, state="new")
    _check(incident_abilities, role, expected, incident=incident, affected_org_ids={A})


@pytest.mark.parametrize(
    ("role", "expected"), _table(RESOLVED_INCIDENT_REPORTED_BY_A, INCIDENT_KEYS)
)
def test_incident_abilities_on_a_resolved_incident_a_reported(role, expected):
    incident = Incident(id=5, provider_id=FK, reported_by_org_id=A, state="resolved")
    _check(incident_abilities, role, expected, incident=incident, affected_org_ids=set())


@pytest.mark.parametrize("role", list(ACTORS))
def test_a_closed_incident_can_only_be_viewed(role):
    """…and still reported on: a final legal report is often due after the close (ADR 0844)."""
    incident = Incident(id=5, provider_id=FK, reported_by_org_id=A, state="closed")
    got = incident_abilities(actor=ACTORS[role], incident=incident, affected_org_ids={A})
    assert {k for k, v in got.items() if v} <= {"view", "legal"}


OPS_OPERATORS = {"provider_admin", "service_manager", "security"}
PROBLEM_OF_FK = {
    **{key: set() for key in A_PEOPLE},  # problems are the provider's own work
    **{key: {"view", "work"} for key in OPS_OPERATORS},
    "account_manager": {"view"},
    "finance": {"view"},
    "second_provider": set(),
    "anonymous": set(),
    "system": {"view", "work"},
}
CHANGE_AWAITING_APPROVAL_OF_FK = {
    **{key: set() for key in A_PEOPLE},
    "provider_admin": {"view", "work", "approve"},
    "security": {"view", "work", "approve"},
    "service_manager": {"view", "work"},
    "account_manager": {"view"},
    "finance": {"view"},
    "second_provider": set(),
    "anonymous": set(),
    "system": {"view", "work", "approve"},
}


@pytest.mark.parametrize(("role", "expected"), _table(PROBLEM_OF_FK, {"view", "work"}))
def test_problem_abilities(role, expected):
    _check(problem_abilities, role, expected, problem=Problem(id=6, provider_id=FK, state="open"))


@pytest.mark.parametrize(
    ("role", "expected"), _table(CHANGE_AWAITING_APPROVAL_OF_FK, {"view", "work", "approve"})
)
def test_change_abilities_on_a_change_awaiting_approval(role, expected):
    change = Change(id=7, provider_id=FK, state="awaiting_approval", kind="normal")
    _check(change_abilities, role, expected, change=change)


# --- collaboration: abilities follow the workspace membership and the owner agency's security role

from samdrift.collaboration.models import Document, Member, Workspace  # noqa: E402
from samdrift.collaboration.permissions import (  # noqa: E402
    document_abilities,
    workspace_abilities,
)

# Who asks about agency A's workspace: (actor, their membership role there or None).
COLLAB_PEOPLE: dict[str, tuple[Actor, str | None]] = {
    "outsider": (_customer("contact", org=B), None),  # another agency's contact, not a member
    "reader": (_customer("member"), "reader"),
    "commenter": (_customer("member"), "commenter"),
    "editor": (_customer("member"), "editor"),
    "owner": (_customer("member"), "owner"),
    "security_of_owner": (_customer("contact"), None),  # A's contact stands in (ADR 0604)
    "provider_admin": (ACTORS["provider_admin"], None),  # the provider sees no workspace
    "second_provider": (ACTORS["second_provider"], None),
    "anonymous": (ANONYMOUS, None),
    "system": (SYSTEM, None),
}
WORKSPACE_KEYS = {
    "view", "upload", "make_folder", "invite", "manage_members", "transfer", "raise_class",
    "lower_class", "leave", "see_reads", "see_trash", "manage_publishing",
}  # fmt: skip
MEMBER_BASE = {"view", "leave"}
EDITOR_WS = MEMBER_BASE | {"upload", "make_folder", "see_trash"}
OVERSEER = {"view", "lower_class", "see_reads"}
WORKSPACE_OF_A = {
    "outsider": set(),
    "reader": MEMBER_BASE,
    "commenter": MEMBER_BASE,
    "editor": EDITOR_WS,
    "owner": EDITOR_WS
    | {"invite", "manage_members", "transfer", "raise_class", "see_reads", "manage_publishing"},
    "security_of_owner": OVERSEER,
    "provider_admin": set(),
    "second_provider": set(),
    "anonymous": set(),
    "system": OVERSEER,
}


def _member(role: str | None) -> Member | None:
    return (
        None if role is None else Member(workspace_id=5, user_id=100, organisation_id=A, role=role)
    )


@pytest.mark.parametrize("who", list(COLLAB_PEOPLE))
def test_workspace_abilities(who):
    actor, role = COLLAB_PEOPLE[who]
    workspace = Workspace(id=5, owner_org_id=A, classification=1)
    got = workspace_abilities(actor=actor, workspace=workspace, member=_member(role))
    assert set(got) == WORKSPACE_KEYS
    assert {k for k, v in got.items() if v} == WORKSPACE_OF_A[who], who


# Editors publish a draft (ADR 0618); the owner alone sets the workspace's publishing rule.
EDITOR_DOC = {"view", "preview", "download", "upload_version", "lock", "restore_version", "trash", "share", "revoke_shares", "publish"}  # fmt: skip
COLLAB_DOCUMENT_OF_A = {
    "outsider": set(),
    "reader": {"view", "preview", "download"},
    "commenter": {"view", "preview", "download"},
    "editor": EDITOR_DOC,
    "owner": EDITOR_DOC | {"raise_class", "see_reads"},
    "security_of_owner": OVERSEER | {"preview", "revoke_shares"},
    "provider_admin": set(),
    "second_provider": set(),
    "anonymous": set(),
    "system": OVERSEER | {"preview", "revoke_shares"},
}


@pytest.mark.parametrize("who", list(COLLAB_PEOPLE))
def test_document_abilities_on_an_open_document(who):
    actor, role = COLLAB_PEOPLE[who]
    workspace = Workspace(id=5, owner_org_id=A, classification=1)
    document = Document(id=6, workspace_id=5, classification=1)
    got = document_abilities(
        actor=actor, document=document, workspace=workspace, member=_member(role)
    )
    assert {k for k, v in got.items() if v} == COLLAB_DOCUMENT_OF_A[who], who


def test_document_abilities_follow_lock_trash_and_class():
    workspace = Workspace(id=5, owner_org_id=A, classification=1)
    editor, _role = COLLAB_PEOPLE["editor"]

    def granted(document: Document, role: str = "editor") -> set[str]:
        got = document_abilities(
            actor=editor, document=document, workspace=workspace, member=_member(role)
        )
        return {k for k, v in got.items() if v}

    # locked by someone else: the editor may look and download, not change it
    assert granted(Document(id=6, classification=1, locked_by_id=999)) == {
        "view", "preview", "download", "share", "revoke_shares"
    }  # fmt: skip
    # locked by the editor: it may change it and unlock it, not lock it again
    mine = granted(Document(id=6, classification=1, locked_by_id=100))
    assert "unlock" in mine and "upload_version" in mine and "lock" not in mine
    # an owner may unlock another's lock
    assert "unlock" in granted(Document(id=6, classification=1, locked_by_id=999), "owner")
    # in the trash: nothing but looking at its record and taking it back out (no preview)
    trashed = Document(
        id=6, classification=1, trashed_at=datetime.datetime(2026, 1, 1, tzinfo=datetime.UTC)
    )
    assert granted(trashed) == {"view", "untrash", "revoke_shares"}
    # class 3 is view only: no download for anyone
    assert "download" not in granted(Document(id=6, classification=3), "owner")
    # share links (ADR 0609): class 2 and 3 allow none, in the document or in its workspace
    assert "share" not in granted(Document(id=6, classification=2), "owner")
    high = Workspace(id=5, owner_org_id=A, classification=2)
    got = document_abilities(
        actor=editor, document=Document(id=6, classification=1), workspace=high,
        member=_member("owner"),
    )  # fmt: skip
    assert not got["share"] and got["revoke_shares"]


# --- chat (issue 13): members chat; whoever manages the members re-provisions; the owner
# agency's security role holds the room for the records --------------------------------------

from samdrift.chat.models import ChatRoom  # noqa: E402
from samdrift.chat.permissions import room_abilities  # noqa: E402
from samdrift.collaboration.selectors import WorkspaceAccess  # noqa: E402

CHAT_OF_A = {
    "outsider": set(),
    "reader": {"view", "chat"},
    # readers read; commenters and up write, as the room's power levels say (ADR 0656)
    "commenter": {"view", "chat", "write"},
    # a file sent in the chat is a document of the workspace: editors and owners (ADR 0660)
    "editor": {"view", "chat", "write", "attach"},
    "owner": {"view", "chat", "write", "attach", "provision", "export"},
    # sees the workspace, not its chat; holds it for the records (ADR 0655)
    "security_of_owner": {"hold"},
    "provider_admin": set(),
    "second_provider": set(),
    "anonymous": set(),
    "system": {"provision", "export", "hold"},
}


@pytest.mark.parametrize("who", list(COLLAB_PEOPLE))
def test_room_abilities(who):
    actor, role = COLLAB_PEOPLE[who]
    workspace = Workspace(id=5, owner_org_id=A, classification=1)
    member = _member(role)
    access = WorkspaceAccess(
        workspace, member, workspace_abilities(actor=actor, workspace=workspace, member=member)
    )
    got = room_abilities(actor=actor, access=access, room=ChatRoom(workspace_id=5, room_id="!r"))
    assert set(got) == {"view", "chat", "write", "attach", "provision", "export", "hold"}
    assert {k for k, v in got.items() if v} == CHAT_OF_A[who], who
    # before the room is made, nobody chats, exports or holds yet
    before = room_abilities(actor=actor, access=access, room=None)
    assert not before["chat"] and not before["write"] and not before["export"]
    assert not before["attach"]
    assert not before["hold"]


# --- coediting: a live document follows its workspace: readers follow, editors change it

from samdrift.coediting.permissions import doc_abilities  # noqa: E402

LIVE_EDIT = {"view", "edit", "keep_version", "restore_version", "create"}
LIVE_FILES_OUT = {"export", "keep_offline"}


@pytest.mark.parametrize("classification", [1, 3])
@pytest.mark.parametrize("who", list(COLLAB_PEOPLE))
def test_doc_abilities(who, classification):
    actor, role = COLLAB_PEOPLE[who]
    workspace = Workspace(id=5, owner_org_id=A, classification=classification)
    ws = workspace_abilities(actor=actor, workspace=workspace, member=_member(role))
    got = doc_abilities(ws, classification)
    assert set(got) == LIVE_EDIT | LIVE_FILES_OUT
    editor = "upload" in WORKSPACE_OF_A[who]
    expected = LIVE_EDIT if editor else {"view"} & WORKSPACE_OF_A[who]
    if classification < 3:  # class 3 is view only: nothing leaves SAFOS, not even offline
        if "view" in expected:
            expected = expected | {"export"}
        if editor:
            expected = expected | {"keep_offline"}
    assert {k for k, v in got.items() if v} == expected, who


# --- meetings (issue 14): members knock, the workspace's owners host (ADR 0673) ---------------

from samdrift.meetings.models import MeetingRoom  # noqa: E402
from samdrift.meetings.permissions import room_abilities as meeting_room_abilities  # noqa: E402

MEETING_HOST = {"host", "join", "admit", "remove", "mute", "lock", "end"}
MEETING_OF_A = {
    "outsider": set(),
    "reader": {"join"},
    "commenter": {"join"},
    "editor": {"join"},
    "owner": MEETING_HOST,
    "security_of_owner": set(),  # sees the workspace, does not sit in its meetings
    "provider_admin": set(),
    "second_provider": set(),
    "anonymous": set(),
    "system": {"end"},  # `samdrift meetings end`
}


@pytest.mark.parametrize("who", list(COLLAB_PEOPLE))
def test_meeting_room_abilities(who):
    actor, role = COLLAB_PEOPLE[who]
    room = MeetingRoom(id=9, workspace_id=5, owner_org_id=A, created_by_id=999)
    got = meeting_room_abilities(
        actor=actor, room=room, member=_member(role), admission=None, classification=1
    )
    assert set(got) == MEETING_HOST | {"in_room", "publish", "watch", "broadcast"}
    assert {k for k, v in got.items() if v} == MEETING_OF_A[who], who


@pytest.mark.parametrize("who", list(COLLAB_PEOPLE))
def test_webinar_abilities_before_anyone_is_let_in(who):
    """A webinar's host may broadcast; no one publishes or watches before being let in."""
    actor, role = COLLAB_PEOPLE[who]
    room = MeetingRoom(id=9, workspace_id=5, owner_org_id=A, created_by_id=999, mode="webinar")
    got = meeting_room_abilities(
        actor=actor, room=room, member=_member(role), admission=None, classification=1
    )
    expected = MEETING_OF_A[who] | ({"broadcast"} if who == "owner" else set())
    assert {k for k, v in got.items() if v} == expected, who


# --- calendars (issue 12): members read a workspace's calendar, editors write it ---------------

from samdrift.calendars.models import Calendar  # noqa: E402
from samdrift.calendars.permissions import calendar_abilities  # noqa: E402

CALENDAR_OF_A = {
    "outsider": set(),
    "reader": {"view", "free_busy"},
    "commenter": {"view", "free_busy"},
    "editor": {"view", "write", "free_busy"},
    "owner": {"view", "write", "free_busy"},
    "security_of_owner": set(),  # sees the workspace, not its calendar
    "provider_admin": set(),
    "second_provider": set(),
    "anonymous": set(),
    "system": set(),  # the CLI works through its own checks (ADR 0642)
}


@pytest.mark.parametrize("who", list(COLLAB_PEOPLE))
def test_calendar_abilities(who):
    actor, role = COLLAB_PEOPLE[who]
    workspace = Workspace(id=5, owner_org_id=A, classification=1)
    calendar = Calendar(id=9, workspace_id=5)
    got = calendar_abilities(
        actor=actor, calendar=calendar, workspace=workspace, member=_member(role)
    )
    assert set(got) == {"view", "write", "free_busy"}
    assert {k for k, v in got.items() if v} == CALENDAR_OF_A[who], who
    # an app password made for class 0 reaches no class-1 calendar, whatever the role
    capped = calendar_abilities(
        actor=actor, calendar=calendar, workspace=workspace, member=_member(role), max_class=0
    )
    assert not any(capped.values())


def test_a_personal_calendar_is_its_owners_alone():
    owner, _role = COLLAB_PEOPLE["owner"]
    other = dataclasses.replace(owner, user_id=(owner.user_id or 0) + 1)
    mine = Calendar(id=3, owner_id=owner.user_id)
    assert all(calendar_abilities(actor=owner, calendar=mine, workspace=None, member=None).values())
    assert not any(
        calendar_abilities(actor=other, calendar=mine, workspace=None, member=None).values()
    )


# --- operations: NKI surveys (ADR 0843): staff see results, connected agencies answer ----------

from samdrift.operations.models import ResponsibilityMatrix, Survey  # noqa: E402
from samdrift.operations.permissions import matrix_abilities, survey_abilities  # noqa: E402

ROUTED_TO_A_AS_RESPONSIBLE = {
    # A is the function's R (ADR 0845): it sees the incident, adds notes and escalates.
    **{key: {"view", "note", "escalate"} for key in A_PEOPLE},
    **{
        key: {"view", "note", "work", "resolve", "declare_major", "link", "legal", "route"}
        | {"escalate"}
        for key in OPS_MANAGERS
    },
    "security": {"view", "note", "work", "resolve", "link", "legal", "route", "escalate"},
    "account_manager": {"view"},
    "finance": {"view"},
    "second_provider": set(),
    "anonymous": set(),
    "system": INCIDENT_KEYS - {"reopen", "close"},
}


@pytest.mark.parametrize(("role", "expected"), _table(ROUTED_TO_A_AS_RESPONSIBLE, INCIDENT_KEYS))
def test_incident_abilities_of_a_matrix_party(role, expected):
    incident = Incident(id=5, provider_id=FK, state="new", function="Drift")
    _check(
        incident_abilities, role, expected,
        incident=incident, affected_org_ids=set(), party_roles={A: {"R"}},
    )  # fmt: skip


def test_an_informed_party_only_sees():
    incident = Incident(id=5, provider_id=FK, state="new", function="Drift")
    got = incident_abilities(
        actor=ACTORS["member"], incident=incident, affected_org_ids=set(), party_roles={A: {"I"}}
    )
    assert {k for k, v in got.items() if v} == {"view"}


MATRIX_KEYS = {"view", "publish"}
DRAFT_MATRIX_NAMING_A = {
    **{key: set() for key in A_PEOPLE},  # a draft is the provider's own work
    **{key: {"view", "publish"} for key in OPS_MANAGERS},
    **{key: {"view"} for key in FK_STAFF - OPS_MANAGERS},
    "second_provider": set(),
    "anonymous": set(),
    "system": {"view", "publish"},
}
PUBLISHED_MATRIX_NAMING_A = {
    **{key: {"view"} for key in A_PEOPLE},  # the agreement A is part of
    **{key: {"view"} for key in FK_STAFF},
    "second_provider": set(),
    "anonymous": set(),
    "system": {"view"},
}


@pytest.mark.parametrize(("role", "expected"), _table(DRAFT_MATRIX_NAMING_A, MATRIX_KEYS))
def test_matrix_abilities_on_a_draft(role, expected):
    matrix = ResponsibilityMatrix(id=8, provider_id=FK)
    _check(matrix_abilities, role, expected, matrix=matrix, party_org_ids={A})


@pytest.mark.parametrize(("role", "expected"), _table(PUBLISHED_MATRIX_NAMING_A, MATRIX_KEYS))
def test_matrix_abilities_on_a_published_version(role, expected):
    matrix = ResponsibilityMatrix(
        id=8, provider_id=FK, published_at=datetime.datetime(2026, 1, 1, tzinfo=datetime.UTC)
    )
    _check(matrix_abilities, role, expected, matrix=matrix, party_org_ids={A})


SURVEY_OF_FK = {
    **{key: {"view", "answer"} for key in A_PEOPLE},  # A is connected to the surveyed service
    **{key: {"view", "results"} for key in FK_STAFF},
    "second_provider": set(),
    "anonymous": set(),
    "system": {"view", "results"},
}


@pytest.mark.parametrize(("role", "expected"), _table(SURVEY_OF_FK, {"view", "results", "answer"}))
def test_survey_abilities(role, expected):
    survey = Survey(
        id=4, provider_id=FK, service_id=1, year=2026, closes_on=datetime.date(2026, 12, 31)
    )
    _check(
        survey_abilities, role, expected, survey=survey, connected_org_ids={A},
        today=datetime.date(2026, 12, 1),
    )  # fmt: skip
    after = survey_abilities(
        actor=ACTORS[role], survey=survey, connected_org_ids={A}, today=datetime.date(2027, 1, 1)
    )
    assert not after["answer"]  # closed for everyone


# --- completeness -------------------------------------------------------------------------------

TESTED = {
    matrix_abilities,
    membership_abilities,
    case_abilities,
    request_abilities,
    service_abilities,
    category_abilities,
    efos.official_abilities,
    efos.credential_abilities,
    efos.document_abilities,
    identity_abilities,
    report_abilities,
    checker_abilities,
    billing_abilities,
    invoice_abilities,
    trail_abilities,
    incident_abilities,
    problem_abilities,
    change_abilities,
    workspace_abilities,
    document_abilities,
    sites_abilities,
    security_abilities,
    cooperation_abilities,
    decision_abilities,
    room_abilities,
    meeting_room_abilities,
    calendar_abilities,
    survey_abilities,
    doc_abilities,
}


def _abilities_functions() -> set[str]:
    found = set()
    for module_info in pkgutil.walk_packages(samdrift.__path__, "samdrift."):
        if not module_info.name.endswith(".permissions"):
            continue
        module = importlib.import_module(module_info.name)
        for name, obj in inspect.getmembers(module, inspect.isfunction):
            if name.endswith("_abilities") and obj.__module__ == module.__name__:
                found.add(f"{obj.__module__}.{name}")
    return found


def test_every_abilities_function_has_a_table():
    tested = {f"{f.__module__}.{f.__name__}" for f in TESTED}
    tested.add("samdrift.core.notifications.permissions.notification_abilities")
    assert _abilities_functions() - tested == set()
