"""`samdrift demo --scale national`: the whole state's officials, years of cases, lots of demand.

On top of the 2021 demo this adds, by default, 270,000 officials (users with one membership each,
spread over the customer agencies in proportion to their number of employees), 5,000 connection
cases with their full history (phase periods, checklists, security sign-offs, events, services,
subscriptions for the cases that reached Köra) and 20,000 service requests, dated 2019–2026.

Why it writes rows the way it does: building 600,000+ model instances and saving them through the
ORM takes minutes; the rows are built as plain tuples in memory instead and written with
`executemany` in batches (COPY on PostgreSQL), inside one transaction, with ids assigned here so
that the rows can point at each other without reading anything back. Every column the loader does not set gets the model
field's own default, so a field added later with a default does not break the loader (one without
a default stops it with a clear message). On PostgreSQL the id sequences are moved past the new
rows afterwards.

Why the 2021 report stays exact: the demand report for 2021 counts every non-withdrawn request
dated on or before 31 Dec 2021 and every subscription on the assignment basis that started by
then. So (1) a national case that reaches Köra before 2022 is on a separate commitment, never on
the assignment (before the report the assignment covered only the report's own 19 cases); (2) a
national request dated before 2022 either repeats an agency's request the 2021 demo already counts
for that service, or is withdrawn; cases opened before 2022 get no requests of their own. The
report is computed before and after the load, and any difference rolls the whole load back.

Re-running refuses: the load writes one audit record, `demo.national_loaded`, with its counts, in
the same transaction as the rows; when that record exists nothing more is added.
"""

from __future__ import annotations

import datetime
import math
import random
import secrets
import time
from collections import defaultdict
from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass
from typing import Any, Protocol

from django.core.management.color import no_style
from django.db import connection, models, transaction
from django.db.models import Max
from django.utils import timezone

