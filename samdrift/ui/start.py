"""The start page's next tasks, per role (issue 21 item 4, ADR 0705).

Each task is read through its app's actor-scoped selector; a selector answers `None` when the
task is not the actor's at all (a finance officer signs off no phase), so which role sees which
task is decided by the app that owns the rule, never here. Every task costs one query, whatever
the data's size: its first `COUNTED + 1` rows, which show the first few and say "10+" when there
are more (ADR 0711).
"""

from __future__ import annotations

import datetime
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from django.db.models import QuerySet
from django.urls import reverse
from django.utils import formats, timezone
from django.utils.functional import Promise
from django.utils.translation import gettext_lazy as _

from samdrift.billing import selectors as billing
from samdrift.core.actor import Actor
from samdrift.onboarding import selectors as onboarding
from samdrift.onboarding.choices import Phase
from samdrift.operations import selectors as operations
from samdrift.organisations.choices import Role
from samdrift.organisations.selectors import own_memberships

#: Rows shown per task; the rest are behind the task's link.
SHOWN = 5
#: Rows read per task: one more tells "10+" without counting them all (one query per task).
COUNTED = 10
#: How far back a customer's finalised invoices count as new.
NEW_INVOICE_DAYS = 45


@dataclass(frozen=True)
class Item:
    text: str
    detail: str
    url: str


@dataclass(frozen=True)
class Task:
    key: str
    title: str | Promise
    count: int  # at most `COUNTED`
    items: list[Item]
    url: str
    link_text: str | Promise
    nothing: str | Promise  # what "0" means, and what to do
    more: bool = False  # there are more than `count`


@dataclass(frozen=True)
class TaskSpec:
    key: str
    read: Callable[[Actor], QuerySet[Any] | None]
    item: Callable[[Any], Item]
    title: str | Promise
    url: Callable[[], str]
    link_text: str | Promise
    nothing: str | Promise


def _date(value: datetime.date | datetime.datetime) -> str:
    return formats.date_format(value, "SHORT_DATE_FORMAT")


def _case(case: Any) -> Item:
    return Item(
        text=case.organisation.name,
        detail=str(Phase(case.phase).label),
        url=reverse("onboarding:case_detail", args=[case.pk]),
    )


def _request(request: Any) -> Item:
    return Item(
        text=f"{request.organisation.name} → {request.service.name}",
        detail=_date(request.requested_on),
        url="",
    )


def _invoice(invoice: Any) -> Item:
    return Item(
        text=f"{invoice.number or _('Draft')} · {invoice.buyer.name}",
        detail=_date(invoice.issue_date),
        url=reverse("billing:invoice", args=[invoice.pk]),
    )


def _incident(incident: Any) -> Item:
    return Item(
        text=incident.title,
        detail=f"{incident.service.name} · {_date(timezone.localtime(incident.opened_at))}",
        url=reverse("operations:incident", args=[incident.pk]),
    )


def _new_invoices(actor: Actor) -> QuerySet[Any] | None:
    since = timezone.localdate() - datetime.timedelta(days=NEW_INVOICE_DAYS)
    return billing.new_invoices(actor=actor, since=since)


def _url(name: str, query: str = "") -> Callable[[], str]:
    return lambda: reverse(name) + (f"?{query}" if query else "")


#: In the order they are shown: the provider's work first, then the customer's own agencies.
TASKS: tuple[TaskSpec, ...] = (
    TaskSpec(
        key="signoff",
        read=lambda actor: onboarding.phases_awaiting_signoff(actor=actor),
        item=_case,
        title=_("Phases waiting for your sign-off"),
        url=_url("onboarding:case_list", "state=open"),
        link_text=_("All open connection cases"),
        nothing=_(
            "No phase is waiting for security's sign-off. A case appears here when it "
            "enters a new phase."
        ),
    ),
    TaskSpec(
        key="requests",
        read=lambda actor: onboarding.requests_to_answer(actor=actor),
        item=_request,
        title=_("Requests to answer"),
        url=_url("onboarding:request_list", "status=requested"),
        link_text=_("All pending requests"),
        nothing=_("No agency is waiting for an answer to a request for a service."),
    ),
    TaskSpec(
        key="drafts",
        read=lambda actor: billing.drafts_to_finalise(actor=actor),
        item=_invoice,
        title=_("Invoices to review"),
        url=_url("billing:runs"),
        link_text=_("Invoice runs"),
        nothing=_(
            "No draft invoice is waiting. A run of the month's invoices makes drafts "
            "for you to review and finalise."
        ),
    ),
    TaskSpec(
        key="incidents",
        read=lambda actor: operations.incidents_to_take(actor=actor),
        item=_incident,
        title=_("Incidents waiting for you"),
        url=_url("operations:incidents", "state=new"),
        link_text=_("All new incidents"),
        nothing=_("No new incident is waiting on your services."),
    ),
    TaskSpec(
        key="own_cases",
        read=lambda actor: onboarding.own_open_cases(actor=actor),
        item=_case,
        title=_("Your agency's connection cases under way"),
        url=_url("onboarding:case_list", "state=open"),
        link_text=_("All connection cases"),
        nothing=_(
            "No connection case is under way. The provider opens one when you ask for a service."
        ),
    ),
    TaskSpec(
        key="own_requests",
        read=lambda actor: onboarding.own_pending_requests(actor=actor),
        item=_request,
        title=_("Your requests waiting for the provider"),
        url=_url("onboarding:request_list", "status=requested"),
        link_text=_("All your requests"),
        nothing=_("No request is waiting. Ask for a service from the catalogue."),
    ),
    TaskSpec(
        key="new_invoices",
        read=_new_invoices,
        item=_invoice,
        title=_("New invoices to review"),
        url=_url("billing:invoices"),
        link_text=_("All invoices"),
        nothing=_("No invoice was issued to your agency in the last 45 days."),
    ),
    TaskSpec(
        key="own_incidents",
        read=lambda actor: operations.open_incidents_affecting_own(actor=actor),
        item=_incident,
        title=_("Open incidents affecting your agency"),
        url=_url("operations:incidents"),
        link_text=_("All incidents"),
        nothing=_("No open incident affects your agency."),
    ),
)


def _build(spec: TaskSpec, queryset: QuerySet[Any]) -> Task:
    rows = list(queryset[: COUNTED + 1])
    return Task(
        key=spec.key,
        title=spec.title,
        count=min(len(rows), COUNTED),
        more=len(rows) > COUNTED,
        items=[spec.item(row) for row in rows[:SHOWN]],
        url=spec.url(),
        link_text=spec.link_text,
        nothing=spec.nothing,
    )


def next_tasks(actor: Actor) -> list[Task]:
    """The tasks that are this actor's, each with its count and first rows."""
    tasks = []
    for spec in TASKS:
        queryset = spec.read(actor)
        if queryset is not None:
            tasks.append(_build(spec, queryset))
    return tasks


def role_lines(actor: Actor) -> list[tuple[str, list[str]]]:
    """(agency, role labels) of the actor's own memberships, for "you are here as …"."""
    roles: dict[str, list[str]] = {}
    for membership in own_memberships(actor=actor):
        roles.setdefault(membership.organisation.name, []).append(str(Role(membership.role).label))
    return sorted(roles.items())
