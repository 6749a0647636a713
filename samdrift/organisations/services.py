"""Writes to agencies: the register import and memberships."""

from __future__ import annotations

import datetime
import secrets
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

from django.contrib.auth import get_user_model
from django.core.exceptions import ValidationError as DjangoValidationError
from django.core.validators import validate_email
from django.db import transaction
from django.urls import reverse
from django.utils import timezone, translation
from django.utils.translation import gettext_lazy as _

from samdrift.audit.services import audit_record, snapshot
from samdrift.core.actor import Actor
from samdrift.core.exceptions import (
    BusinessRuleViolation,
    NotFound,
    PermissionDenied,
    ValidationFailed,
)
from samdrift.core.notifications.services import notify, notify_address, notify_groups

from .choices import Role
from .importing import AgencyRow, RowError, parse_agency_csv
from .models import Invitation, Membership, Organisation
from .permissions import administrator_role, assignable_roles, can_manage_members
from .preparedness import in_annex
from .selectors import (
    invitation_token_hash,
    members_in_roles,
    membership_get,
    organisation_get,
    organisations_by_id,
)

if TYPE_CHECKING:
    from samdrift.accounts.models import User

IMPORT_FIELDS = (
    "org_number",
    "ministry",
    "register_group",
    "employees",
    "parent_id",
    "is_group",
    "preparedness",
)


@dataclass
class ImportResult:
    created: int = 0
    updated: int = 0
    unchanged: int = 0
    groups_created: list[str] = field(default_factory=list)
    errors: list[RowError] = field(default_factory=list)

    @property
    def ok(self) -> bool:
        return not self.errors


def import_agencies(
    *, actor: Actor, text: str, confirm_parent_changes: bool = False
) -> ImportResult:
    """Create or update agencies from the register CSV, all or nothing.

    Rows match existing agencies by name (courts share Domstolsverket's number, so the number
    cannot be the key). A parent named in the file but not present as a row (Länsstyrelserna)
    becomes an umbrella group. Any invalid row stops the whole import and nothing is kept.
    """
    if not actor.has_provider_role("provider_admin"):
        raise PermissionDenied(_("Only a provider administrator may import the agency register."))
    rows, errors = parse_agency_csv(text)
    result = ImportResult(errors=errors)
    if errors:
        return result
    names_in_file = {row.name for row in rows}
    for row in rows:
        if row.parent and row.parent == row.name:
            result.errors.append(RowError.of(row.line, _("An agency cannot be its own parent.")))
    result.errors.extend(_parent_problems(rows, confirm_parent_changes))
    if result.errors:
        return result
    with transaction.atomic():
        existing = {org.name: org for org in Organisation.objects.all()}
        parents = _ensure_groups(actor, rows, names_in_file, existing, result)
        # Two passes: first every agency exists, then parents are linked.
        for row in rows:
            _upsert(actor, row, existing, parents, result)
        for row in rows:
            if row.parent:
                _link_parent(
                    actor,
                    existing[row.name],
                    existing.get(row.parent) or parents[row.parent],
                    result,
                )
        audit_record(
            actor=actor,
            action="organisations.register_imported",
            object_type="organisations.register",
            object_id="agencies.csv",
            after={
                "created": result.created,
                "updated": result.updated,
                "unchanged": result.unchanged,
                "groups_created": result.groups_created,
            },
        )
    return result


def _parent_problems(rows: list[AgencyRow], confirmed: bool) -> list[RowError]:
    """Cycles in the hierarchy the import would make, and parent changes not confirmed: moving
    an agency under another parent gives the new parent's contacts its data (issue 19 item 10)."""
    current = {
        name: parent or ""
        for name, parent in Organisation.objects.values_list("name", "parent__name")
    }
    after = {**current, **{row.name: row.parent for row in rows if row.parent}}
    problems: list[RowError] = []
    for row in rows:
        seen, name = {row.name}, after.get(row.name, "")
        while name and name not in seen:
            seen.add(name)
            name = after.get(name, "")
        if name == row.name and row.parent != row.name:
            problems.append(
                RowError.of(row.line, _("%(name)s would be its own ancestor."), {"name": row.name})
            )
        before = current.get(row.name, "")
        if not confirmed and row.name in current and row.parent and before != row.parent:
            problems.append(
                RowError.of(
                    row.line,
                    _(
                        "%(name)s would move from %(old)s to %(new)s: confirm parent changes "
                        "(--confirm-parent-changes) to import it."
                    ),
                    {"name": row.name, "old": before or "—", "new": row.parent},
                )
            )
    return problems


