"""The 2021 demo: the source report's agencies, services, cases and connections.

The report states the table's counts, the 19 cases' agencies, the 18 EFOS consumers and the
planned 2022 connections. It does not state every case's phase, which services each case covers,
or which agencies asked for what: those are reconstructed (cases carry `reconstructed=True`) and
the remaining requesters are drawn deterministically from the register so that the demand report
for 2021 on the government-assignment basis reproduces the report's table exactly.
"""

from __future__ import annotations

import datetime
import hashlib
import json
from dataclasses import dataclass
from importlib import resources
from typing import Any

from django.db import transaction
from django.utils import timezone

from samdrift.accounts.demo import DEMO_PASSWORD, DEMO_USERS, PROVIDER
from samdrift.accounts.models import User
from samdrift.audit.services import audit_record
from samdrift.catalogue.models import Category, Service, ServiceDependency
from samdrift.core.actor import SYSTEM
from samdrift.onboarding.choices import PHASE_ORDER, CaseEventKind, CaseState, RequestStatus
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
from samdrift.organisations.register_import import import_agencies

from .catalogue import CATEGORIES, CHECKLISTS, DEPENDENCIES, SERVICES

ALIASES = {
    "Riksgälden": "Riksgäldskontoret",
    "Länsstyrelsen": "Länsstyrelserna",
    "Skolverket": "Statens skolverk",
}
SERVICE_CODE_BY_NAME = {seed_name: code for code, seed_name, *_rest in SERVICES}

# Reconstructed: which services each single-service case covers (index = position in the seed).
CASE_SERVICES = {
    "Trafikverket": ["OBJLAG"],
    "Tullverket": ["UTSKICK"],
    "Statens skolverk": ["WEBB", "WEBBANALYS"],
    "Skatteverket": ["UTSKICK", "WEBBANALYS"],
    "Domstolsverket": ["EFOS"],
    "Statens servicecenter": ["EFOS", "ITARB"],
    "Arbetsförmedlingen": ["OBJLAG"],
    "Statens institutionsstyrelse": ["EFOS", "ITARB"],
    "Myndigheten för digital förvaltning": ["CAP", "WEBB", "APPDRIFT"],
}
# The two cases of agencies that appear twice, in seed order.
REPEATED_CASE_SERVICES = {
    "Länsstyrelserna": [["EFOS"], ["SAFOS"]],
    "Statens tjänstepensionsverk": [[], ["EFOS"]],
}
# A second provider agency (the SITSSAM agencies may also provide, ADR 0041): its staff see its
# own customer and nothing of Försäkringskassan's. Loaded after the 2021 report is reproduced.
# Both are free of any 2021 case, request or connection (the drawn requesters took MSB and PTS).
# Billing's default seller is the catalogue owner (ADR 0042), whatever the providers' names.
SECOND_PROVIDER = ["Inspektionen för strategiska produkter", "Institutet för rymdfysik"]
SECOND_PROVIDER_CUSTOMER = ["Integritetsskyddsmyndigheten", "Gentekniknämnden"]
# EFOS consumers connected on other terms than the government assignment.
EFOS_OTHER_BASIS = {"Försäkringskassan": "own_use"}


def seed_facts() -> dict[str, Any]:
    return json.loads(
        resources.files("samdrift.onboarding").joinpath("data/seed-2021.json").read_text("utf-8")
    )


def register_csv() -> str:
    return (
        resources.files("samdrift.organisations").joinpath("data/agencies.csv").read_text("utf-8")
    )


def _name(seed_name: str) -> str:
    return ALIASES.get(seed_name, seed_name)


def _at(date: datetime.date, hour: int = 10) -> datetime.datetime:
    return datetime.datetime.combine(
        date, datetime.time(hour), tzinfo=timezone.get_current_timezone()
    )


def _stable_rank(*parts: str) -> str:
    return hashlib.sha256("|".join(parts).encode()).hexdigest()


@dataclass
class Loaded:
    organisations: int
    services: int
    cases: int
    requests: int
    subscriptions: int
    users: list[tuple[str, str, str]]


