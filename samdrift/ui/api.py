"""API operations that combine several apps' data, mounted beside the apps' own routers.

`GET /agencies/{agency_id}` shows an agency (organisations) with its subscriptions (onboarding):
it lives here, in the composition place, so organisations (floor 2) never imports onboarding
(floor 4). Same path, operation id, tag and schema as when it lived in `organisations.api`
(ADR 0047).
"""

# No `from __future__ import annotations`: ninja reads the real annotations.
from typing import Any

from ninja import Field, Router

from samdrift.core.api import ApiRequest, errors
from samdrift.onboarding import selectors as onboarding_selectors
from samdrift.onboarding.schemas import SubscriptionOut
from samdrift.organisations import selectors as organisation_selectors
from samdrift.organisations.schemas import AgencyOut, OrganisationRef

router = Router(tags=["organisations"])


class AgencyDetailOut(AgencyOut):
    register_group: str
    employees: int | None
    children: list[OrganisationRef] = Field(description="Sub-agencies the caller may see.")
    subscriptions: list[SubscriptionOut] = Field(description="The agency's open subscriptions.")


@router.get(
    "/agencies/{agency_id}",
    response={200: AgencyDetailOut, **errors(404)},
    summary="Get one agency",
    description="With its parent, the sub-agencies the caller may see, and its subscriptions.",
    operation_id="samdrift_organisations_api_get_agency",
)
def get_agency(request: ApiRequest, agency_id: int) -> dict[str, Any]:
    actor = request.auth
    agency = organisation_selectors.organisation_get(actor=actor, org_id=agency_id)
    fields = AgencyOut.model_fields.keys() | {"register_group", "employees"}
    return {
        **{name: getattr(agency, name) for name in fields},
        "children": list(
            organisation_selectors.visible_organisations(actor)
            .filter(parent=agency)
            .only("id", "name")
        ),
        "subscriptions": list(
            onboarding_selectors.subscription_list(actor=actor, organisation_id=agency.id)
        ),
    }
