"""Reads for the yearly report to the government: the whole report is assembled here, for an actor.

The report is computed from live data every time (ADR 0501): the onboarding selectors give the
cases, the demand table and the subscriptions; billing gives the economic outcome when it has
any; only the prose (summary, background) is stored in this app.
"""

from __future__ import annotations

import datetime
from dataclasses import dataclass, field
from decimal import ROUND_HALF_UP, Decimal
from typing import TYPE_CHECKING, Any

from django.utils import timezone, translation
from django.utils.translation import get_language
from django.utils.translation import gettext_lazy as _

from samdrift.core.actor import Actor
from samdrift.core.exceptions import NotFound, PermissionDenied, ValidationFailed
from samdrift.efos.selectors import signature_by_user
from samdrift.onboarding.choices import PHASE_ORDER, AgreementBasis, CaseState, RequestStatus, Scope
from samdrift.onboarding.counting import Hierarchy
from samdrift.onboarding.selectors import (
    PlanRow,
    case_board,
    case_list,
    demand_report,
    plan_summary,
    request_list,
    subscription_list,
)
from samdrift.operations.selectors import yearly_availability
from samdrift.operations.surveys import yearly_nki
from samdrift.operations.yearly import OperationsYear, operations_year
from samdrift.organisations.choices import PROVIDER_ROLES, OrganisationKind
from samdrift.organisations.selectors import (
    member_list,
    organisation_get,
    provider_agencies,
    visible_organisations,
)
from samdrift.security.yearly import SecurityYear, security_year

from .dsam import EvaluationLine, dsam_section
from .economy import Outcome, outcome_for
from .goals import GoalRow, goals_for
from .models import FIRST_REPORT_YEAR, LAST_REPORT_YEAR, ReportDecision, ReportText
from .permissions import report_abilities
from .programme import ContinuitySection, continuity_section
from .sitssam import SitssamSection, sitssam_section

if TYPE_CHECKING:
    from samdrift.catalogue.models import Service

EFOS_CODE = "EFOS"
SCOPES: tuple[str, ...] = (Scope.SINGLE, Scope.TOTAL)


def check_year(year: object) -> int:
    """The report year as an int, or a bilingual 422 naming the allowed range."""
    try:
        value = int(str(year))
    except (TypeError, ValueError):
        value = -1
    if not FIRST_REPORT_YEAR <= value <= LAST_REPORT_YEAR:
        # The bounds are written out so the lazy message renders in both languages (API, CLI).
        raise ValidationFailed(
            _("The year must be a number from 2017 to 2100."),
            errors={"year": [str(_("Not a report year."))]},
        )
    return value


def _require_view(actor: Actor) -> None:
    if not report_abilities(actor=actor)["view"]:
        raise NotFound(_("No such report."))


# --- the prose --------------------------------------------------------------------------------


def report_text_get(*, actor: Actor, year: int) -> ReportText | None:
    _require_view(actor)
    return ReportText.objects.filter(year=check_year(year)).first()


def report_years(*, actor: Actor) -> list[int]:
    """Years with written prose, plus the year just ended and the current one."""
    _require_view(actor)
    this_year = timezone.localdate().year
    years = set(ReportText.objects.values_list("year", flat=True)) | {this_year - 1, this_year}
    return sorted(years, reverse=True)


@dataclass(frozen=True)
class Prose:
    """One editable text in one language. `lang` is the language it is really written in (an
    untranslated English text falls back to Swedish and says so with `lang`)."""

    text: str
    lang: str
    missing: bool = False

    @property
    def paragraphs(self) -> list[str]:
        return [
            part.strip() for part in self.text.replace("\r\n", "\n").split("\n\n") if part.strip()
        ]


def _prose(row: ReportText | None, part: str, language: str) -> Prose:
    if row is None:
        return Prose("", language, missing=True)
    own = str(getattr(row, f"{part}_{language}", ""))
    if own.strip():
        return Prose(own, language)
    swedish = str(getattr(row, f"{part}_sv"))
    if swedish.strip():
        return Prose(swedish, "sv")
    return Prose("", language, missing=True)


