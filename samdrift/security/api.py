"""API of security operations, mounted under /api/v1/security (ADR 0952): the same selectors as
the pages and `samdrift security`, so the same scope: the SOC sees its own components' findings
with their locations, a customer agency those reaching it without."""

# No `from __future__ import annotations`: ninja reads the real annotations.
import datetime
from typing import Any

from ninja import Field, File, Form, Query, Router, Schema
from ninja.files import UploadedFile
from ninja.pagination import paginate

from samdrift.core.api import ApiRequest, Page, errors
from samdrift.core.exceptions import NotFound
from samdrift.core.paging import Mapped

from . import selectors
from .advisories import advisory_publish
from .cases import case_rows, security_case_set
from .permissions import security_abilities
from .services import import_upload

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


class AgencyReachedOut(Schema):
    name: str
    services: list[str] = Field(description="Codes of the agency's services it reaches")


class ReachOut(Schema):
    services: list[str] = Field(description="SOC: codes of the services built from the component")
    through: list[str] = Field(description="SOC: codes of the services depending on those")
    agencies: list[AgencyReachedOut]
    other_agencies: int = Field(
        description="SOC: agencies reached only through other providers' services (not named)"
    )


class FindingDetailOut(FindingOut):
    reach: ReachOut
    advisories: list[int] = Field(description="Ids of the advisories about it the caller may read")


@router.get(
    "/findings/{finding_id}",
    response={200: FindingDetailOut, **errors(404)},
    summary="One vulnerability finding and where it reaches",
    description=(
        "The SOC of the component's provider: the finding with its location, the services it "
        "reaches and every agency reached through them. A customer agency's people: the "
        "finding as it reaches their agency, without location or other agencies. 404 for "
        "anyone it does not reach."
    ),
)
def get_finding(request: ApiRequest, finding_id: int) -> dict[str, Any]:
    detail = selectors.finding_detail(actor=request.auth, finding_id=finding_id)
    row = selectors.finding_row(request.auth, detail.finding)
    return {
        **_finding_out(row),
        "reach": {
            "services": [s.code for s in detail.direct],
            "through": [s.code for s in detail.through],
            "agencies": [{"name": a.name, "services": a.services} for a in detail.agencies],
            "other_agencies": detail.others,
        },
        "advisories": [a.id for a in detail.advisories],
    }


class ReportImportOut(Schema):
    id: int
    component: str
    tool: str
    format: str
    file_name: str
    imported_at: datetime.datetime
    imported_by: str
    reported: int
    created: int
    fixed: int


class ReportImportedOut(Schema):
    run: ReportImportOut
    already_imported: bool = Field(
        description="The same report was imported before: nothing changed"
    )
    updated: int = Field(description="Known findings listed again")


def _import_out(run: Any) -> dict[str, Any]:
    return {
        "id": run.id, "component": run.component.name, "tool": run.tool,
        "format": run.report_format, "file_name": run.file_name, "imported_at": run.imported_at,
        "imported_by": run.imported_by, "reported": run.reported, "created": run.created,
        "fixed": run.fixed,
    }  # fmt: skip


@router.get(
    "/imports",
    response={200: list[ReportImportOut], **errors(422)},
    summary="Imported scanner reports",
    description="The provider's SOC: the reports imported for its components, newest first. "
    "Others: an empty list.",
)
@paginate(Page)
def list_imports(request: ApiRequest, component: str = Query("", max_length=200)) -> Mapped:
    return Mapped(selectors.import_runs(actor=request.auth, component=component), _import_out)


@router.post(
    "/imports",
    response={201: ReportImportedOut, 200: ReportImportedOut, **errors(404, 422)},
    summary="Import a scanner report",
    description=(
        "multipart/form-data: `component` (the name of one of the SOC's components) and `file` "
        "(Trivy, Grype, SARIF, Greenbone/OpenVAS, CycloneDX, OpenVEX or CSAF; the format is "
        "recognised from the content). 201 with what was stored; 200 when the same report was "
        "imported before (nothing changed). A file that cannot be read, or over the file "
        "store's limit, is refused with 422 and nothing of it is stored; another provider's "
        "component is refused as an unknown one."
    ),
)
def import_report(
    request: ApiRequest,
    component: str = Form(..., max_length=200),
    file: UploadedFile = File(...),  # noqa: B008 (django-ninja's way to declare a part)
) -> tuple[int, dict[str, Any]]:
    if not security_abilities(actor=request.auth)["import"]:
        raise NotFound("components")
    outcome = import_upload(actor=request.auth, component_name=component, upload=file)
    body = {"run": _import_out(outcome.run), "already_imported": outcome.already_imported,
            "updated": outcome.updated}  # fmt: skip
    return (200 if outcome.already_imported else 201), body


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


