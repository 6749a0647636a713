"""API of security operations, mounted under /api/v1/security (ADR 0952): the same selectors as
the pages and `samdrift security`, so the same scope: the SOC sees its own components' findings
with their locations, a customer agency those reaching it without."""

# No `from __future__ import annotations`: ninja reads the real annotations.
import datetime
from typing import Any

from ninja import Field, Query, Router, Schema
from ninja.pagination import paginate

from samdrift.core.api import ApiRequest, Page, errors
from samdrift.core.paging import Mapped

from . import selectors

router = Router(tags=["security"])


class FindingFilters(Schema):
    severity: str = Field("", max_length=10)
    status: str = Field("", max_length=12)
    component: str = Field("", max_length=200)
    search: str = Field("", max_length=100)


class FindingOut(Schema):
    id: int
    vulnerability_id: str
    aliases: list[str]
    severity: str
    status: str
    justification: str
    title: str
    component: str
    package: str
    installed_version: str
    fixed_version: str
    first_seen: datetime.datetime
    last_seen: datetime.datetime
    remediate_by: datetime.date | None
    location: str
    known_exploited: bool = Field(description="In CISA's Known Exploited Vulnerabilities catalogue")
    epss: float | None = Field(None, description="FIRST's EPSS score, 0 to 1, where known")


class ComponentOut(Schema):
    name: str
    version: str
    purl: str
    kind: str


@router.get(
    "/findings",
    response={200: list[FindingOut], **errors(422)},
    summary="Vulnerability findings",
    description=(
        "The provider's SOC: its components' findings with where they were found. A customer "
        "agency's people: the findings reaching their agency, without locations. Most severe "
        "and oldest first, paged."
    ),
)
@paginate(Page)
def list_findings(request: ApiRequest, filters: Query[FindingFilters]) -> Mapped:
    queryset = selectors.findings_most_severe_first(
        actor=request.auth, severity=filters.severity, status=filters.status,
        component=filters.component, search=filters.search,
    )  # fmt: skip
    return Mapped(queryset, lambda f: _finding_out(selectors.finding_row(request.auth, f)))


def _finding_out(r: selectors.FindingRow) -> dict[str, Any]:
    return {
        "id": r.finding.id, "vulnerability_id": r.finding.vulnerability_id,
        "aliases": list(r.finding.aliases), "severity": r.finding.severity,
        "status": r.finding.status, "justification": r.finding.justification,
        "title": r.finding.title, "component": r.finding.component.name,
        "package": r.finding.package_name, "installed_version": r.finding.package_version,
        "fixed_version": r.finding.fixed_version, "first_seen": r.finding.first_seen,
        "last_seen": r.finding.last_seen, "remediate_by": r.deadline, "location": r.location,
        "known_exploited": getattr(r.finding, "kev_added", None) is not None,
        "epss": getattr(r.finding, "epss", None),
    }  # fmt: skip


@router.get(
    "/components",
    response={200: list[ComponentOut], **errors(422)},
    summary="Components",
    description="The provider's SOC: its components. Others: an empty list.",
)
@paginate(Page)
def list_components(request: ApiRequest) -> Mapped:
    return Mapped(
        selectors.component_list(actor=request.auth),
        lambda c: {"name": c.name, "version": c.version, "purl": c.purl, "kind": c.kind},
    )
