"""The site-wide search (issue 21 item 3, ADRs 0702–0704): one box, every kind of object, each
found by its own app's actor-scoped `search_…` selector and put together here, in the
composition place (ADR 0047).

What is typed becomes words once (`core.search.words.search_words`, the full-text parser of ADR
0082): quotes, SQL, LIKE wildcards, regex and control characters are separators, 10,000
characters are read as their first 500. Each kind then costs a fixed number of queries (one for
most), whatever the size of the data: at most `PER_KIND + 1` rows are read per kind.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import Any

from django.urls import reverse
from django.utils.functional import Promise
from django.utils.translation import gettext_lazy as _

from samdrift.billing.selectors import search_invoices
from samdrift.catalogue.selectors import search_services
from samdrift.collaboration.selectors import search_documents, search_workspaces
from samdrift.core.actor import Actor
from samdrift.core.search.words import search_words
from samdrift.efos.selectors import search_officials
from samdrift.onboarding.selectors import search_cases, search_requests
from samdrift.operations.selectors import search_incidents
from samdrift.organisations.selectors import search_agencies

PER_KIND = 10


@dataclass(frozen=True)
class Hit:
    id: str
    title: str
    detail: str
    url: str


@dataclass(frozen=True)
class Group:
    kind: str
    label: Promise
    hits: list[Hit]
    more: bool  # there are more than `PER_KIND` of this kind

    @property
    def count(self) -> int:
        return len(self.hits)


@dataclass(frozen=True)
class Kind:
    key: str
    label: Promise
    find: Callable[[Actor, Sequence[str], int], tuple[list[Any], bool]]  # (rows, more)
    hit: Callable[[Any], Hit]


def _agency(org: Any) -> Hit:
    url = reverse("organisations:detail", kwargs={"pk": org.pk})
    return Hit(str(org.pk), org.name, org.org_number, url)


def _service(service: Any) -> Hit:
    url = reverse("catalogue:detail", kwargs={"code": service.code})
    return Hit(service.code, str(service), service.code, url)


def _case(case: Any) -> Hit:
    codes = ", ".join(s.code for s in case.services.all())
    title = f"#{case.pk} {case.organisation.name}"
    url = reverse("onboarding:case_detail", kwargs={"pk": case.pk})
    return Hit(str(case.pk), title, f"{case.get_phase_display()} {codes}".strip(), url)


def _request(request: Any) -> Hit:
    url = reverse("onboarding:request_list") + f"?service={request.service.code}"
    title = f"#{request.pk} {request.organisation.name}"
    return Hit(str(request.pk), title, f"{request.service.code} · {request.requested_on}", url)


def _invoice(invoice: Any) -> Hit:
    url = reverse("billing:invoice", kwargs={"invoice_id": invoice.pk})
    return Hit(str(invoice.pk), invoice.number, invoice.buyer.name, url)


def _official(official: Any) -> Hit:
    url = reverse("efos:official_detail", kwargs={"official_id": official.pk})
    return Hit(str(official.pk), official.full_name, official.organisation.name, url)


def _workspace(workspace: Any) -> Hit:
    url = reverse("collaboration:workspace", kwargs={"workspace_id": workspace.pk})
    return Hit(str(workspace.pk), workspace.name, workspace.owner_org.name, url)


def _document(document: Any) -> Hit:
    url = reverse("collaboration:document", kwargs={"document_id": document.pk})
    return Hit(str(document.pk), document.name, document.workspace.name, url)


def _incident(incident: Any) -> Hit:
    url = reverse("operations:incident", kwargs={"incident_id": incident.pk})
    return Hit(str(incident.pk), f"#{incident.pk} {incident.title}", incident.service.code, url)


def _selector(
    function: Callable[..., list[Any]],
) -> Callable[[Actor, Sequence[str], int], tuple[list[Any], bool]]:
    """An app's `search_…(actor, words, limit)`, asked for one row more to know of more."""

    def find(actor: Actor, words: Sequence[str], limit: int) -> tuple[list[Any], bool]:
        rows = function(actor=actor, words=words, limit=limit + 1)
        return rows[:limit], len(rows) > limit

    return find


KINDS: tuple[Kind, ...] = (
    Kind("agency", _("Agencies"), _selector(search_agencies), _agency),
    Kind("service", _("Services"), _selector(search_services), _service),
    Kind("case", _("Connection cases"), _selector(search_cases), _case),
    Kind("request", _("Requests"), _selector(search_requests), _request),
    Kind("invoice", _("Invoices"), _selector(search_invoices), _invoice),
    Kind("official", _("Officials"), _selector(search_officials), _official),
    Kind("workspace", _("Workspaces"), _selector(search_workspaces), _workspace),
    Kind("document", _("Documents"), _selector(search_documents), _document),
    Kind("incident", _("Incidents"), _selector(search_incidents), _incident),
)


@dataclass(frozen=True)
class Result:
    words: tuple[str, ...]
    groups: list[Group]  # every kind, in `KINDS` order, the empty ones too

    @property
    def total(self) -> int:
        return sum(group.count for group in self.groups)

    @property
    def found(self) -> list[Group]:
        return [group for group in self.groups if group.hits]


def site_search(*, actor: Actor, query: str | None) -> Result:
    """Every kind the actor may see that has the words; `EmptyQuery` (422, Swedish and English)
    when what was typed has no word in it."""
    words = search_words(query)
    groups = []
    for kind in KINDS:
        rows, more = kind.find(actor, words, PER_KIND)
        groups.append(Group(kind.key, kind.label, [kind.hit(row) for row in rows], more))
    return Result(words, groups)