# --- current connections ----------------------------------------------------------------------


@dataclass(frozen=True)
class CaseEntry:
    agency: str
    scope: str
    completed: bool


@dataclass(frozen=True)
class ConnectionsSection:
    """The source report's figure: which agency is in which phase, for which scope."""

    counts: dict[tuple[str, str], int]
    entries: dict[str, list[CaseEntry]]
    total: int

    def count(self, phase: str, scope: str) -> int:
        return self.counts.get((phase, scope), 0)

    def phase_total(self, phase: str) -> int:
        return sum(self.count(phase, scope) for scope in SCOPES)

    def scope_total(self, scope: str) -> int:
        return sum(self.count(phase, scope) for phase in PHASE_ORDER)

    @property
    def single_total(self) -> int:
        return self.scope_total(Scope.SINGLE)

    @property
    def total_total(self) -> int:
        return self.scope_total(Scope.TOTAL)


def _connections(actor: Actor) -> ConnectionsSection:
    counts = case_board(actor=actor)
    entries: dict[str, list[CaseEntry]] = {phase: [] for phase in PHASE_ORDER}
    # Only four columns per case: no model instances, no prefetch of services (5,000 cases at
    # national scale took 3.3 s as objects, well under a second as tuples).
    rows = (
        case_list(actor=actor)
        .prefetch_related(None)
        .exclude(state=CaseState.CANCELLED)
        .order_by("organisation__name", "id")
        .values_list("organisation__name", "phase", "scope", "state")
    )
    for name, phase, scope, state in rows:
        entries.setdefault(phase, []).append(CaseEntry(name, scope, state == CaseState.COMPLETED))
    return ConnectionsSection(counts=counts, entries=entries, total=sum(counts.values()))


# --- the service table ------------------------------------------------------------------------


@dataclass(frozen=True)
class Umbrella:
    """An agency counted once in the table that formally is `members` agencies (footnote 2)."""

    name: str
    members: int


@dataclass(frozen=True)
class ServiceRow:
    service: Service
    requested: int
    connected: int
    connected_legal: int
    umbrellas: list[Umbrella] = field(default_factory=list)

    @property
    def has_umbrella_note(self) -> bool:
        return bool(self.umbrellas)


@dataclass(frozen=True)
class ServiceTable:
    basis: str
    legal_agency_total: int
    rows: list[ServiceRow]

    @property
    def umbrella_rows(self) -> list[ServiceRow]:
        return [row for row in self.rows if row.umbrellas]

    @property
    def max_value(self) -> int:
        return max([1, *(max(row.requested, row.connected) for row in self.rows)])


def _active_at(start: datetime.date, end: datetime.date | None, day: datetime.date) -> bool:
    return start <= day and (end is None or end > day)


def _service_table(
    actor: Actor, year: int, hierarchy: Hierarchy, names: dict[int, str]
) -> ServiceTable:
    demand = demand_report(actor=actor, year=year, basis=AgreementBasis.ASSIGNMENT)
    year_end = datetime.date(year, 12, 31)
    umbrellas_by_service: dict[int, dict[int, Umbrella]] = {}
    subscriptions = subscription_list(
        actor=actor, basis=AgreementBasis.ASSIGNMENT, active_only=False
    )
    for sub in subscriptions:
        if not _active_at(sub.start_date, sub.end_date, year_end):
            continue
        root_id = hierarchy.root(sub.organisation_id)
        members = len(hierarchy.legal_units(root_id))
        if members > 1:
            found = umbrellas_by_service.setdefault(sub.service_id, {})
            if root_id not in found:
                found[root_id] = Umbrella(names.get(root_id, sub.organisation.name), members)
    rows = [
        ServiceRow(
            service=row.service,
            requested=row.requested,
            connected=row.connected,
            connected_legal=row.connected_legal,
            umbrellas=sorted(
                umbrellas_by_service.get(row.service.id, {}).values(), key=lambda u: u.name
            ),
        )
        for row in demand.rows
    ]
    return ServiceTable(
        basis=str(AgreementBasis.ASSIGNMENT),
        legal_agency_total=demand.legal_agency_total,
        rows=rows,
    )