def _ensure_groups(
    actor: Actor,
    rows: list[AgencyRow],
    names: set[str],
    existing: dict[str, Organisation],
    result: ImportResult,
) -> dict[str, Organisation]:
    groups: dict[str, Organisation] = {}
    for parent_name in sorted(
        {row.parent for row in rows if row.parent and row.parent not in names}
    ):
        group = existing.get(parent_name)
        if group is None:
            group = Organisation.objects.create(name=parent_name, is_group=True, org_number="")
            existing[parent_name] = group
            result.groups_created.append(parent_name)
            audit_record(
                actor=actor,
                action="organisations.group_created",
                obj=group,
                organisation_id=group.id,
                after=snapshot(group),
            )
        groups[parent_name] = group
    return groups


def _upsert(
    actor: Actor,
    row: AgencyRow,
    existing: dict[str, Organisation],
    parents: dict[str, Organisation],
    result: ImportResult,
) -> None:
    values = {
        "org_number": row.org_number,
        "ministry": row.ministry,
        "register_group": row.register_group,
        "employees": row.employees,
        "is_group": False,
        # The file's own column wins; without one, the annex to förordning (2022:524) decides.
        "preparedness": in_annex(row.name) if row.preparedness is None else row.preparedness,
    }
    org = existing.get(row.name)
    if org is None:
        org = Organisation.objects.create(name=row.name, **values)
        existing[row.name] = org
        result.created += 1
        audit_record(
            actor=actor,
            action="organisations.created",
            obj=org,
            organisation_id=org.id,
            after=snapshot(org, IMPORT_FIELDS),
        )
        return
    before = snapshot(org, IMPORT_FIELDS)
    changed = [name for name, value in values.items() if getattr(org, name) != value]
    if not changed:
        result.unchanged += 1
        return
    for name in changed:
        setattr(org, name, values[name])
    org.save(update_fields=[*changed, "updated_at"])
    result.updated += 1
    audit_record(
        actor=actor,
        action="organisations.updated",
        obj=org,
        organisation_id=org.id,
        before=before,
        after=snapshot(org, IMPORT_FIELDS),
    )


def _link_parent(
    actor: Actor, org: Organisation, parent: Organisation, result: ImportResult
) -> None:
    if org.parent_id == parent.id:
        return
    before = {"parent_id": org.parent_id}
    org.parent = parent
    org.save(update_fields=["parent", "updated_at"])
    audit_record(
        actor=actor,
        action="organisations.parent_set",
        obj=org,
        organisation_id=org.id,
        before=before,
        after={"parent_id": parent.id},
    )


MEMBERSHIP_FIELDS = ("user_id", "organisation_id", "role")
INVITATION_FIELDS = ("organisation_id", "email", "role", "expires_at")


INVITATION_DAYS = 14
MAX_ADDRESS_LENGTH = 254
INVITATION_KIND = "membership_invitation"


def invitation_send(*, actor: Actor, organisation_id: int, email: str, role: str) -> Invitation:
    """Invite an e-mail address to take a role in the agency (ADR 0111).

    Nobody is looked up for the administrator: the answer is the same whether an account with the
    address exists or not. The e-mail goes to the address; an account with that address also
    finds the invitation in its inbox. An open invitation to the same address and role is
    withdrawn and replaced (its link stops working)."""
    with transaction.atomic():
        organisation = _managed_organisation(actor, organisation_id)
        role = _assignable_role(organisation, role)
        address = _valid_address(email)
        now = timezone.now()
        replaced = list(
            Invitation.objects.select_for_update()
            .filter(
                organisation=organisation,
                email=address,
                role=role,
                accepted_at__isnull=True,
                cancelled_at__isnull=True,
            )
            .values_list("id", flat=True)
        )
        Invitation.objects.filter(id__in=replaced).update(cancelled_at=now)
        token = secrets.token_urlsafe(32)
        invitation = Invitation.objects.create(
            organisation=organisation,
            email=address,
            role=role,
            token_hash=invitation_token_hash(token),
            invited_by_id=actor.user_id,
            expires_at=now + datetime.timedelta(days=INVITATION_DAYS),
        )
        audit_record(
            actor=actor,
            action="organisations.invitation_sent",
            obj=invitation,
            organisation_id=organisation.id,
            after={**snapshot(invitation, INVITATION_FIELDS), "replaced": replaced},
        )
        _tell_invited(actor, invitation, token)
    return invitation


