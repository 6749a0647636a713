"""API of the organisations app: the agencies the caller may see, and their members.

Customers see their own agencies (and, as a parent's contact, its sub-agencies); provider staff see
all. An agency outside the caller's view is a 404, exactly like one that does not exist. An
agency's administrators (`permissions.can_manage_members`) list and manage its members; new
members come by invitation only (ADR 0111).
"""

# No `from __future__ import annotations`: ninja reads the real annotations (Query[...]).
from datetime import datetime
from typing import Any

from django.http import HttpResponse
from ninja import Field, Query, Router, Schema, Status
from ninja.pagination import paginate

from samdrift.core.api import ApiRequest, Page, errors

from . import selectors, services
from .choices import Role
from .models import Membership
from .schemas import AgencyOut

router = Router(tags=["organisations"])


class AgencyRowOut(AgencyOut):
    child_count: int = Field(description="Number of sub-agencies (Domstolsverket: 80 courts).")


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


# GET /agencies/{agency_id} adds onboarding's subscriptions: it is composed in `samdrift.ui.api`.


class MemberOut(Schema):
    id: int = Field(description="The membership's id (one per user and role).")
    user_id: int
    username: str
    name: str
    email: str
    role: str = Field(description="contact, orderer, member; or a provider role.")

    @staticmethod
    def resolve_user_id(obj: Membership) -> int:
        return obj.user_id

    @staticmethod
    def resolve_username(obj: Membership) -> str:
        return obj.user.get_username()

    @staticmethod
    def resolve_name(obj: Membership) -> str:
        return obj.user.get_full_name()

    @staticmethod
    def resolve_email(obj: Membership) -> str:
        return obj.user.email


class InvitationIn(Schema):
    email: str = Field(min_length=3, max_length=254, description="The address to invite.")
    role: Role = Field(
        description="A role of this kind of agency (409 for a role of the other kind)."
    )


class InvitationOut(Schema):
    id: int
    email: str
    role: str
    expires_at: datetime
    created_at: datetime


class InvitationAcceptIn(Schema):
    token: str = Field(
        min_length=1, max_length=200, description="The token from the e-mail's link."
    )


class MemberRoleIn(Schema):
    role: Role = Field(description="The new role, of this kind of agency (409 otherwise).")


@router.get(
    "/agencies/{agency_id}/members",
    response={200: list[MemberOut], **errors(403, 404, 422)},
    summary="List an agency's members",
    description="One row per user and role, by name. For the agency's administrators and "
    "provider staff.",
)
@paginate(Page)
def list_members(request: ApiRequest, agency_id: int) -> Any:
    agency = selectors.organisation_get(actor=request.auth, org_id=agency_id)
    return selectors.member_list(actor=request.auth, organisation=agency)


@router.get(
    "/agencies/{agency_id}/invitations",
    response={200: list[InvitationOut], **errors(403, 404, 422)},
    summary="List an agency's open invitations",
    description="Sent, not yet accepted, withdrawn or expired. For the agency's administrators.",
)
@paginate(Page)
def list_invitations(request: ApiRequest, agency_id: int) -> Any:
    agency = selectors.organisation_get(actor=request.auth, org_id=agency_id)
    return selectors.invitation_list(actor=request.auth, organisation=agency)


@router.post(
    "/agencies/{agency_id}/invitations",
    response={202: InvitationOut, **errors(403, 404, 409, 422)},
    summary="Invite someone to an agency",
    description="Members are added by invitation only (ADR 0111): an e-mail goes to the address, "
    "which the invited person accepts logged in with an account of that address. The answer is "
    "the same whether such an account exists or not. A new invitation to the same address and "
    "role replaces an open one. 409 for a role of the other kind of agency.",
)
def invite(request: ApiRequest, agency_id: int, payload: InvitationIn) -> Status:
    invitation = services.invitation_send(
        actor=request.auth, organisation_id=agency_id, email=payload.email, role=payload.role
    )
    return Status(202, invitation)


@router.post(
    "/invitations/accept",
    response={200: MemberOut, **errors(403, 404, 422)},
    summary="Accept an invitation",
    description="The caller's account must have the invited e-mail address (403 otherwise). "
    "A token that is unknown, used, withdrawn or expired is 404.",
)
def accept_invitation(request: ApiRequest, payload: InvitationAcceptIn) -> Membership:
    return services.invitation_accept(actor=request.auth, token=payload.token)


@router.patch(
    "/agencies/{agency_id}/members/{membership_id}",
    response={200: MemberOut, **errors(403, 404, 409, 422)},
    summary="Change a member's role",
    description="409 when the user already has the new role, when it would take away the "
    "agency's last administrator, or when the role belongs to the other kind of agency.",
)
def change_member_role(
    request: ApiRequest, agency_id: int, membership_id: int, payload: MemberRoleIn
) -> Membership:
    return services.membership_change_role(
        actor=request.auth,
        organisation_id=agency_id,
        membership_id=membership_id,
        role=payload.role,
    )


@router.delete(
    "/agencies/{agency_id}/members/{membership_id}",
    response={204: None, **errors(403, 404, 409)},
    summary="End a membership",
    description="The user keeps any other role. 409 for the agency's last administrator.",
)
def end_membership(request: ApiRequest, agency_id: int, membership_id: int) -> HttpResponse:
    services.membership_end(
        actor=request.auth, organisation_id=agency_id, membership_id=membership_id
    )
    return HttpResponse(status=204)