def _org_names(actor: Actor) -> dict[int, str]:
    """Every visible agency's name in one query (umbrella names for footnote 2 and EFOS)."""
    return dict(visible_organisations(actor).values_list("id", "name"))


# --- EFOS -------------------------------------------------------------------------------------


@dataclass(frozen=True)
class EfosSection:
    offered: bool
    consumers: list[str]
    planned_year: int
    planned: list[str]


def _efos(actor: Actor, year: int, hierarchy: Hierarchy, names: dict[int, str]) -> EfosSection:
    """Consumers at the end of the year, on any agreement basis, each umbrella named once (as the
    source report lists Domstolsverket, not its courts); planned = requests for the next year."""
    year_end = datetime.date(year, 12, 31)
    consumer_ids: dict[int, str] = {}
    offered = False
    for sub in subscription_list(actor=actor, service_code=EFOS_CODE, active_only=False):
        offered = True
        if _active_at(sub.start_date, sub.end_date, year_end):
            root_id = hierarchy.root(sub.organisation_id)
            consumer_ids.setdefault(root_id, names.get(root_id, sub.organisation.name))
    planned_names: set[str] = set()
    for request in request_list(actor=actor, service_code=EFOS_CODE, year=year + 1):
        offered = True
        if request.status in (RequestStatus.WITHDRAWN, RequestStatus.DECLINED):
            continue
        if hierarchy.root(request.organisation_id) not in consumer_ids:
            planned_names.add(request.organisation.name)
    return EfosSection(
        offered=offered,
        consumers=sorted(consumer_ids.values(), key=str.casefold),
        planned_year=year + 1,
        planned=sorted(planned_names, key=str.casefold),
    )


# --- coverage of preparedness agencies (indicator 2) -------------------------------------------


@dataclass(frozen=True)
class PreparednessRow:
    service: Service
    connected: int
    share_pct: Decimal


@dataclass(frozen=True)
class PreparednessCoverage:
    """Per service: how many of the register's preparedness agencies are connected at year end."""

    total: int
    rows: list[PreparednessRow]

    def for_service(self, service_id: int) -> PreparednessRow | None:
        return next((row for row in self.rows if row.service.id == service_id), None)


def preparedness_coverage(
    *, actor: Actor, year: int, basis: str | None = None, services: list[Service] | None = None
) -> PreparednessCoverage:
    """Statskontoret's indicator 2 (ADR 0511): a preparedness agency counts as connected to a
    service when it, or an umbrella above it, is connected at the end of the year (the county
    boards through Länsstyrelserna; Domstolsverket itself, not its courts). Services are the
    demand report's (pass them when you have them), so both indicators cover the same rows."""
    year_end = datetime.date(year, 12, 31)
    hierarchy = Hierarchy.load()
    flagged = set(
        visible_organisations(actor).filter(preparedness=True).values_list("id", flat=True)
    )
    connected: dict[int, set[int]] = {}
    for sub in subscription_list(actor=actor, basis=basis or "", active_only=False):
        if _active_at(sub.start_date, sub.end_date, year_end):
            connected.setdefault(sub.service_id, set()).add(sub.organisation_id)
    if services is None:
        services = [row.service for row in demand_report(actor=actor, year=year, basis=basis).rows]
    rows = []
    for service in services:
        orgs = connected.get(service.id, set())
        count = sum(1 for org_id in flagged if _self_or_ancestor_in(hierarchy, org_id, orgs))
        share = (
            (Decimal(100 * count) / len(flagged)).quantize(Decimal("0.1"), ROUND_HALF_UP)
            if flagged
            else Decimal(0)
        )
        rows.append(PreparednessRow(service, count, share))
    return PreparednessCoverage(total=len(flagged), rows=rows)


def _self_or_ancestor_in(hierarchy: Hierarchy, org_id: int, org_ids: set[int]) -> bool:
    seen: set[int] = set()
    current: int | None = org_id
    while current is not None and current not in seen:
        if current in org_ids:
            return True
        seen.add(current)
        current = hierarchy.parent_of.get(current)
    return False