def invitation_accept(*, actor: Actor, token: str) -> Membership:
    """The invited person, logged in with an account of the invited address, takes the role.

    A token that does not exist, was withdrawn or used, or has expired is one and the same
    NotFound; an account of another address is refused and changes nothing."""
    if actor.user_id is None:
        raise PermissionDenied(_("Log in to accept the invitation."))
    with transaction.atomic():
        invitation = (
            Invitation.objects.select_for_update()
            .select_related("organisation")
            .filter(token_hash=invitation_token_hash(token))
            .first()
        )
        if invitation is None or not _is_open(invitation):
            raise NotFound("invitation")
        user = get_user_model().objects.get(id=actor.user_id)
        if not user.is_active or (user.email or "").strip().lower() != invitation.email:
            raise PermissionDenied(
                _(
                    "The invitation was sent to another e-mail address than your account's. "
                    "Log in with the account of the address the invitation came to."
                )
            )
        membership, created = Membership.objects.get_or_create(
            user=user, organisation=invitation.organisation, role=invitation.role
        )
        invitation.accepted_at = timezone.now()
        invitation.accepted_by = user
        invitation.save(update_fields=["accepted_at", "accepted_by", "updated_at"])
        audit_record(
            actor=actor,
            action="organisations.invitation_accepted",
            obj=membership,
            organisation_id=invitation.organisation_id,
            after={
                **snapshot(membership, MEMBERSHIP_FIELDS),
                "invitation_id": invitation.id,
                "new_membership": created,
            },
        )
    return membership


def _is_open(invitation: Invitation) -> bool:
    return (
        invitation.accepted_at is None
        and invitation.cancelled_at is None
        and invitation.expires_at > timezone.now()
    )


def _valid_address(email: str) -> str:
    address = email.strip().lower()
    try:
        if len(address) > MAX_ADDRESS_LENGTH:  # RFC 5321 §4.5.3.1.3 (and the column)
            raise DjangoValidationError("too long")
        validate_email(address)
    except DjangoValidationError:
        message = _("Enter a valid e-mail address.")
        raise ValidationFailed(message, errors={"email": [str(message)]}) from None
    return address


def _tell_invited(actor: Actor, invitation: Invitation, token: str) -> None:
    """The e-mail to the address, and an inbox row for any account of it. The administrator is
    not told which happened."""
    context = {
        "agency": invitation.organisation.name,
        "role_sv": _role_label(invitation.role, "sv"),
        "role_en": _role_label(invitation.role, "en"),
        "expires": invitation.expires_at.date().isoformat(),
    }
    link = reverse("organisations:invitation_accept", args=[token])
    notify_address(invitation.email, INVITATION_KIND, context, link, language="sv")
    accounts = get_user_model().objects.filter(is_active=True, email__iexact=invitation.email)
    notify(
        list(accounts.values_list("id", flat=True)),
        INVITATION_KIND,
        context,
        link,
        actor=actor,
        channels=["in_app"],
    )


def _role_label(role: str, language: str) -> str:
    with translation.override(language):
        return str(Role(role).label)


def membership_ensure(*, user: User, organisation: Organisation, role: str) -> bool:
    """The user holds `role` in the agency; True when the membership was created now. Inside the
    caller's transaction; the caller's audit record tells whether it was created (an e-ID login
    makes the official a member of the agency in their credential, `identity.login`)."""
    _, created = Membership.objects.get_or_create(user=user, organisation=organisation, role=role)
    return created


def membership_change_role(
    *, actor: Actor, organisation_id: int, membership_id: int, role: str
) -> Membership:
    """Give a membership another role; the agency keeps at least one administrator."""
    with transaction.atomic():
        organisation = _managed_organisation(actor, organisation_id)
        membership = _locked_membership(actor, organisation, membership_id)
        role = _assignable_role(organisation, role)
        if role == membership.role:
            return membership
        if Membership.objects.filter(
            user_id=membership.user_id, organisation=organisation, role=role
        ).exists():
            raise _duplicate(membership.user, role)
        _refuse_losing_last_administrator(organisation, membership)
        before = snapshot(membership, MEMBERSHIP_FIELDS)
        membership.role = role
        membership.save(update_fields=["role", "updated_at"])
        audit_record(
            actor=actor,
            action="organisations.membership_role_changed",
            obj=membership,
            organisation_id=organisation.id,
            before=before,
            after=snapshot(membership, MEMBERSHIP_FIELDS),
        )
    return membership