@transaction.atomic
def load_foundation() -> Loaded:
    """Load everything; the caller checks the database is empty first."""
    result = import_agencies(actor=SYSTEM, text=register_csv())
    if not result.ok:
        raise RuntimeError(f"the shipped register does not import: {result.errors[:3]}")
    orgs = {org.name: org for org in Organisation.objects.all()}
    orgs[PROVIDER].kind = "provider"
    orgs[PROVIDER].save(update_fields=["kind"])
    services = _load_catalogue(orgs[PROVIDER])
    _load_checklists()
    users = _load_users(orgs)
    security = User.objects.get(username="sakerhet")
    manager = User.objects.get(username="kund")
    facts = seed_facts()
    cases = _load_cases(facts, orgs, services, manager, security)
    _load_efos_consumers(facts, orgs, services)
    _load_requests(facts, orgs, services)
    _check_against_report(facts)
    users.append(_load_second_provider(orgs, services))
    audit_record(
        actor=SYSTEM,
        action="demo.loaded",
        object_type="demo",
        object_id="2021",
        after={"cases": len(cases), "services": len(services)},
    )
    return Loaded(
        organisations=Organisation.objects.count(),
        services=len(services),
        cases=len(cases),
        requests=ServiceRequest.objects.count(),
        subscriptions=Subscription.objects.count(),
        users=users,
    )


def _load_catalogue(provider: Organisation) -> dict[str, Service]:
    categories = {
        code: Category.objects.create(code=code, name_sv=sv, name_en=en)
        for code, (sv, en) in CATEGORIES.items()
    }
    services = {}
    for order, (
        code,
        name_sv,
        name_en,
        category,
        total,
        avail,
        support,
        rto,
        rpo,
        desc_sv,
        desc_en,
    ) in enumerate(SERVICES):
        services[code] = Service.objects.create(
            code=code,
            name_sv=name_sv,
            name_en=name_en,
            description_sv=desc_sv,
            description_en=desc_en,
            category=categories[category],
            provider=provider,
            lifecycle="active",
            in_total_commitment=total,
            display_order=order,
            availability_target=avail,
            support_hours=support,
            rto_hours=rto,
            rpo_hours=rpo,
        )
    for code, needs, reason_sv, reason_en in DEPENDENCIES:
        ServiceDependency.objects.create(
            service=services[code],
            depends_on=services[needs],
            reason_sv=reason_sv,
            reason_en=reason_en,
        )
    return services


def _load_checklists() -> None:
    ChecklistTemplateItem.objects.bulk_create(
        ChecklistTemplateItem(phase=phase, position=position, text_sv=sv, text_en=en)
        for phase, items in CHECKLISTS.items()
        for position, (sv, en) in enumerate(items)
    )


def _load_users(orgs: dict[str, Organisation]) -> list[tuple[str, str, str]]:
    printed = []
    for username, first, last, agency, role, what in DEMO_USERS:
        user = User(
            username=username,
            first_name=first,
            last_name=last,
            email=f"{username}@demo.samdrift.se",
        )
        user.set_password(DEMO_PASSWORD)
        user.save()
        Membership.objects.create(user=user, organisation=orgs[agency], role=role)
        printed.append((username, agency, what))
    return printed


def _case_services(seed_cases: list[dict[str, str]]) -> list[list[str]]:
    seen: dict[str, int] = {}
    result: list[list[str]] = []
    for case in seed_cases:
        name = _name(case["agency"])
        if case["scope"] == "total":
            result.append([])
        elif name in REPEATED_CASE_SERVICES:
            result.append(REPEATED_CASE_SERVICES[name][seen.get(name, 0)])
        else:
            result.append(CASE_SERVICES[name])
        seen[name] = seen.get(name, 0) + 1
    return result


