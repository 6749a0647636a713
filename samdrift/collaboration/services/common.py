"""What every write shares: the refusals (sv+en in the catalogue), the locked reads of a workspace
or document through the actor's scope, and the small checks (ADRs 0600-0603)."""

from __future__ import annotations

from typing import Any

from django.conf import settings
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from samdrift.core.actor import Actor
from samdrift.core.exceptions import BusinessRuleViolation, NotFound, ValidationFailed

from ..choices import Role
from ..models import ActiveUser, Document, Member, Workspace
from ..permissions import document_abilities, workspace_abilities
from ..selectors import require_level, workspace_scope

NOT_CONNECTED = _(
    "%(agency)s is not connected to SAFOS and cannot own workspaces. Its officials can be "
    "invited as guests."
)
NOT_YOUR_AGENCY = _("You can only act for an agency you work for.")
LAST_OWNER = _("A workspace must always keep an owner. Transfer the ownership first.")
GUESTS_FORBIDDEN = _(
    "Confidentiality class %(cls)s does not allow guests from agencies not connected to SAFOS."
)
HAS_GUESTS = _(
    "The workspace has guests, and class %(cls)s does not allow guests. Remove them first."
)
LOWER_NEEDS_SECURITY = _(
    "Only the owning agency's security role may lower a confidentiality class."
)
BELOW_WORKSPACE = _("A document may not be less protected than its workspace (class %(cls)s).")
LOCKED = _("%(name)s is checked out by %(who)s. Wait until it is checked in.")
ALREADY_LOCKED = _("The document is already checked out.")
QUOTA = _("The workspace's quota is full: %(free)s MB free of %(quota)s MB. Nothing was stored.")
AGENCY_QUOTA = _(
    "The owning agency's quota for all its workspaces is full: %(free)s MB free of %(quota)s MB. "
    "Nothing was stored."
)
NAME_TAKEN = _("There is already a folder with that name here.")
BAD_EMAIL = _("Enter a valid e-mail address.")
BAD_ROLE = _("Choose a role: reader, commenter or editor.")
TRASHED = _("The document is in the trash. Restore it first.")
TRANSFER_GUEST = _("Ownership can only go to a member whose agency is connected to SAFOS.")
NOT_ALLOWED = _("You may not do this in this workspace.")
CONFIRM_EMAIL = _("The invitation was made for another e-mail address.")


class Refused(BusinessRuleViolation):
    code = "refused"


def _refuse(message: Any, **params: Any) -> Refused:
    return Refused(message, **params)


def _locked_workspace(workspace_id: int, actor: Actor | None = None) -> Workspace:
    """The workspace under lock; with an actor, only one in the actor's sight (a foreign id is
    missing, at the same cost)."""
    queryset = Workspace.objects.select_for_update()
    if actor is not None:
        queryset = queryset.filter(workspace_scope(actor))
    try:
        return queryset.get(id=workspace_id)
    except (Workspace.DoesNotExist, ValueError, TypeError):
        raise NotFound("workspace") from None


def _member_of(actor: Actor, workspace_id: int) -> Member | None:
    if actor.user_id is None:
        return None
    return Member.objects.filter(workspace_id=workspace_id, user_id=actor.user_id).first()


def note_active(user_id: int | None, organisation_id: int | None) -> None:
    """The person used SAFOS this month for this agency (ADR 0611): one row per month, agency and
    person, the first time only (an insert that ignores the row already there)."""
    if user_id is None or organisation_id is None:
        return
    month = timezone.localdate().replace(day=1)
    ActiveUser.objects.bulk_create(
        [ActiveUser(month=month, organisation_id=organisation_id, user_id=user_id)],
        ignore_conflicts=True,
    )


def _workspace_for(
    actor: Actor, workspace_id: int, ability: str
) -> tuple[Workspace, Member | None]:
    """The workspace under lock, when the actor sees it and has `ability`: else NotFound (not in
    sight) or Refused (in sight, but not allowed)."""
    workspace = _locked_workspace(workspace_id, actor)
    member = _member_of(actor, workspace_id)
    abilities = workspace_abilities(actor=actor, workspace=workspace, member=member)
    if not abilities["view"]:
        raise NotFound("workspace")
    require_level(actor, workspace.classification)
    if not abilities.get(ability):
        raise _refuse(NOT_ALLOWED)
    if member is not None:
        note_active(member.user_id, member.organisation_id)
    return workspace, member


def _document_for(actor: Actor, document_id: int, ability: str) -> tuple[Document, Member | None]:
    try:
        document = (
            Document.objects.select_for_update(of=("self",))
            .select_related("workspace")
            .filter(workspace__in=Workspace.objects.filter(workspace_scope(actor)))
            .get(id=document_id)
        )
    except (Document.DoesNotExist, ValueError, TypeError):
        raise NotFound("document") from None
    member = _member_of(actor, document.workspace_id)
    abilities = document_abilities(
        actor=actor, document=document, workspace=document.workspace, member=member
    )
    if not abilities["view"]:
        raise NotFound("document")
    require_level(actor, document.classification)
    if not abilities.get(ability):
        if document.trashed_at is not None:
            raise _refuse(TRASHED)
        if document.locked_by_id and document.locked_by_id != actor.user_id:
            raise _locked(document)
        raise _refuse(NOT_ALLOWED)
    if member is not None:
        note_active(member.user_id, member.organisation_id)
    return document, member


def _locked(document: Document) -> Refused:
    who = str(document.locked_by) if document.locked_by_id else "?"
    return _refuse(LOCKED, name=document.name, who=who)


def _user_id(actor: Actor) -> int:
    """A person's id: membership is for people, never for the system actor."""
    if actor.user_id is None:
        raise _refuse(NOT_ALLOWED)
    return actor.user_id


def _own_org(actor: Actor, organisation_id: int | None) -> int:
    """The agency the actor acts for: the one named (if it is theirs), or their only one."""
    own = sorted(actor.member_org_ids | actor.provider_org_ids)
    if organisation_id is None and len(own) == 1:
        return own[0]
    if organisation_id is not None and organisation_id in own:
        return organisation_id
    raise ValidationFailed(NOT_YOUR_AGENCY, errors={"organisation": [str(NOT_YOUR_AGENCY)]})


def _ensure_owner(workspace_id: int) -> None:
    """The invariant: a workspace always has an owner (checked before every commit that could
    break it; the test suite tries each way)."""
    if not Member.objects.filter(workspace_id=workspace_id, role=Role.OWNER).exists():
        raise _refuse(LAST_OWNER)


def _parse_role(role: str, *, allow_owner: bool = False) -> str:
    allowed = {Role.READER, Role.COMMENTER, Role.EDITOR} | ({Role.OWNER} if allow_owner else set())
    if role not in {r.value for r in allowed}:
        raise ValidationFailed(BAD_ROLE, errors={"role": [str(BAD_ROLE)]})
    return role


def default_quota() -> int:
    return int(getattr(settings, "SAMDRIFT_COLLABORATION_QUOTA_BYTES", 10 * 1024**3))