#: What else ends with a person's membership of an agency: `hook(user_id, organisation_id)`,
#: run inside `membership_end`'s transaction, so what it changes ends with the membership or
#: not at all, and a refusal it raises (a domain error) refuses the end. Work that needs the
#: network is queued on commit by the hook itself. Registered from an app's `ready()`.
MembershipEndHook = Callable[[int, int], None]
_membership_end_hooks: dict[str, MembershipEndHook] = {}


def register_membership_end_hook(name: str, hook: MembershipEndHook) -> None:
    _membership_end_hooks[name] = hook


def membership_end(*, actor: Actor, organisation_id: int, membership_id: int) -> None:
    """End a membership (the user keeps any other role); never the agency's last administrator.
    What the person held for the agency elsewhere (SAFOS workspaces, chat) ends with it."""
    with transaction.atomic():
        organisation = _managed_organisation(actor, organisation_id)
        membership = _locked_membership(actor, organisation, membership_id)
        _refuse_losing_last_administrator(organisation, membership)
        before = snapshot(membership, MEMBERSHIP_FIELDS)
        audit_record(
            actor=actor,
            action="organisations.membership_ended",
            obj=membership,
            organisation_id=organisation.id,
            before=before,
        )
        user_id = membership.user_id
        membership.delete()
        if not Membership.objects.filter(user_id=user_id, organisation=organisation).exists():
            for hook in list(_membership_end_hooks.values()):
                hook(user_id, organisation.id)


def _managed_organisation(actor: Actor, organisation_id: int) -> Organisation:
    # Another agency's is missing (404) before it is forbidden (403): nothing about it leaks.
    organisation = organisation_get(actor=actor, org_id=organisation_id)
    if not can_manage_members(actor, organisation):
        raise PermissionDenied(_("Only the agency's administrators may manage its members."))
    return organisation


def _locked_membership(actor: Actor, organisation: Organisation, membership_id: int) -> Membership:
    membership_get(actor=actor, organisation=organisation, membership_id=membership_id)
    return (
        Membership.objects.select_for_update(of=("self",))
        .select_related("user")
        .get(id=membership_id)
    )


def _assignable_role(organisation: Organisation, role: str) -> Role:
    allowed = assignable_roles(organisation)
    if role not in allowed:
        message = _("There is no role %(role)s in this kind of agency; choose one of: %(roles)s.")
        params = {"role": role, "roles": ", ".join(allowed)}
        if role in Role.values:
            # A real role, of the other kind of agency: a rule about this agency (409), not
            # malformed input; the API's schema already lists every role there is.
            raise BusinessRuleViolation(message, code="role_not_in_kind", **params)
        raise ValidationFailed(message, errors={"role": [str(message) % params]}, **params)
    return Role(role)


def _duplicate(user: User, role: str) -> BusinessRuleViolation:
    return BusinessRuleViolation(
        _("%(user)s already has the role %(role)s in this agency."),
        code="duplicate_membership",
        user=user.get_username(),
        role=Role(role).label,
    )


def _refuse_losing_last_administrator(organisation: Organisation, membership: Membership) -> None:
    admin = administrator_role(organisation)
    if membership.role != admin:
        return
    # Lock every administrator row, so two administrators removing each other at once cannot
    # both succeed.
    admins = (
        Membership.objects.select_for_update(of=("self",))
        .select_related("user")
        .filter(organisation=organisation, role=admin)
    )
    if not any(other.id != membership.id and other.user.is_active for other in admins):
        raise BusinessRuleViolation(
            _(
                "%(user)s is the agency's last administrator (%(role)s). Give someone else that "
                "role first."
            ),
            code="last_administrator",
            user=membership.user.get_username(),
            role=admin.label,
        )


def notify_agency_contacts(
    *, actor: Actor, org_ids: Iterable[int], kind: str, context: dict[str, Any], link: str
) -> dict[int, int]:
    """Tell the contacts of each agency, each of its own agency only (`agency` is added to the
    context): an incident reaching them, an advisory about their services. Three reads and one
    insert whatever the number of agencies. Returns the number of notifications per agency."""
    wanted = sorted(set(org_ids))
    names = dict(organisations_by_id(wanted).values_list("id", "name"))
    contacts: dict[int, list[int]] = {org_id: [] for org_id in wanted}
    for org_id, _role, user_id in members_in_roles(wanted, [Role.CONTACT]):
        contacts[org_id].append(user_id)
    groups = [(contacts[org_id], {**context, "agency": names.get(org_id, "")}) for org_id in wanted]
    written = notify_groups(groups, kind, link=link, actor=actor)
    return {org_id: len(rows) for org_id, rows in zip(wanted, written, strict=True)}
