"""API of the Program 2032 sites, mounted under /api/v1/continuity (ADR 0913): the same
selectors as the pages and `samdrift sites`, so the same rules and the same scope. A customer
agency's caller gets 404, as for an address that does not exist."""

# No `from __future__ import annotations`: ninja reads the real annotations.
import datetime
from typing import Any

from ninja import Field, Query, Router, Schema, Status
from ninja.pagination import paginate

from samdrift.core.api import ApiRequest, Page, errors
from samdrift.core.paging import Mapped

from . import placements, redundancy, selectors

router = Router(tags=["continuity"])


class SiteOut(Schema):
    code: str
    name: str
    operator: str
    region: str
    security_class: int
    capacity: int
    used: int
    nis_relevant: bool


class PolicyOut(Schema):
    min_sites: int
    min_regions: int
    min_security_class: int
    source: str


class ViolationOut(Schema):
    service: str
    policy: PolicyOut
    missing: list[str]


class LossFilters(Schema):
    site: str


class RtoMissOut(Schema):
    service: str
    target_hours: int
    best_hours: int


class LossOut(Schema):
    site: str
    stopped: list[str]
    rto_missed: list[RtoMissOut]
    degraded: list[ViolationOut]
    agencies: list[str]
    preparedness_agencies: int


def _violation(v: redundancy.Violation) -> dict[str, Any]:
    return {
        "service": v.service.code,
        "policy": v.policy.__dict__,
        "missing": [str(m) for m in v.missing],
    }


@router.get(
    "/sites",
    response={200: list[SiteOut], **errors(404, 422)},
    summary="Program 2032 sites",
    description="Provider staff: every site with its room in use. Others: 404.",
)
@paginate(Page)
def list_sites(request: ApiRequest) -> Mapped:
    return Mapped(selectors.site_list(actor=request.auth), _site)


def _site(s: Any) -> dict[str, Any]:
    return {"code": s.code, "name": s.name, "operator": s.operator.name, "region": s.region,
            "security_class": s.security_class, "capacity": s.capacity,
            "used": getattr(s, "used", 0), "nis_relevant": s.nis_relevant}  # fmt: skip


@router.get(
    "/check",
    response={200: list[ViolationOut], **errors(404, 422)},
    summary="Redundancy check",
    description="Every running service of the caller's provider that breaks its policy.",
)
@paginate(Page)
def check(request: ApiRequest) -> list[dict[str, Any]]:
    return [_violation(v) for v in selectors.check(actor=request.auth)]


@router.get(
    "/loss",
    response={200: LossOut, **errors(404, 422)},
    summary="What if a site is lost",
    description="Services that stop, RTOs missed, policies broken, customers affected.",
)
def loss(request: ApiRequest, filters: Query[LossFilters]) -> dict[str, Any]:
    report = selectors.lose_site(actor=request.auth, site_code=filters.site)
    return {
        "site": report.loss.site.code,
        "stopped": [s.code for s in report.loss.stopped],
        "rto_missed": [
            {"service": m.service.code, "target_hours": m.target_hours, "best_hours": m.best_hours}
            for m in report.loss.rto_missed
        ],
        "degraded": [_violation(v) for v in report.loss.degraded],
        "agencies": [name for _id, name in report.agencies],
        "preparedness_agencies": report.preparedness,
    }


class DrillOut(Schema):
    started_at: datetime.datetime
    finished_at: datetime.datetime
    backup: str
    succeeded: bool
    problems: list[str]
    rpo_seconds: int | None
    rto_seconds: float
    tables: int
    rows: int
    files: int


@router.get(
    "/drills",
    response={200: list[DrillOut], **errors(404, 422)},
    summary="Restore drills",
    description="Provider staff: every restore drill, newest first, with the RPO and RTO it "
    "achieved. Others: 404.",
)
@paginate(Page)
def list_drills(request: ApiRequest) -> Mapped:
    return Mapped(selectors.drill_list(actor=request.auth), _drill)


def _drill(d: Any) -> dict[str, Any]:
    return {"started_at": d.started_at, "finished_at": d.finished_at, "backup": d.backup_name,
            "succeeded": d.succeeded, "problems": [str(p) for p in d.problems or []],
            "rpo_seconds": d.rpo_seconds, "rto_seconds": d.rto_seconds, "tables": d.tables,
            "rows": d.rows, "files": d.files}  # fmt: skip


class ArchivingTargetOut(Schema):
    service: str
    rpo_hours: int
    rpo_met: bool


class ArchivingOut(Schema):
    supported: bool = Field(
        description="False on SQLite: its restorable state is the newest backup (see /drills)."
    )
    on: bool = Field(description="PostgreSQL archives its write-ahead log (archive_mode).")
    last_archived_at: datetime.datetime | None
    failed: int = Field(description="Failed archiving attempts (pg_stat_archiver).")
    achieved_rpo_seconds: float | None = Field(
        description="Age of the last archived segment: what a restore to now would lose."
    )
    services: list[ArchivingTargetOut]


