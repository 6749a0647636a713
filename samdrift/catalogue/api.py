"""API of the catalogue app: services, their service level and what they depend on.

The catalogue is open to every logged-in caller; a draft only to its provider's staff. The
selectors decide (`catalogue.permissions`), including which dependencies a caller is shown: a
draft asked for by a customer is a 404, like a code that does not exist.

A provider's administrators and service managers keep its services: create, update (with the
version they read, ADR 0004), move along the lifecycle and name dependencies (ADR 0220). Another
provider's service is a 404 to them, like a code that does not exist.
"""

# No `from __future__ import annotations`: ninja reads the real annotations (Query[...]).
import datetime
from decimal import Decimal
from typing import Any, Literal

from django.utils.translation import gettext_lazy as _
from ninja import Field, Query, Router, Schema, Status
from ninja.pagination import paginate

from samdrift.core.api import ApiRequest, Page, errors
from samdrift.core.exceptions import ValidationFailed

from . import selectors, services
from .choices import Lifecycle, SupportHours
from .models import Category, Service, ServiceDependency

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
    lifecycle: str = Field(description="draft, active (published), retiring or retired")
    retirement_date: datetime.date | None = Field(
        description="When a retiring service retires; its subscriptions end that day."
    )
    version: int = Field(description="Send it back with a change (optimistic concurrency).")
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


# --- keeping the catalogue (ADR 0220) -----------------------------------------------------------


class ServiceIn(Schema):
    name_sv: str = Field(max_length=120)
    name_en: str = Field(max_length=120)
    description_sv: str = ""
    description_en: str = ""
    category: str = Field(description="The category's code.")
    availability_target: Decimal = Field(description="Agreed availability in %, 0–100.")
    support_hours: SupportHours
    rto_hours: int = Field(ge=0, description="Recovery time objective in hours.")
    rpo_hours: int = Field(ge=0, description="Recovery point objective in hours.")
    in_total_commitment: bool = False
    display_order: int = Field(100, ge=0, le=32767)


class ServiceCreateIn(ServiceIn):
    code: str = Field(description="2–32 capitals, digits or hyphens, starting with a letter.")
    provider_id: int | None = Field(
        None, description="The provider agency; may be left out by who keeps one provider only."
    )


class ServiceUpdateIn(ServiceIn):
    version: int = Field(description="The version the change was made from.")


class TransitionIn(Schema):
    to: Literal["active", "retiring", "retired"] = Field(
        description="active publishes a draft; retiring needs retirement_date; retired follows."
    )
    version: int
    retirement_date: datetime.date | None = None


class DependencyIn(Schema):
    depends_on: str = Field(description="The code of the service this one needs.")
    reason_sv: str = Field("", max_length=200)
    reason_en: str = Field("", max_length=200)


class CategoryIn(Schema):
    code: str = Field(description="A slug; an existing code renames that category.")
    name_sv: str = Field(max_length=120)
    name_en: str = Field(max_length=120)


def _provider_id(request: ApiRequest, given: int | None) -> int:
    if given is not None:
        return given
    ids = list(selectors.managed_providers(actor=request.auth).values_list("id", flat=True))
    if len(ids) != 1:
        raise ValidationFailed(
            _("Name the provider agency of the new service."),
            errors={"provider_id": [str(_("Name the provider agency of the new service."))]},
        )
    return ids[0]


@router.post(
    "/services",
    response={201: ServiceDetailOut, **errors(403, 409, 422)},
    summary="Create a service (a draft)",
    description="By the provider's administrator or service manager. A new service is a draft: "
    "nobody but the provider's staff sees it until it is published. 422 `invalid` names the "
    "fields (a code in use, an unknown category, availability outside 0–100); 403 `forbidden` "
    "for a provider the caller does not keep.",
)
def create_service(request: ApiRequest, body: ServiceCreateIn) -> Status:
    service = services.service_create(
        actor=request.auth,
        provider_id=_provider_id(request, body.provider_id),
        code=body.code,
        data=services.ServiceInput(**body.dict(exclude={"code", "provider_id"})),
    )
    return Status(201, selectors.service_get(actor=request.auth, code=service.code))


@router.put(
    "/services/{code}",
    response={200: ServiceDetailOut, **errors(404, 409, 422)},
    summary="Update a service's content and service level",
    description="With the `version` read; 409 `concurrent_update` when someone changed it first, "
    "409 `rule_violation` for a retired service, 404 for another provider's service.",
)
def update_service(request: ApiRequest, code: str, body: ServiceUpdateIn) -> Service:
    service = services.service_update(
        actor=request.auth,
        code=code,
        expected_version=body.version,
        data=services.ServiceInput(**body.dict(exclude={"version"})),
    )
    return selectors.service_get(actor=request.auth, code=service.code)


@router.post(
    "/services/{code}/transition",
    response={200: ServiceDetailOut, **errors(404, 409, 422)},
    summary="Move a service along its lifecycle",
    description="draft → active (published) → retiring → retired. 409 codes: "
    "`invalid_transition`, `dependencies_unpublished`, `still_needed` (a published service "
    "depends on it), `retirement_blocked` (open connection cases or unanswered requests), "
    "`not_yet_retired`, `concurrent_update`; 422 without a retirement date from today on. "
    "Retiring ends every open subscription on the retirement date and stops new requests.",
)
def transition_service(request: ApiRequest, code: str, body: TransitionIn) -> Service:
    service = services.service_transition(
        actor=request.auth,
        code=code,
        to=body.to,
        expected_version=body.version,
        retirement_date=body.retirement_date,
    )
    return selectors.service_get(actor=request.auth, code=service.code)


@router.post(
    "/services/{code}/dependencies",
    response={201: ServiceDetailOut, **errors(404, 409, 422)},
    summary="Add a dependency",
    description="This service needs `depends_on`. 409 `dependency_cycle` names the cycle it "
    "would close; 422 for an unknown, retiring or retired service, itself, or a draft under a "
    "published service.",
)
def add_dependency(request: ApiRequest, code: str, body: DependencyIn) -> Status:
    services.dependency_add(
        actor=request.auth,
        code=code,
        depends_on_code=body.depends_on,
        reason_sv=body.reason_sv,
        reason_en=body.reason_en,
    )
    return Status(201, selectors.service_get(actor=request.auth, code=code.strip().upper()))


@router.delete(
    "/services/{code}/dependencies/{dependency_code}",
    response={204: None, **errors(404, 409)},
    summary="Remove a dependency",
)
def remove_dependency(request: ApiRequest, code: str, dependency_code: str) -> Status:
    services.dependency_remove(actor=request.auth, code=code, depends_on_code=dependency_code)
    return Status(204, None)


@router.get(
    "/categories",
    response={200: list[CategoryOut], **errors(422)},
    summary="List the service categories",
    description="Shared by every provider, by Swedish name.",
)
@paginate(Page)
def list_categories(request: ApiRequest) -> Any:
    return selectors.category_list()


@router.post(
    "/categories",
    response={200: CategoryOut, **errors(403, 422)},
    summary="Create or rename a category",
    description="Categories are shared by every provider and kept by the catalogue owner's "
    "administrators and service managers (403 `forbidden` for anyone else).",
)
def save_category(request: ApiRequest, body: CategoryIn) -> Category:
    return services.category_save(
        actor=request.auth, code=body.code, name_sv=body.name_sv, name_en=body.name_en
    )
