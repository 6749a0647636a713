"""Writes to agencies: the register import and memberships."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import TYPE_CHECKING

from django.db import transaction
from django.utils.translation import gettext_lazy as _

from samdrift.audit.services import audit_record, snapshot
from samdrift.core.exceptions import PermissionDenied

from .choices import CUSTOMER_ROLES, PROVIDER_ROLES, OrganisationKind
from .importing import AgencyRow, RowError, parse_agency_csv
from .models import Membership, Organisation

if TYPE_CHECKING:
    from samdrift.accounts.actor import Actor
    from samdrift.accounts.models import User

IMPORT_FIELDS = ("org_number", "ministry", "register_group", "employees", "parent_id", "is_group")


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


def import_agencies(*, actor: Actor, text: str) -> ImportResult:
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


def membership_add(
    *, actor: Actor, user: User, organisation: Organisation, role: str
) -> Membership:
    """Give a user a role in an agency. Provider roles exist only in provider agencies."""
    if not actor.has_provider_role("provider_admin"):
        raise PermissionDenied(_("Only a provider administrator may change memberships."))
    allowed = PROVIDER_ROLES if organisation.kind == OrganisationKind.PROVIDER else CUSTOMER_ROLES
    if role not in allowed:
        from samdrift.core.exceptions import BusinessRuleViolation

        raise BusinessRuleViolation(
            _("The role %(role)s does not exist in this kind of agency."), role=role
        )
    with transaction.atomic():
        membership, _created = Membership.objects.get_or_create(
            user=user, organisation=organisation, role=role
        )
        audit_record(
            actor=actor,
            action="organisations.membership_added",
            obj=membership,
            organisation_id=organisation.id,
            after=snapshot(membership),
        )
    return membership