@router.get(
    "/archiving",
    response={200: ArchivingOut, **errors(404)},
    summary="Continuous archiving and the achieved RPO",
    description="Provider staff: PostgreSQL's WAL archiving now (point-in-time recovery, "
    "pgBackRest) and each running service's RPO target against it. Others: 404.",
)
def archiving(request: ApiRequest) -> dict[str, Any]:
    state = selectors.archiving(actor=request.auth)
    if state is None:
        return {"supported": False, "on": False, "last_archived_at": None, "failed": 0,
                "achieved_rpo_seconds": None, "services": []}  # fmt: skip
    return {
        "supported": True, "on": state.on, "last_archived_at": state.last_archived_at,
        "failed": state.failed, "achieved_rpo_seconds": state.achieved_rpo_seconds,
        "services": [{"service": t.code, "rpo_hours": t.rpo_hours, "rpo_met": t.rpo_met}
                     for t in state.targets],
    }  # fmt: skip


# --- keeping the sites (the same services as the page and `samdrift sites`) -----------------


class SiteIn(Schema):
    code: str = Field(max_length=20, description="2-20 capital letters, digits or hyphens.")
    name: str = Field(max_length=120)
    operator: str = Field(max_length=20, description="The operator agency's organisation number.")
    region: str = Field(max_length=20, description="The civil area, e.g. nord, mitt, syd.")
    security_class: int = Field(ge=0, le=4)
    capacity: int = Field(ge=1, le=100_000)
    nis_relevant: bool = False


@router.post(
    "/sites",
    response={201: SiteOut, **errors(404, 422)},
    summary="Register a site",
    description="Provider administrators (any provider's: sites are shared). 422 for a taken "
    "or malformed code, an unknown region, class or organisation number; nothing is stored. "
    "Others: 404. Audited.",
)
def add_site(request: ApiRequest, payload: SiteIn) -> Status:
    site = placements.site_register(
        actor=request.auth, code=payload.code, name=payload.name,
        operator_number=payload.operator, region=payload.region,
        security_class=payload.security_class, capacity=payload.capacity,
        nis_relevant=payload.nis_relevant,
    )  # fmt: skip
    return Status(201, _site(site))


class PlacementIn(Schema):
    service: str = Field(max_length=40, description="The code of one of the caller's services.")
    site: str = Field(max_length=20)
    role: str = Field(max_length=10, description="primary or secondary")
    rto_hours: int = Field(ge=1, le=100_000)


class PlacementOut(Schema):
    id: int
    service: str
    site: str
    role: str
    rto_hours: int


@router.post(
    "/placements",
    response={201: PlacementOut, **errors(404, 409, 422)},
    summary="Place a service on a site",
    description="One of the caller's provider's services (another provider's is 404, as a "
    "missing one). 422 for an unknown site or role, a second instance on the site, a second "
    "primary, a site below the policy's class; 409 for a full site. Audited.",
)
def place(request: ApiRequest, payload: PlacementIn) -> Status:
    made = placements.place_service(
        actor=request.auth, service_code=payload.service, site_code=payload.site,
        role=payload.role, rto_hours=payload.rto_hours,
    )  # fmt: skip
    return Status(201, {"id": made.id, "service": payload.service.strip().upper(),
                        "site": made.site.code, "role": made.role, "rto_hours": made.rto_hours})  # fmt: skip


@router.delete(
    "/placements/{placement_id}",
    response={204: None, **errors(404)},
    summary="Remove a placement",
    description="A placement of one of the caller's provider's services; another's is 404, as "
    "a missing one. Audited.",
)
def unplace(request: ApiRequest, placement_id: int) -> Status:
    placements.unplace(actor=request.auth, placement_id=placement_id)
    return Status(204, None)


class PolicyIn(Schema):
    min_sites: int = Field(ge=1, le=100)
    min_regions: int = Field(ge=1, le=100)
    min_security_class: int = Field(0, ge=0, le=4)


@router.put(
    "/policies/{service_code}",
    response={200: PolicyOut, **errors(404, 422)},
    summary="Set a service's redundancy policy",
    description="One of the caller's provider's services (another's is 404). 422 for fewer "
    "sites than regions or a policy no set of the existing sites can meet; nothing is stored. "
    "Audited.",
)
def set_policy(request: ApiRequest, service_code: str, payload: PolicyIn) -> dict[str, Any]:
    policy = placements.set_policy(
        actor=request.auth, service_code=service_code, min_sites=payload.min_sites,
        min_regions=payload.min_regions, min_security_class=payload.min_security_class,
    )  # fmt: skip
    return {"min_sites": policy.min_sites, "min_regions": policy.min_regions,
            "min_security_class": policy.min_security_class, "source": "policy"}  # fmt: skip