from samdrift.accounts.models import User
from samdrift.audit.models import AuditEvent
from samdrift.audit.services import audit_record
from samdrift.catalogue.models import Service
from samdrift.core.actor import SYSTEM
from samdrift.onboarding.choices import (
    PHASE_ORDER,
    AgreementBasis,
    CaseEventKind,
    CaseState,
    Phase,
    RequestStatus,
    Scope,
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

ACTION = "demo.national_loaded"
OFFICIALS = 270_000
CASES = 5_000
REQUESTS = 20_000
# Agencies whose head count the register does not give (the courts, small boards) get this many.
DEFAULT_EMPLOYEES = 25
BATCH = 5_000
FIRST_DAY = datetime.date(2019, 1, 1)
LAST_DAY = datetime.date(2026, 11, 27)
REPORT_YEAR_END = datetime.date(2021, 12, 31)
PHASES: tuple[str, ...] = tuple(str(phase) for phase in PHASE_ORDER)
REQUESTED, DECLINED, WITHDRAWN, CONNECTED = (
    RequestStatus.REQUESTED.value,
    RequestStatus.DECLINED.value,
    RequestStatus.WITHDRAWN.value,
    RequestStatus.CONNECTED.value,
)
ASSIGNMENT_FROM = datetime.date(2022, 1, 1)


def _words(text: str) -> tuple[str, ...]:
    return tuple(text.split())


FIRST_NAMES_F = _words(
    "Anna Eva Maria Karin Sara Lena Kerstin Emma Ingrid Malin Linnéa Elin Sofia Johanna Hanna "
    "Ida Julia Frida Camilla Helena Åsa Annika Maja Ebba Agnes Märta Sigrid Astrid Ylva Moa"
)
FIRST_NAMES_M = _words(
    "Lars Erik Anders Johan Per Karl Nils Mikael Jan Hans Peter Olof Gustav Fredrik Daniel "
    "Magnus Oskar Axel Viktor Jonas Mattias Henrik Björn Göran Stefan Emil Hugo Linus Åke Sven"
)
LAST_NAMES = _words(
    "Andersson Johansson Karlsson Nilsson Eriksson Larsson Olsson Persson Svensson Gustafsson "
    "Pettersson Jonsson Jansson Hansson Bengtsson Jönsson Lindberg Jakobsson Magnusson Lindström "
    "Olofsson Lindqvist Lindgren Berg Axelsson Bergström Lundberg Lind Lundgren Lundqvist Mattsson "
    "Berglund Fredriksson Sandberg Henriksson Forsberg Sjöberg Wallin Engström Danielsson Håkansson "
    "Eklund Lundin Gunnarsson Björk Holm Samuelsson Fransson Wikström Isaksson Bergman Nyström "
    "Holmberg Arvidsson Löfgren Söderberg Nyberg Blomqvist Claesson Nordström Mårtensson Lundström "
    "Ali Mohammed Ahmed Hassan Nguyen Kowalski Virtanen Nieminen Yilmaz Haddad"
)
ASCII = str.maketrans("åäöéüÅÄÖÉÜ", "aaoeuAAOEU")

# Single-service cases ask for these services this often (EFOS and the workplace lead demand).
SERVICE_WEIGHTS = {
    "EFOS": 10,
    "ITARB": 8,
    "SAFOS": 8,
    "WEBBANALYS": 5,
    "OBJLAG": 3,
    "UTSKICK": 3,
    "CAP": 3,
    "WEBB": 3,
    "APPDRIFT": 2,
}
# Days a phase usually takes (min, max); one case in ten stalls and takes four times as long.
PHASE_DAYS = {"initiate": (10, 60), "plan": (20, 90), "package": (20, 120), "run": (30, 120)}
CANCEL_PER_PHASE = 0.06
CANCEL_REASONS = (
    "Myndigheten prioriterar om sina resurser",
    "Behovet täcks av en annan lösning",
    "Ingen finansiering i år",
    "Ersatt av ett totalåtagande",
)


class Writer(Protocol):
    """Where progress goes: a management command's stdout, or any text stream."""

    def write(self, msg: str, /) -> object: ...


class NationalLoadError(RuntimeError):
    """The national scale cannot be loaded on this database (no foundation demo, or it would
    change the 2021 report)."""


class _Table:
    """Rows for one table, as tuples in `columns` order, written with executemany in batches.

    Columns the loader leaves out get the model field's default once (an auto-increment primary
    key is left to the database), so the loader keeps working when a field with a default is
    added to the model.
    """

    def __init__(self, model: type[models.Model], columns: Sequence[str]) -> None:
        opts = model._meta
        given = set(columns)
        by_attname = {f.attname: f for f in opts.concrete_fields}
        names = [str(by_attname[name].column) for name in columns]
        now = timezone.now()
        fill = []
        for model_field in opts.concrete_fields:
            if model_field.attname in given or model_field.has_db_default():
                continue
            if model_field.primary_key and isinstance(
                model_field, (models.AutoField, models.BigAutoField, models.SmallAutoField)
            ):
                continue
            if getattr(model_field, "auto_now", False) or getattr(
                model_field, "auto_now_add", False
            ):
                value: Any = now
            elif model_field.has_default():
                value = model_field.get_default()
            elif model_field.null:
                value = None
            else:
                raise NationalLoadError(
                    f"{opts.label}.{model_field.name} has no default: the national loader must "
                    "set it (samdrift/demo/national.py)"
                )
            names.append(str(model_field.column))
            fill.append(model_field.get_db_prep_save(value, connection))
        self.fill = tuple(fill)
        self.rows: list[tuple[Any, ...]] = []
        quote = connection.ops.quote_name
        # Identifiers come from the model and are quoted; values go as parameters.
        target = f"{quote(opts.db_table)} ({', '.join(quote(n) for n in names)})"
        self.sql = f"INSERT INTO {target} VALUES ({', '.join(['%s'] * len(names))})"  # noqa: S608
        self.copy_sql = f"COPY {target} FROM STDIN"

    def add(self, *values: Any) -> None:
        self.rows.append(values + self.fill)

    def write(self) -> int:
        """SQLite: executemany in batches. PostgreSQL: COPY, one round trip instead of one per
        row (executemany there took minutes for the 600,000 rows)."""
        with connection.cursor() as cursor:
            raw = cursor.cursor
            if connection.vendor == "postgresql" and hasattr(raw, "copy"):
                with raw.copy(self.copy_sql) as copy:
                    for row in self.rows:
                        copy.write_row(row)
            else:
                for start in range(0, len(self.rows), BATCH):
                    cursor.executemany(self.sql, self.rows[start : start + BATCH])
        return len(self.rows)


class _Ids:
    """Hands out primary keys after the highest one in the table."""

    def __init__(self, model: type[models.Model]) -> None:
        self.next = (model._default_manager.aggregate(top=Max("pk"))["top"] or 0) + 1

    def take(self) -> int:
        value = self.next
        self.next += 1
        return value


class _Clock:
    """Database-ready date and time values, computed once per day and hour (they repeat a lot)."""

    def __init__(self) -> None:
        self.zone = timezone.get_current_timezone()
        self._at: dict[tuple[datetime.date, int], Any] = {}

    def at(self, day: datetime.date, hour: int = 10) -> Any:
        key = (day, hour)
        value = self._at.get(key)
        if value is None:
            moment = datetime.datetime.combine(day, datetime.time(hour), tzinfo=self.zone)
            value = self._at[key] = connection.ops.adapt_datetimefield_value(moment)
        return value

    @staticmethod
    def day(value: datetime.date) -> Any:
        return connection.ops.adapt_datefield_value(value)


def _already_loaded() -> AuditEvent | None:
    return AuditEvent.objects.filter(action=ACTION).order_by("id").first()


def _report_2021() -> list[tuple[Any, ...]]:
    report = demand_report(actor=SYSTEM, year=2021, basis="assignment")
    return [
        (
            row.service.code,
            row.requested,
            row.connected,
            row.requested_legal,
            row.connected_legal,
            row.coverage_pct,
        )
        for row in report.rows
    ]


def _lock() -> None:
    """Two loaders at once: the second waits and then finds the first one's audit record.

    SQLite takes the write lock at BEGIN (transaction_mode IMMEDIATE); PostgreSQL needs a lock.
    """
    if connection.vendor == "postgresql":
        with connection.cursor() as cursor:
            cursor.execute("SELECT pg_advisory_xact_lock(%s)", [0x5A4D_4E41])


@contextmanager
def _big_page_cache() -> Iterator[None]:
    """SQLite: a page cache large enough for the whole load.

    With the default 2 MB the transaction spills index pages to the WAL over and over (the
    usernames arrive in random order); 256 MB keeps them in memory until the commit.
    """
    if connection.vendor != "sqlite":
        yield
        return
    with connection.cursor() as cursor:
        cursor.execute("PRAGMA cache_size")
        previous = cursor.fetchone()[0]
        cursor.execute("PRAGMA cache_size = -262144")
    try:
        yield
    finally:
        with connection.cursor() as cursor:
            cursor.execute(f"PRAGMA cache_size = {int(previous)}")


def load_national(
    *,
    stdout: Writer,
    officials: int = OFFICIALS,
    cases: int = CASES,
    requests: int = REQUESTS,
    seed: int = 2026,
) -> dict[str, int]:
    """Add the national scale to a database that holds the 2021 demo. Returns what it added."""
    started = timezone.now()
    with _big_page_cache(), transaction.atomic():
        _lock()
        loaded = _already_loaded()
        if loaded is not None:
            when = f"{timezone.localtime(loaded.at):%Y-%m-%d %H:%M}"
            stdout.write(
                f"Nationell skala är redan inläst ({when}); inget lades till. / "
                f"The national scale is already loaded ({when}); nothing was added."
            )
            return {"officials": 0, "cases": 0, "requests": 0, "subscriptions": 0}
        before = _report_2021()
        rng = random.Random(seed)  # noqa: S311 - reproducible demo data, not a secret
        loader = _Loader(rng, min(LAST_DAY, timezone.localdate()))
        counts = loader.load(officials=officials, cases=cases, requests=requests)
        after = _report_2021()
        if after != before:
            raise NationalLoadError(
                f"the national data would change the 2021 demand report: {before} → {after}"
            )
        audit_record(
            actor=SYSTEM,
            action=ACTION,
            object_type="demo",
            object_id="national",
            after={**counts, "seed": seed},
        )
    seconds = (timezone.now() - started).total_seconds()
    steps = ", ".join(f"{step} {value:.1f} s" for step, value in loader.timings.items())
    stdout.write(f"National scale loaded in {seconds:.1f} s ({steps}).")
    return {
        "officials": counts["officials"],
        "cases": counts["cases"],
        "requests": counts["requests"],
        "subscriptions": counts["subscriptions"],
    }


def largest_remainder(total: int, weights: Sequence[float]) -> list[int]:
    """Split `total` in proportion to `weights` into whole numbers that add up to `total`."""
    whole = sum(weights)
    if total <= 0 or not weights or whole <= 0:
        return [0] * len(weights)
    exact = [total * w / whole for w in weights]
    shares = [math.floor(x) for x in exact]
    order = sorted(range(len(weights)), key=lambda i: (shares[i] - exact[i], i))
    for i in order[: total - sum(shares)]:
        shares[i] += 1
    return shares


@dataclass
class _Case:
    id: int
    org_id: int
    scope: str
    codes: list[str]
    basis: str
    opened: datetime.date
    phase: str = PHASES[0]
    state: str = CaseState.OPEN.value
    closed: datetime.date | None = None
    run_from: datetime.date | None = None


class _Loader:
    def __init__(self, rng: random.Random, until: datetime.date) -> None:
        self.rng = rng
        self.until = until
        self.clock = _Clock()
        self.timings: dict[str, float] = {}
        self.services = {s.code: s.id for s in Service.objects.exclude(lifecycle="draft")}
        self.total_codes = list(
            Service.objects.filter(in_total_commitment=True, lifecycle="active")
            .order_by("display_order")
            .values_list("code", flat=True)
        )
        self.checklists: dict[str, list[tuple[int, str, str]]] = defaultdict(list)
        for phase, position, text_sv, text_en in ChecklistTemplateItem.objects.filter(
            active=True
        ).values_list("phase", "position", "text_sv", "text_en"):
            self.checklists[phase].append((position, text_sv, text_en))
        self.managers = self._provider_staff("account_manager")
        self.security = self._provider_staff("security")
        if not self.services or not self.managers or not self.security:
            raise NationalLoadError(
                "Load the 2021 demo first (samdrift demo): the national scale builds on its "
                "services and provider staff."
            )
        self.agencies = list(
            Organisation.objects.filter(kind="customer", is_group=False)
            .order_by("id")
            .values_list("id", "name", "employees")
        )

    def _provider_staff(self, role: str) -> list[int]:
        return list(
            Membership.objects.filter(role=role, organisation__kind="provider")
            .order_by("user_id")
            .values_list("user_id", flat=True)
        )

    def _day_between(self, first: datetime.date, last: datetime.date) -> datetime.date:
        return first + datetime.timedelta(days=self.rng.randint(0, max(0, (last - first).days)))

    def _timed(self, step: str, started: float) -> None:
        now = time.perf_counter()
        self.timings[step] = round(now - started, 2)

    def load(self, *, officials: int, cases: int, requests: int) -> dict[str, int]:
        started = time.perf_counter()
        counts = {"officials": self._officials(officials)}
        self._timed("officials", started)
        started = time.perf_counter()
        built = self._cases(cases)
        counts.update(self._write_cases(built))
        self._timed("cases", started)
        started = time.perf_counter()
        counts["subscriptions"] = self._subscriptions(built)
        counts["requests"] = self._requests(built, requests)
        self._timed("subscriptions and requests", started)
        if connection.vendor == "postgresql":
            # Only these two tables got ids from the loader; the others' ids came from the database.
            with connection.cursor() as cursor:
                for sql in connection.ops.sequence_reset_sql(no_style(), [User, ConnectionCase]):
                    cursor.execute(sql)
        return counts

    # --- officials --------------------------------------------------------------------------

    def _officials(self, total: int) -> int:
        weights = [float(employees or DEFAULT_EMPLOYEES) for _id, _n, employees in self.agencies]
        quotas = largest_remainder(total, weights)
        taken = set(User.objects.values_list("username", flat=True))
        per_name: dict[str, int] = defaultdict(int)
        user_ids = _Ids(User)
        users = _Table(
            User,
            [
                "id",
                "password",
                "username",
                "first_name",
                "last_name",
                "email",
                "date_joined",
                "preferred_language",
            ],
        )
        memberships = _Table(
            Membership, ["user_id", "organisation_id", "role", "created_at", "updated_at"]
        )
        rng = self.rng
        span = (self.until - FIRST_DAY).days
        for (org_id, org_name, _employees), quota in zip(self.agencies, quotas, strict=True):
            domain = _domain(org_name)
            for index in range(quota):
                first = rng.choice(FIRST_NAMES_F if rng.random() < 0.52 else FIRST_NAMES_M)
                last = rng.choice(LAST_NAMES)
                base = f"{first}.{last}".lower().translate(ASCII)
                while True:
                    per_name[base] += 1
                    n = per_name[base]
                    username = base if n == 1 else f"{base}{n}"
                    if username not in taken:
                        break
                user_id = user_ids.take()
                joined = self.clock.at(FIRST_DAY + datetime.timedelta(days=rng.randint(0, span)), 9)
                # An unusable password ("!" prefix, as Django's set_unusable_password writes):
                # officials log in with their e-ID, never with a password.
                users.add(
                    user_id,
                    "!" + secrets.token_urlsafe(30),
                    username,
                    first,
                    last,
                    f"{username}@{domain}",
                    joined,
                    "en" if index % 20 == 19 else "sv",
                )
                # Each agency: a contact, an orderer, and one more of each per 400 officials.
                role = (
                    "contact" if index % 400 == 0 else "orderer" if index % 400 == 1 else "member"
                )
                memberships.add(user_id, org_id, role, joined, joined)
        users.write()
        memberships.write()
        return len(users.rows)

    # --- cases ------------------------------------------------------------------------------

    def _cases(self, total: int) -> list[_Case]:
        rng = self.rng
        weights = [math.sqrt(employees or DEFAULT_EMPLOYEES) for _i, _n, employees in self.agencies]
        org_cum = _cumulative(weights)
        codes = [code for code in SERVICE_WEIGHTS if code in self.services]
        code_cum = _cumulative([SERVICE_WEIGHTS[c] for c in codes])
        ids = _Ids(ConnectionCase)
        built = []
        for _ in range(total):
            org_id = rng.choices(self.agencies, cum_weights=org_cum)[0][0]
            if rng.random() < 0.2 and self.total_codes:
                scope, chosen = Scope.TOTAL.value, []
            else:
                wanted = 1 + (rng.random() < 0.35) + (rng.random() < 0.1)
                chosen = sorted(set(rng.choices(codes, cum_weights=code_cum, k=wanted)))
                scope = Scope.SINGLE.value
            opened = self._day_between(FIRST_DAY, self.until - datetime.timedelta(days=7))
            basis = (
                AgreementBasis.ASSIGNMENT.value
                if rng.random() < 0.8
                else AgreementBasis.SEPARATE.value
            )
            built.append(_Case(ids.take(), org_id, scope, chosen, basis, opened))
        return built

    def _write_cases(self, built: list[_Case]) -> dict[str, int]:
        clock = self.clock
        tables = _CaseTables()
        for case in built:
            for code in case.codes:
                tables.links.add(case.id, self.services[code])
            history = _History(self, case, tables)
            history.run()
            # Before 2022 the assignment covered only the report's own cases (see the docstring).
            if case.run_from is not None and case.run_from <= REPORT_YEAR_END:
                case.basis = AgreementBasis.SEPARATE.value
            tables.cases.add(
                case.id,
                case.org_id,
                case.scope,
                case.phase,
                case.state,
                case.basis,
                clock.day(case.opened),
                clock.day(case.closed) if case.closed else None,
                history.changes,
                clock.at(case.opened),
                clock.at(history.last_day, 16),
            )
        return tables.write()

    def _subscriptions(self, built: list[_Case]) -> int:
        """Cases that reached Köra connect the agency, as `connect_case_services` does: a service
        the agency already has an open subscription to is skipped. A few subscriptions end later
        (the agency left the service), which lets a later case connect it again."""
        rng = self.rng
        # Pairs the 2021 demo (or another app's demo) connected are left alone altogether.
        foreign = set(Subscription.objects.values_list("organisation_id", "service_id"))
        ends: dict[tuple[int, int], datetime.date | None] = {}
        subs = _Table(
            Subscription,
            [
                "organisation_id",
                "service_id",
                "start_date",
                "end_date",
                "agreement_basis",
                "case_id",
                "created_at",
                "updated_at",
            ],
        )
        reached = sorted(
            (case for case in built if case.run_from is not None),
            key=lambda case: (case.run_from, case.id),
        )
        for case in reached:
            start = case.run_from or case.opened  # always set: `reached` holds only those
            for code in case.codes if case.scope == Scope.SINGLE else self.total_codes:
                pair = (case.org_id, self.services[code])
                if pair in foreign:
                    continue
                if pair in ends:
                    previous_end = ends[pair]
                    if previous_end is None or previous_end >= start:
                        continue
                end = None
                if rng.random() < 0.06:
                    candidate = start + datetime.timedelta(days=rng.randint(180, 1500))
                    end = candidate if candidate < self.until else None
                ends[pair] = end
                subs.add(
                    pair[0],
                    pair[1],
                    self.clock.day(start),
                    self.clock.day(end) if end else None,
                    case.basis,
                    case.id,
                    self.clock.at(start),
                    self.clock.at(end or start),
                )
        return subs.write()

    # --- requests ---------------------------------------------------------------------------

    def _requests(self, built: list[_Case], total: int) -> int:
        rng = self.rng
        # What the 2021 report already counts as demand: pairs a national request may repeat.
        counted: dict[int, list[int]] = defaultdict(list)
        for org_id, service_id in (
            ServiceRequest.objects.filter(requested_on__lte=REPORT_YEAR_END)
            .exclude(status=RequestStatus.WITHDRAWN)
            .values_list("organisation_id", "service_id")
            .distinct()
            .order_by("service_id", "organisation_id")
        ):
            counted[service_id].append(org_id)
        rows: list[tuple[int, int, datetime.date, str, str]] = []
        status: str
        for case in built:
            if case.opened < ASSIGNMENT_FROM:
                continue  # the demand of those years is the report's own (see the docstring)
            for code in case.codes if case.scope == Scope.SINGLE else self.total_codes:
                asked = max(
                    ASSIGNMENT_FROM, case.opened - datetime.timedelta(days=rng.randint(5, 60))
                )
                if case.run_from is not None:
                    status = CONNECTED
                elif case.state == CaseState.CANCELLED:
                    status = WITHDRAWN if rng.random() < 0.5 else DECLINED
                else:
                    status = REQUESTED
                rows.append((case.org_id, self.services[code], asked, status, "Ärende"))
                if len(rows) == total:
                    break
            if len(rows) == total:
                break
        weights = [math.sqrt(employees or DEFAULT_EMPLOYEES) for _i, _n, employees in self.agencies]
        org_cum = _cumulative(weights)
        codes = [code for code in SERVICE_WEIGHTS if code in self.services]
        code_cum = _cumulative([SERVICE_WEIGHTS[c] for c in codes])
        a_year_ago = self.until - datetime.timedelta(days=365)
        while len(rows) < total:
            org_id = rng.choices(self.agencies, cum_weights=org_cum)[0][0]
            service_id = self.services[rng.choices(codes, cum_weights=code_cum)[0]]
            asked = self._day_between(FIRST_DAY, self.until)
            roll = rng.random()
            if asked < a_year_ago:
                status = REQUESTED if roll < 0.2 else DECLINED if roll < 0.5 else WITHDRAWN
            else:
                status = REQUESTED if roll < 0.75 else DECLINED if roll < 0.85 else WITHDRAWN
            if asked <= REPORT_YEAR_END and status != WITHDRAWN:
                if counted[service_id]:
                    org_id = rng.choice(counted[service_id])  # asks again: no new 2021 demand
                else:
                    status = WITHDRAWN
            rows.append((org_id, service_id, asked, status, ""))
        table = _Table(
            ServiceRequest,
            [
                "organisation_id",
                "service_id",
                "requested_on",
                "status",
                "note",
                "created_at",
                "updated_at",
            ],
        )
        for org_id, service_id, asked, status, note in rows:
            at = self.clock.at(asked)
            table.add(org_id, service_id, self.clock.day(asked), status, note, at, at)
        return table.write()


class _CaseTables:
    def __init__(self) -> None:
        self.cases = _Table(
            ConnectionCase,
            [
                "id",
                "organisation_id",
                "scope",
                "phase",
                "state",
                "agreement_basis",
                "opened_on",
                "closed_on",
                "version",
                "created_at",
                "updated_at",
            ],
        )
        self.links = _Table(ConnectionCase.services.through, ["connectioncase_id", "service_id"])
        self.periods = _Table(PhasePeriod, ["case_id", "phase", "entered_at", "left_at"])
        self.items = _Table(
            CaseChecklistItem,
            ["case_id", "phase", "position", "text_sv", "text_en", "done_at", "done_by_id"],
        )
        self.signoffs = _Table(
            PhaseSignOff, ["case_id", "phase", "signed_by_id", "signed_at", "comment"]
        )
        self.events = _Table(
            CaseEvent, ["case_id", "kind", "phase", "to_phase", "actor_id", "at", "detail"]
        )

    def write(self) -> dict[str, int]:
        return {
            "cases": self.cases.write(),
            "case_services": self.links.write(),
            "phase_periods": self.periods.write(),
            "checklist_items": self.items.write(),
            "signoffs": self.signoffs.write(),
            "events": self.events.write(),
        }


class _History:
    """One case's way through the phases, as the services would have written it.

    Each phase takes its usual time (a stalled case four times as long) and may be cancelled;
    a phase is left only with its checklist done and security's sign-off, as `case_advance`
    demands. Whatever would happen after today has not happened: the case is open there.
    """

    def __init__(self, loader: _Loader, case: _Case, tables: _CaseTables) -> None:
        self.rng = loader.rng
        self._between = loader._day_between
        self.clock = loader.clock
        self.until = loader.until
        self.checklists = loader.checklists
        self.case = case
        self.tables = tables
        self.manager = self.rng.choice(loader.managers)
        self.security = self.rng.choice(loader.security)
        self.changes = 0  # the case's version: one per recorded change, as the services bump it
        self.last_day = case.opened

    def event(
        self,
        kind: str,
        phase: str,
        day: datetime.date,
        hour: int,
        *,
        to: str = "",
        detail: str = "",
    ) -> None:
        actor = self.security if kind == CaseEventKind.SIGNED_OFF.value else self.manager
        self.tables.events.add(
            self.case.id, kind, phase, to, actor, self.clock.at(day, hour), detail
        )
        self.changes += 1
        self.last_day = max(self.last_day, day)

    def run(self) -> None:
        """Times follow the services: a phase is entered the moment the previous one is left
        (15:00), checklist items are ticked on later days (11:00), security signs off after the
        last tick (13:00), and the case advances at 15:00 the day security signed."""
        rng, case = self.rng, self.case
        day, hour = case.opened, 10
        self.event(CaseEventKind.OPENED.value, PHASES[0], day, hour)
        for position, phase in enumerate(PHASES):
            low, high = PHASE_DAYS[phase]
            length = rng.randint(low, high) * (4 if rng.random() < 0.1 else 1)
            cancelled = phase != Phase.RUN.value and rng.random() < CANCEL_PER_PHASE
            if cancelled:
                length = rng.randint(1, length)
            leave = day + datetime.timedelta(days=length)
            finished = leave <= self.until
            case.phase = phase
            if phase == Phase.RUN.value:
                case.run_from = day
            template = self.checklists.get(phase, [])
            if finished and not cancelled:
                done = len(template)
            elif finished:  # cancelled half-way through the checklist
                done = rng.randint(0, max(0, len(template) - 1))
            else:
                done = rng.randint(0, len(template))
            last_tick = self.checklist(phase, template, done, day, min(leave, self.until))
            self.tables.periods.add(
                case.id,
                phase,
                self.clock.at(day, hour),
                self.clock.at(leave, 15) if finished else None,
            )
            if not finished:
                ready = template and last_tick is not None and done == len(template)
                if ready and last_tick is not None and rng.random() < 0.5:
                    self.sign_off(phase, self._between(last_tick, self.until))
                return
            if cancelled:
                case.state, case.closed = CaseState.CANCELLED.value, leave
                reason = rng.choice(CANCEL_REASONS)
                self.event(CaseEventKind.CANCELLED.value, phase, leave, 15, detail=reason)
                return
            self.sign_off(phase, leave)
            if position + 1 == len(PHASES):
                case.state, case.closed = CaseState.COMPLETED.value, leave
                self.event(CaseEventKind.COMPLETED.value, phase, leave, 15)
                return
            self.event(CaseEventKind.ADVANCED.value, phase, leave, 15, to=PHASES[position + 1])
            day, hour = leave, 15

    def checklist(
        self,
        phase: str,
        template: list[tuple[int, str, str]],
        done: int,
        first: datetime.date,
        last: datetime.date,
    ) -> datetime.date | None:
        """Tick the first `done` items on days after `first`, up to `last`; returns the last day
        an item was ticked. Nothing is ticked on the day the phase was entered."""
        days = (last - first).days
        if days < 1:
            done = 0
        ticked = None
        for index, (place, text_sv, text_en) in enumerate(template):
            if index >= done:
                self.tables.items.add(self.case.id, phase, place, text_sv, text_en, None, None)
                continue
            offset = max(1, (days * (index + 1)) // (len(template) + 1))
            ticked = first + datetime.timedelta(days=offset)
            at = self.clock.at(ticked, 11)
            self.tables.items.add(self.case.id, phase, place, text_sv, text_en, at, self.manager)
            self.event(CaseEventKind.CHECKED.value, phase, ticked, 11, detail=text_sv[:300])
        return ticked

    def sign_off(self, phase: str, day: datetime.date) -> None:
        at = self.clock.at(day, 13)
        self.tables.signoffs.add(
            self.case.id, phase, self.security, at, "Säkerhetsgranskning utan anmärkning"
        )
        self.event(CaseEventKind.SIGNED_OFF.value, phase, day, 13)


def _cumulative(weights: Sequence[float]) -> list[float]:
    running = 0.0
    result = []
    for weight in weights:
        running += weight
        result.append(running)
    return result


def _domain(org_name: str) -> str:
    slug = "".join(ch for ch in org_name.lower().translate(ASCII) if ch.isalnum())
    return f"{slug[:24] or 'myndighet'}.demo.samdrift.se"