def _load_cases(
    facts: dict[str, Any],
    orgs: dict[str, Organisation],
    services: dict[str, Service],
    manager: User,
    security: User,
) -> list[ConnectionCase]:
    seed_cases = facts["connection_model"]["cases_reconstructed"]["cases"]
    planned_efos = {_name(name) for name in facts["efos"]["planned_2022"]}
    total_codes = [code for code, *_r in SERVICES if _r[3]]
    created = []
    for index, (seed, codes) in enumerate(zip(seed_cases, _case_services(seed_cases), strict=True)):
        org = orgs[_name(seed["agency"])]
        target = {"Initiera": "initiate", "Planera": "plan", "Paketera": "package", "Köra": "run"}[
            seed["phase"]
        ]
        opened = datetime.date(2020, 1, 15) + datetime.timedelta(days=23 * index)
        case = ConnectionCase.objects.create(
            organisation=org,
            scope=seed["scope"],
            phase=target,
            state=CaseState.OPEN,
            agreement_basis="assignment",
            opened_on=opened,
            reconstructed=True,
        )
        case.services.set([services[c] for c in codes])
        in_scope = total_codes if seed["scope"] == "total" else codes
        _write_history(case, target, opened, manager, security)
        for code in in_scope:
            if code == "EFOS" and (org.name in planned_efos or target != "run"):
                continue  # their EFOS demand is the planned 2022 connection, not 2021's
            ServiceRequest.objects.create(
                organisation=org,
                service=services[code],
                requested_on=opened - datetime.timedelta(days=30),
                status=RequestStatus.CONNECTED if target == "run" else RequestStatus.REQUESTED,
                created_by=None,
                note="Demo (rekonstruerad)",
            )
        if target == "run":
            start = min(opened + datetime.timedelta(days=150), datetime.date(2021, 11, 1))
            for code in in_scope:
                Subscription.objects.create(
                    organisation=org,
                    service=services[code],
                    start_date=start,
                    agreement_basis="assignment",
                    case=case,
                )
        created.append(case)
    return created


def _write_history(
    case: ConnectionCase, target: str, opened: datetime.date, manager: User, security: User
) -> None:
    """Phases before the target are done: checklist ticked, signed off, advanced, 40 days apart."""
    day = opened
    events = [
        CaseEvent(
            case=case, kind=CaseEventKind.OPENED, phase="initiate", actor=manager, at=_at(day)
        )
    ]
    items = []
    for phase in PHASE_ORDER[: PHASE_ORDER.index(target) + 1]:
        entered = _at(day)
        done = phase != target
        left = _at(day + datetime.timedelta(days=40)) if done else None
        PhasePeriod.objects.create(case=case, phase=phase, entered_at=entered, left_at=left)
        for position, (sv, en) in enumerate(CHECKLISTS[phase]):
            items.append(
                CaseChecklistItem(
                    case=case,
                    phase=phase,
                    position=position,
                    text_sv=sv,
                    text_en=en,
                    done_at=_at(day + datetime.timedelta(days=10 + position)) if done else None,
                    done_by=manager if done else None,
                )
            )
        if done:
            signed = _at(day + datetime.timedelta(days=35), 14)
            PhaseSignOff.objects.create(
                case=case,
                phase=phase,
                signed_by=security,
                signed_at=signed,
                comment="Säkerhetsgranskning utan anmärkning",
            )
            events.append(
                CaseEvent(
                    case=case, kind=CaseEventKind.SIGNED_OFF, phase=phase, actor=security, at=signed
                )
            )
            next_index = PHASE_ORDER.index(phase) + 1
            events.append(
                CaseEvent(
                    case=case,
                    kind=CaseEventKind.ADVANCED,
                    phase=phase,
                    to_phase=PHASE_ORDER[next_index],
                    actor=manager,
                    at=entered + datetime.timedelta(days=40),
                )
            )
            day += datetime.timedelta(days=40)
    CaseChecklistItem.objects.bulk_create(items)
    CaseEvent.objects.bulk_create(events)


def _load_efos_consumers(
    facts: dict[str, Any], orgs: dict[str, Organisation], services: dict[str, Service]
) -> None:
    """EFOS consumers not connected under the assignment use it on other terms since 2019."""
    efos = services["EFOS"]
    for seed_name in facts["efos"]["consumers"]:
        org = orgs[_name(seed_name)]
        if Subscription.objects.filter(organisation=org, service=efos).exists():
            continue
        Subscription.objects.create(
            organisation=org,
            service=efos,
            start_date=datetime.date(2019, 9, 1),
            agreement_basis=EFOS_OTHER_BASIS.get(org.name, "separate"),
        )
        if org.kind != "provider":
            ServiceRequest.objects.create(
                organisation=org,
                service=efos,
                requested_on=datetime.date(2019, 5, 1),
                status=RequestStatus.CONNECTED,
                note="Demo",
            )
    for seed_name in facts["efos"]["planned_2022"]:
        ServiceRequest.objects.create(
            organisation=orgs[_name(seed_name)],
            service=efos,
            requested_on=datetime.date(2022, 1, 20),
            note="Planerad anslutning 2022",
        )