# --- Statskontoret's seven indicators ---------------------------------------------------------


@dataclass(frozen=True)
class CoverageRow:
    service: Service
    connected_legal: int
    share_pct: Decimal
    preparedness_connected: int = 0
    preparedness_pct: Decimal = Decimal(0)


@dataclass(frozen=True)
class Indicator:
    """One of Statskontoret's indicators; `value` None means the data does not exist (yet)."""

    number: int
    title: str
    value: str | None
    source: str
    coverage: list[CoverageRow] = field(default_factory=list)
    total: int = 0  # the agencies a share is taken of (indicators 1 and 2)


def _indicators(actor: Actor, year: int, outcome: Outcome) -> list[Indicator]:
    all_bases = demand_report(actor=actor, year=year, basis=None)
    preparedness = preparedness_coverage(
        actor=actor, year=year, basis=None, services=[row.service for row in all_bases.rows]
    )
    coverage = []
    for row in all_bases.rows:
        ready = preparedness.for_service(row.service.id)
        coverage.append(
            CoverageRow(
                row.service,
                row.connected_legal,
                row.coverage_pct,
                ready.connected if ready else 0,
                ready.share_pct if ready else Decimal(0),
            )
        )
    if preparedness.total:
        preparedness_value: str | None = str(
            _("See table 6: %(n)d services, %(total)d preparedness agencies")
        ) % {"n": len(coverage), "total": preparedness.total}
        preparedness_source = _(
            "Preparedness agencies marked in the register from the annex to förordning "
            "(2022:524); subscriptions on every agreement basis at the end of the year"
        )
    else:
        preparedness_value = None
        preparedness_source = _("The agency register marks no preparedness agencies.")
    units, unit_cost, fee_change = (
        outcome.units_text(),
        outcome.unit_cost_text(),
        outcome.fee_change_text(),
    )
    if not outcome.available:
        usage_source = cost_source = price_source = _("Your role does not include billing figures.")
    else:
        usage_source = (
            _("Usage measured in billing") if units else _("No usage measurements for the year.")
        )
        cost_source = (
            _("Cost in the fee base divided by the units measured")
            if unit_cost
            else _("No cost per unit for the year.")
        )
        price_source = (
            _("Decided unit prices on 1 July, against the year before")
            if fee_change
            else _("No decided prices for both years.")
        )
    return [
        Indicator(
            1,
            str(_("Share of state agencies connected to each service")),
            str(_("See table 6: %(n)d services, %(total)d state agencies"))
            % {"n": len(coverage), "total": all_bases.legal_agency_total},
            str(_("Subscriptions on every agreement basis at the end of the year")),
            coverage,
            all_bases.legal_agency_total,
        ),
        Indicator(
            2,
            str(_("Share of preparedness agencies connected")),
            preparedness_value,
            str(preparedness_source),
            total=preparedness.total,
        ),
        Indicator(
            3, str(_("Number of units per service (users, terabytes)")), units, str(usage_source)
        ),
        Indicator(4, str(_("Average cost per unit")), unit_cost, str(cost_source)),
        Indicator(
            5,
            str(_("Change of the charged fee from the previous year (%)")),
            fee_change,
            str(price_source),
        ),
        _availability_indicator(actor, year),
        _satisfaction_indicator(actor, year),
    ]


def _satisfaction_indicator(actor: Actor, year: int) -> Indicator:
    """Indicator 7 from operations' NKI surveys (ADR 0843); "no data" while nobody answered."""
    title = str(_("Connected agencies' average customer satisfaction (NKI)"))
    measured = yearly_nki(actor=actor, year=year)
    if measured is None:
        return Indicator(7, title, None, str(_("No customer satisfaction survey is recorded.")))
    value = f"{measured.index:.1f}".replace(".", "," if get_language() == "sv" else ".")
    source = str(
        _("NKI (0–100) over %(answers)d agencies' answers to the surveys of %(services)d services")
    ) % {"answers": measured.answers, "services": measured.services}
    return Indicator(7, title, value, source)