class AdvisoryOut(Schema):
    id: int
    vulnerability_id: str
    title: str
    severity: str
    revision: int
    published_at: datetime.datetime
    csaf: str = Field(description="Address of the CSAF 2.0 document for the caller")


class AdvisoryIn(Schema):
    vulnerability_id: str = Field(..., min_length=1, max_length=200)
    title: str = Field(..., min_length=1, max_length=300)
    summary: str = Field(..., min_length=1, max_length=5000)


class AdvisoryPublished(Schema):
    id: int
    revision: int
    agencies: int = Field(description="How many agencies received their own copy")


@router.get(
    "/advisories",
    response={200: list[AdvisoryOut], **errors(422)},
    summary="Security advisories",
    description=(
        "The SOC: its provider's advisories. A customer agency's people: the advisories sent "
        "to their agency. Newest first, paged."
    ),
)
@paginate(Page)
def list_advisories(request: ApiRequest) -> Mapped:
    return Mapped(selectors.advisory_list(actor=request.auth), _advisory_out)


def _advisory_out(a: Any) -> dict[str, Any]:
    return {
        "id": a.id, "vulnerability_id": a.vulnerability_id, "title": a.title,
        "severity": a.severity, "revision": a.revision, "published_at": a.published_at,
        "csaf": f"/api/v1/security/advisories/{a.id}/csaf",
    }  # fmt: skip


@router.get(
    "/advisories/{advisory_id}/csaf",
    response={200: dict[str, Any], **errors(404)},
    summary="An advisory as CSAF 2.0",
    description=(
        "The CSAF 2.0 document (valid against the OASIS schema) the caller may read: the SOC "
        "the full one, an agency the one sent to it. 404 for anyone else."
    ),
)
def advisory_csaf(request: ApiRequest, advisory_id: int) -> dict[str, Any]:
    return selectors.advisory_copy(actor=request.auth, advisory_id=advisory_id).document


@router.post(
    "/advisories",
    response={201: AdvisoryPublished, **errors(404, 422)},
    summary="Publish an advisory",
    description=(
        "The SOC publishes (or publishes again, as a new version) the advisory of a "
        "vulnerability found on its components: every agency it reaches gets its own CSAF "
        "document and its contacts are told. Refused with 422 when no component has the "
        "vulnerability."
    ),
)
def publish_advisory(request: ApiRequest, body: AdvisoryIn) -> tuple[int, dict[str, Any]]:
    published = advisory_publish(actor=request.auth, **body.dict())
    return 201, {
        "id": published.advisory.id,
        "revision": published.advisory.revision,
        "agencies": len(published.agencies),
    }


class SecurityCaseIn(Schema):
    incident: int = Field(..., ge=1, description="The incident's number (INC…)")
    category: str = Field(..., max_length=20)
    information_classes: list[str] = Field(default_factory=list, max_length=10)
    personal_data: bool = False


class SecurityCaseOut(Schema):
    incident: int
    title: str
    category: str
    information_classes: list[str]
    personal_data: bool
    next_deadline: datetime.datetime | None = Field(
        None, description="The soonest legal deadline still to meet (operations)"
    )


@router.get(
    "/cases",
    response={200: list[SecurityCaseOut], **errors(422)},
    summary="Security cases",
    description="The SOC's security cases, newest first, paged. Others: an empty list.",
)
@paginate(Page)
def list_security_cases(request: ApiRequest) -> Mapped:
    return Mapped(
        selectors.security_case_list(actor=request.auth),
        lambda case: _case_out(case_rows(actor=request.auth, cases=[case])[0]),
    )


@router.post(
    "/cases",
    response={200: SecurityCaseOut, **errors(404, 422)},
    summary="Mark an incident as a security case",
    description=(
        "The SOC of the incident's provider sets its security fields. Personal data involved "
        "classifies the incident under GDPR art. 33 in operations, whose deadlines then run."
    ),
)
def set_security_case(request: ApiRequest, body: SecurityCaseIn) -> dict[str, Any]:
    case = security_case_set(
        actor=request.auth, incident_id=body.incident, category=body.category,
        information_classes=body.information_classes, personal_data=body.personal_data,
    )  # fmt: skip
    return _case_out(case_rows(actor=request.auth, cases=[case])[0])


def _case_out(row: Any) -> dict[str, Any]:
    return {
        "incident": row.incident.pk, "title": row.incident.title, "category": row.case.category,
        "information_classes": list(row.case.information_classes),
        "personal_data": row.case.personal_data,
        "next_deadline": row.next_deadline.due_at if row.next_deadline else None,
    }  # fmt: skip
