"""API of the catalogue app: services, their service level and what they depend on.

The catalogue is open to every logged-in caller; a draft only to its provider's staff. The
selectors decide (`catalogue.permissions`), including which dependencies a caller is shown: a
draft asked for by a customer is a 404, like a code that does not exist.
"""

# No `from __future__ import annotations`: ninja reads the real annotations (Query[...]).
from decimal import Decimal
from typing import Any

from ninja import Field, Query, Router, Schema
from ninja.pagination import paginate

from samdrift.core.api import ApiRequest, Page, errors

from . import selectors
from .choices import Lifecycle
from .models import Service, ServiceDependency

router = Router(tags=["catalogue"])


class CategoryOut(Schema):
    code: str
    name_sv: str
    name_en: str


class ProviderOut(Schema):
    id: int
    name: str


class ServiceLevelOut(Schema):
    availability_target: float = Field(description="Agreed availability in %, e.g. 99.5.")
    support_hours: str = Field(description="office, extended or 24x7")
    rto_hours: int = Field(description="Recovery time objective in hours.")
    rpo_hours: int = Field(description="Recovery point objective in hours.")


class ServiceOut(Schema):
    code: str
    name_sv: str
    name_en: str
    category: CategoryOut
    provider: ProviderOut
    lifecycle: str = Field(description="draft, active or retired")
    in_total_commitment: bool = Field(description="Part of the total-commitment package.")
    service_level: ServiceLevelOut

    @staticmethod
    def resolve_service_level(obj: Service) -> dict[str, Any]:
        return {
            "availability_target": float(Decimal(obj.availability_target)),
            "support_hours": obj.support_hours,
            "rto_hours": obj.rto_hours,
            "rpo_hours": obj.rpo_hours,
        }


class ServiceRowOut(ServiceOut):
    connected_count: int = Field(description="Agencies with an open subscription.")


class DependencyOut(Schema):
    code: str
    name_sv: str
    name_en: str
    reason_sv: str
    reason_en: str


def _link(service: Service, link: ServiceDependency) -> dict[str, str]:
    return {
        "code": service.code,
        "name_sv": service.name_sv,
        "name_en": service.name_en,
        "reason_sv": link.reason_sv,
        "reason_en": link.reason_en,
    }


class ServiceDetailOut(ServiceOut):
    description_sv: str
    description_en: str
    dependencies: list[DependencyOut] = Field(description="Services this one needs to work.")
    dependants: list[DependencyOut] = Field(description="Services that need this one.")

    # The links were read by `selectors.service_get`, already without what the caller may not see.
    @staticmethod
    def resolve_dependencies(obj: Service) -> list[dict[str, str]]:
        return [_link(link.depends_on, link) for link in obj.dependency_links.all()]

    @staticmethod
    def resolve_dependants(obj: Service) -> list[dict[str, str]]:
        return [_link(link.service, link) for link in obj.dependant_links.all()]


class ServiceFilters(Schema):
    lifecycle: Lifecycle | None = None
    search: str = Field("", description="Part of the code or of the Swedish or English name.")


@router.get(
    "/services",
    response={200: list[ServiceRowOut], **errors(422)},
    summary="List catalogue services",
    description="In catalogue order, with service level and the number of connected agencies.",
)
@paginate(Page)
def list_services(request: ApiRequest, filters: Query[ServiceFilters]) -> Any:
    return selectors.service_list(
        actor=request.auth, lifecycle=filters.lifecycle or "", search=filters.search.strip()
    )


@router.get(
    "/services/{code}",
    response={200: ServiceDetailOut, **errors(404)},
    summary="Get one service by code",
    description="With its service level and its dependencies both ways (SAFOS needs EFOS).",
)
def get_service(request: ApiRequest, code: str) -> Service:
    return selectors.service_get(actor=request.auth, code=code.strip().upper())