def _availability_indicator(actor: Actor, year: int) -> Indicator:
    """Indicator 6 from operations' outage records (ADR 0830); "no data" while none is recorded
    for the year."""
    title = str(_("Average share of agreed opening hours the main function was available"))
    measured = yearly_availability(actor=actor, year=year)
    if measured is None:
        return Indicator(6, title, None, str(_("No availability measurements are recorded.")))
    value = f"{measured.percent:.2f} %".replace(".", "," if get_language() == "sv" else ".")
    source = str(
        _(
            "Mean over %(n)d services of the share of agreed hours (less approved maintenance) "
            "without an outage of the main function; %(outages)d outages recorded"
        )
    ) % {"n": measured.services, "outages": measured.outages}
    return Indicator(6, title, value, source)


# --- the decision block ----------------------------------------------------------------------


def _full_name(user: object) -> str:
    return str(user.get_full_name() or user.get_username())  # type: ignore[attr-defined]


@dataclass(frozen=True)
class DecisionBlock:
    reference: str
    decided_on: datetime.date
    decided_by_id: int
    decided_by: str
    presented_by_id: int
    presented_by: str


def decision_get(*, actor: Actor, year: int) -> DecisionBlock | None:
    _require_view(actor)
    row = (
        ReportDecision.objects.select_related("decided_by", "presented_by")
        .filter(year=check_year(year))
        .first()
    )
    if row is None:
        return None
    return DecisionBlock(
        row.reference, row.decided_on, row.decided_by_id, _full_name(row.decided_by),
        row.presented_by_id, _full_name(row.presented_by),
    )  # fmt: skip


@dataclass(frozen=True)
class SignatureBlock:
    """The deciding official's PAdES signature of the report (ADR 0516)."""

    signed_by: str
    signed_at: datetime.datetime
    level: str
    signed_sha256: str
    document_sha256: str


def report_signature(*, actor: Actor, year: int) -> SignatureBlock | None:
    """The signature that seals one year's report, if the deciding official has signed it."""
    _require_view(actor)
    signature = _signature_row(check_year(year))
    if signature is None:
        return None
    official = signature.official
    return SignatureBlock(
        f"{official.given_name} {official.surname}", signature.signed_at, signature.level,
        signature.signed_sha256, signature.document_sha256,
    )  # fmt: skip


def signed_report_pdf(*, actor: Actor, year: int) -> bytes:
    """The signed PDF of a sealed report, for everyone who may read the report (404 if unsigned)."""
    _require_view(actor)
    signature = _signature_row(check_year(year))
    if signature is None:
        raise NotFound(_("The report has not been signed."))
    return bytes(signature.signed_pdf)


def is_sealed(year: int) -> bool:
    """Whether the report of `year` is signed by its deciding official (nothing may change)."""
    return _signature_row(year) is not None


def _signature_row(year: int) -> Any:
    row = ReportDecision.objects.filter(year=year).first()
    if row is None or row.signing_document_id is None:
        return None
    return signature_by_user(document_id=row.signing_document_id, user_id=row.decided_by_id)


def provider_ids_for(actor: Actor) -> set[int]:
    """The provider agencies whose staff may decide or present the actor's report."""
    if actor.provider_org_ids:
        return set(actor.provider_org_ids)
    if actor.sees_everything:
        return set(provider_agencies().values_list("id", flat=True))
    return set()


def decision_officials(*, actor: Actor) -> list[tuple[int, str]]:
    """(user id, name) of the provider agency's staff, each once, by name: who may be chosen
    as deciding or presenting official."""
    _require_view(actor)
    found: dict[int, str] = {}
    for org_id in sorted(provider_ids_for(actor)):
        try:
            members = member_list(
                actor=actor, organisation=organisation_get(actor=actor, org_id=org_id)
            )
        except (PermissionDenied, NotFound):
            continue
        for membership in members:
            if membership.role in PROVIDER_ROLES:
                found[membership.user_id] = _full_name(membership.user)
    return sorted(found.items(), key=lambda pair: pair[1].casefold())