def _load_requests(
    facts: dict[str, Any], orgs: dict[str, Organisation], services: dict[str, Service]
) -> None:
    """Fill each service's demand up to the report's count with agencies drawn from the register."""
    year_end = datetime.date(2021, 12, 31)
    candidates = [
        org
        for org in orgs.values()
        if org.parent_id is None
        and not org.is_group
        and org.kind == "customer"
        and not org.children.exists()
    ]
    for row in facts["services_table"]["rows"]:
        service = services[SERVICE_CODE_BY_NAME[row["service"]]]
        have = set(
            ServiceRequest.objects.filter(service=service, requested_on__lte=year_end)
            .exclude(status=RequestStatus.WITHDRAWN)
            .values_list("organisation_id", flat=True)
        )
        missing = row["requested"] - len(have)
        if missing < 0:
            raise RuntimeError(
                f"{service.code}: the reconstructed cases already ask more than the report counts"
            )
        ranked = sorted(
            (o for o in candidates if o.id not in have),
            key=lambda o: _stable_rank(service.code, o.name),
        )
        for position, org in enumerate(ranked[:missing]):
            ServiceRequest.objects.create(
                organisation=org,
                service=service,
                note="Demo",
                requested_on=datetime.date(2020, 3, 1)
                + datetime.timedelta(days=(position * 17) % 600),
                status=RequestStatus.DECLINED if position % 9 == 8 else RequestStatus.REQUESTED,
            )
        # A withdrawn request is no demand: it shows the counting rule without changing the count.
        if missing > 0 and len(ranked) > missing:
            ServiceRequest.objects.create(
                organisation=ranked[missing],
                service=service,
                status=RequestStatus.WITHDRAWN,
                requested_on=datetime.date(2021, 2, 1),
                note="Demo: återkallad",
            )


def _check_against_report(facts: dict[str, Any]) -> None:
    report = demand_report(actor=SYSTEM, year=2021, basis="assignment")
    got = {row.service.name_sv: (row.requested, row.connected) for row in report.rows}
    want = {
        row["service"]: (row["requested"], row["connected"])
        for row in facts["services_table"]["rows"]
    }
    if got != want:
        raise RuntimeError(f"demo data does not reproduce the report's table: {got} != {want}")


def _unrelated(
    orgs: dict[str, Organisation], preferred: list[str], taken: set[int]
) -> Organisation:
    """The first preferred agency (else the first by name) with no case, request or connection
    yet, so it can become a second provider or that provider's customer without overlap."""

    def free(org: Organisation) -> bool:
        return (
            org.id not in taken
            and org.kind == "customer"
            and org.parent_id is None
            and not org.is_group
            and not org.children.exists()
            and not org.subscriptions.exists()
            and not org.service_requests.exists()
            and not org.connection_cases.exists()
        )

    named = [orgs[name] for name in preferred if name in orgs]
    for org in [*named, *sorted(orgs.values(), key=lambda o: o.name)]:
        if free(org):
            return org
    raise RuntimeError("no agency is free to become the second provider's")


def _load_second_provider(
    orgs: dict[str, Organisation], services: dict[str, Service]
) -> tuple[str, str, str]:
    """A second provider agency with one service, one administrator and one customer (who has
    asked for the service)."""
    provider = _unrelated(orgs, SECOND_PROVIDER, set())
    customer = _unrelated(orgs, SECOND_PROVIDER_CUSTOMER, {provider.id})
    provider.kind = "provider"
    provider.save(update_fields=["kind"])
    service = Service.objects.create(
        code="SITSSAM-INC",
        name_sv="Incidentsamordning (SITSSAM)",
        name_en="Incident coordination (SITSSAM)",
        category=next(iter(services.values())).category,
        provider=provider,
        lifecycle="active",
        display_order=900,
    )
    # A request, not yet a connection: it makes the agency this provider's customer, and the
    # billing demo (which invoices every connection into Försäkringskassan's fee model) leaves
    # it alone.
    ServiceRequest.objects.create(
        organisation=customer,
        service=service,
        requested_on=datetime.date(2025, 3, 1),
        note="Demo: andra leverantören",
    )
    user = User(
        username="sitssam",
        first_name="Siri",
        last_name="Samverkan",
        email="sitssam@demo.samdrift.se",
    )
    user.set_password(DEMO_PASSWORD)
    user.save()
    Membership.objects.create(user=user, organisation=provider, role="provider_admin")
    return ("sitssam", provider.name, f"second provider's administrator (sees {customer.name})")
