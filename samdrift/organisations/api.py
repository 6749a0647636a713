"""API of the organisations app: the agencies the caller may see.

Customers see their own agencies (and, as a parent's contact, its sub-agencies); provider staff see
all. An agency outside the caller's view is a 404, exactly like one that does not exist.
"""

# No `from __future__ import annotations`: ninja reads the real annotations (Query[...]).
from typing import Any

from ninja import Field, Query, Router, Schema
from ninja.pagination import paginate

from samdrift.accounts.api_auth import ApiRequest
from samdrift.core.api import Page, errors
from samdrift.onboarding import selectors as onboarding_selectors
from samdrift.onboarding.api import OrganisationRef, SubscriptionOut

from . import selectors

router = Router(tags=["organisations"])


class AgencyOut(Schema):
    id: int
    name: str
    org_number: str = Field(description="NNNNNN-NNNN; empty for a group without legal entity.")
    ministry: str
    kind: str = Field(description="provider or customer")
    is_group: bool = Field(description="An umbrella without legal entity (Länsstyrelserna).")
    parent: OrganisationRef | None


class AgencyRowOut(AgencyOut):
    child_count: int = Field(description="Number of sub-agencies (Domstolsverket: 80 courts).")


class AgencyDetailOut(AgencyOut):
    register_group: str
    employees: int | None
    children: list[OrganisationRef] = Field(description="Sub-agencies the caller may see.")
    subscriptions: list[SubscriptionOut] = Field(description="The agency's open subscriptions.")


class AgencyFilters(Schema):
    search: str = Field("", description="Part of the name, or the start of the org number.")
    ministry: str = Field("", description="Exact ministry name, e.g. Finansdepartementet.")
    connected_service: str = Field("", description="Only agencies connected to this service code.")


@router.get(
    "/agencies",
    response={200: list[AgencyRowOut], **errors(422)},
    summary="List agencies",
    description="Agencies the caller may see, by name, with parent and number of sub-agencies.",
)
@paginate(Page)
def list_agencies(request: ApiRequest, filters: Query[AgencyFilters]) -> Any:
    return selectors.organisation_list(
        actor=request.auth,
        search=filters.search.strip(),
        ministry=filters.ministry.strip(),
        connected_service=filters.connected_service.strip().upper(),
    )


@router.get(
    "/agencies/{agency_id}",
    response={200: AgencyDetailOut, **errors(404)},
    summary="Get one agency",
    description="With its parent, the sub-agencies the caller may see, and its subscriptions.",
)
def get_agency(request: ApiRequest, agency_id: int) -> dict[str, Any]:
    actor = request.auth
    agency = selectors.organisation_get(actor=actor, org_id=agency_id)
    fields = AgencyOut.model_fields.keys() | {"register_group", "employees"}
    return {
        **{name: getattr(agency, name) for name in fields},
        "children": list(
            selectors.visible_organisations(actor).filter(parent=agency).only("id", "name")
        ),
        "subscriptions": list(
            onboarding_selectors.subscription_list(actor=actor, organisation_id=agency.id)
        ),
    }