# --- the whole report -------------------------------------------------------------------------


@dataclass(frozen=True)
class GovernmentReport:
    year: int
    language: str
    generated_at: datetime.datetime
    provider_name: str
    summary: Prose
    background: Prose
    text_version: int | None
    connections: ConnectionsSection
    services: ServiceTable
    efos: EfosSection
    # Requests planned for connection in the year against what happened (ADR 0096).
    plans: list[PlanRow]
    economy: Outcome
    indicators: list[Indicator]
    # Program 2032 sites, the redundancy check, site losses and restore drills (ADR 0513).
    continuity: ContinuitySection | None = None
    # Who decided and presented the report, when, and the government's reference (ADR 0514).
    decision: DecisionBlock | None = None
    # The assignment's targets (goals.json) against onboarding's figures (ADR 0515).
    goals: list[GoalRow] = field(default_factory=list)
    goals_problem: str = ""
    # Published DSAM evaluations of shared solutions (ADR 0965).
    dsam: list[EvaluationLine] = field(default_factory=list)
    # The cooperating provider agencies and the year's steering group decisions (ADR 0973).
    sitssam: SitssamSection = field(default_factory=SitssamSection)
    # Vulnerability management of the provider's components over the year (ADR 0966).
    security: SecurityYear | None = None
    # Incidents, availability per service and capacity peaks over the year (ADR 0847).
    operations: OperationsYear | None = None

    @property
    def phases(self) -> tuple[str, ...]:
        return PHASE_ORDER

    @property
    def scopes(self) -> tuple[str, ...]:
        return SCOPES


def government_report(*, actor: Actor, year: int, language: str = "sv") -> GovernmentReport:
    """The report for `year` as it stands now. Provider staff only (404 for everyone else)."""
    _require_view(actor)
    year = check_year(year)
    language = "en" if language == "en" else "sv"
    text = ReportText.objects.filter(year=year).first()
    hierarchy = Hierarchy.load()
    names = _org_names(actor)
    provider = (
        visible_organisations(actor).filter(kind=OrganisationKind.PROVIDER).order_by("id").first()
    )
    outcome = outcome_for(actor=actor, year=year)
    return GovernmentReport(
        year=year,
        language=language,
        generated_at=timezone.localtime(),
        provider_name=provider.name if provider else "",
        summary=_prose(text, "summary", language),
        background=_prose(text, "background", language),
        text_version=text.version if text else None,
        connections=_connections(actor),
        services=_service_table(actor, year, hierarchy, names),
        efos=_efos(actor, year, hierarchy, names),
        plans=plan_summary(actor=actor, year=year, today=timezone.localdate()),
        economy=outcome,
        indicators=_indicators(actor, year, outcome),
        continuity=_continuity(actor, year, language),
        decision=decision_get(actor=actor, year=year),
        dsam=dsam_section(actor=actor, year=year),
        sitssam=_sitssam(actor, year, language),
        security=security_year(actor=actor, year=year),
        operations=_operations(actor, year, language),
        **_goals(actor, year, language),
    )


def _sitssam(actor: Actor, year: int, language: str) -> SitssamSection:
    with translation.override(language):  # the steering groups' names
        return sitssam_section(actor=actor, year=year, language=language)


def _operations(actor: Actor, year: int, language: str) -> OperationsYear:
    with translation.override(language):
        return operations_year(actor=actor, year=year, language=language)


def _goals(actor: Actor, year: int, language: str) -> dict[str, Any]:
    """The year's goal rows; a broken goals file is shown as its error, not as no goals."""
    with translation.override(language):
        try:
            return {"goals": goals_for(actor=actor, year=year)}
        except ValidationFailed as exc:
            return {"goals": [], "goals_problem": str(exc)}


def _continuity(actor: Actor, year: int, language: str) -> ContinuitySection | None:
    """None for a provider role that does not see the sites (continuity's own rule, ADR 0913)."""
    with translation.override(language):
        try:
            return continuity_section(actor=actor, year=year)
        except NotFound:
            return None
