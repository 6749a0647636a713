"""Writes of workspaces and documents: one transaction, one audit record each (ADRs 0600–0603).

Every service re-reads its row under a lock and asks the abilities there, so a page that showed a
button a moment ago cannot act on stale rights. Uploads write their bytes before the transaction
opens (`samdrift.core.files.services.staged`) and link them inside it; if anything refuses, the
bytes are removed again and nothing is recorded.

Hook points for what is built beside this app (ADR 0602): `register_version_hook(fn)` — `fn(version
id)` runs after the commit of every new version (text extraction for search, malware scanning,
the accessibility check of PDFs); `record_read(...)` is what a preview, a share link or a search
hit calls to record that it revealed a document's content.
"""

from __future__ import annotations

import logging
from collections.abc import Callable
from typing import IO, Any

from django.conf import settings
from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from samdrift.audit.services import audit_read, audit_record, snapshot
from samdrift.core.actor import SYSTEM, Actor
from samdrift.core.exceptions import BusinessRuleViolation, NotFound, ValidationFailed
from samdrift.core.files.scanning import require_clean
from samdrift.core.files.services import FileTooLarge, max_upload_bytes, staged
from samdrift.core.search import services as search_index
from samdrift.core.search.tasks import index_stored_file
from samdrift.organisations.selectors import organisation_get

from .choices import InvitationState, ReadAccess, Role
from .models import Document, Folder, Invitation, Member, Version, Workspace
from .permissions import document_abilities, is_security_officer, workspace_abilities
from .policy import parse_classification, policy_for
from .selectors import (
    SEARCH_KIND,
    DocumentAccess,
    DocumentHit,
    actor_email,
    agency_connected,
    document_search,
    in_folder,
    my_invitation_get,
    require_level,
    search_key,
    used_bytes,
    workspace_scope,
)
from .validation import check_content, check_name

log = logging.getLogger(__name__)

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


# --- hooks --------------------------------------------------------------------------------------

VersionHook = Callable[[int], None]
_version_hooks: dict[str, VersionHook] = {}


def register_version_hook(name: str, hook: VersionHook) -> None:
    """`hook(version_id)` runs after the commit of every new version (search, scanning, checks).
    Called from an app's `AppConfig.ready()`; a name registered again is replaced."""
    _version_hooks[name] = hook


def _run_version_hooks(version_id: int) -> None:
    for name, hook in list(_version_hooks.items()):
        try:
            hook(version_id)
        except Exception:  # one hook's failure must not hide the upload or stop the others
            log.exception("version hook %s failed for version %s", name, version_id)


# --- search (ADR 0607) --------------------------------------------------------------------------


def index_version(version_id: int) -> None:
    """A version hook: the document is (re)indexed in the background from its newest version,
    under its workspace's key; a trashed document is not indexed."""
    version = (
        Version.objects.select_related("document", "document__workspace")
        .filter(id=version_id)
        .first()
    )
    if version is None or version.document.trashed_at is not None:
        return
    newest = version.document.versions.order_by("-number").values_list("id", flat=True).first()
    if newest != version.id:
        return  # an older version's hook after a newer one: the newer one indexes
    workspace = version.document.workspace
    index_stored_file.enqueue(
        SEARCH_KIND,
        str(version.document_id),
        search_key(workspace.id),
        version.document.name,
        str(version.file_id),
        "",
        workspace.owner_org_id,
    )


register_version_hook("search", index_version)


def _reindex_document(document: Document) -> None:
    newest = document.versions.order_by("-number").values_list("id", flat=True).first()
    if newest is not None:
        transaction.on_commit(lambda: index_version(newest))


def search(
    *, actor: Actor, query: str | None, limit: int = 20, offset: int = 0
) -> tuple[list[DocumentHit], bool]:
    """The actor's search; each hit shows a snippet of content, so each is an audit read
    (`ReadAccess.SEARCH_HIT`, ADR 0605)."""
    hits, has_next = document_search(actor=actor, query=query, limit=limit, offset=offset)
    for found in hits:
        record_read(
            actor=actor, access=found.access, version=found.version, how=ReadAccess.SEARCH_HIT
        )
    return hits, has_next


# --- helpers ------------------------------------------------------------------------------------


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


# --- workspaces ---------------------------------------------------------------------------------


def workspace_create(
    *,
    actor: Actor,
    name: str,
    classification: Any,
    organisation_id: int | None = None,
    description: str = "",
    quota_bytes: int | None = None,
) -> Workspace:
    clean = check_name(name)
    level = parse_classification(classification)
    org_id = _own_org(actor, organisation_id)
    require_level(actor, level)
    if not agency_connected(org_id=org_id):
        agency = organisation_get(actor=SYSTEM, org_id=org_id).name
        raise _refuse(NOT_CONNECTED, agency=agency)
    with transaction.atomic():
        workspace = Workspace.objects.create(
            name=clean,
            description=description.strip()[:5000],
            owner_org_id=org_id,
            classification=level,
            quota_bytes=quota_bytes or default_quota(),
            created_by_id=actor.user_id,
        )
        Member.objects.create(
            workspace=workspace, user_id=_user_id(actor), organisation_id=org_id, role=Role.OWNER
        )
        audit_record(
            actor=actor,
            action="collaboration.workspace_create",
            obj=workspace,
            organisation_id=org_id,
            after=snapshot(workspace, ["name", "owner_org_id", "classification", "quota_bytes"]),
        )
    return workspace


def workspace_classify(*, actor: Actor, workspace_id: int, classification: Any) -> Workspace:
    """Raise (owner) or lower (the owner agency's security role) the workspace's class. Raising
    lifts every document below the new class to it, so none is less protected than its
    workspace; lowering leaves documents as they are."""
    level = parse_classification(classification)
    with transaction.atomic():
        workspace = _locked_workspace(workspace_id, actor)
        member = _member_of(actor, workspace_id)
        abilities = workspace_abilities(actor=actor, workspace=workspace, member=member)
        if not abilities["view"]:
            raise NotFound("workspace")
        require_level(actor, max(level, workspace.classification))
        before = snapshot(workspace, ["classification"])
        if level == workspace.classification:
            return workspace
        if level < workspace.classification and not abilities["lower_class"]:
            raise _refuse(LOWER_NEEDS_SECURITY)
        if level > workspace.classification and not (
            abilities["raise_class"] or abilities["lower_class"]
        ):
            raise _refuse(NOT_ALLOWED)
        if not policy_for(level).guests_allowed and workspace.members.filter(is_guest=True):
            raise _refuse(HAS_GUESTS, cls=level)
        workspace.classification = level
        workspace.save(update_fields=["classification", "updated_at"])
        raised = workspace.documents.filter(classification__lt=level).update(classification=level)
        audit_record(
            actor=actor,
            action="collaboration.workspace_classify",
            obj=workspace,
            organisation_id=workspace.owner_org_id,
            before=before,
            after={"classification": level, "documents_raised": raised},
        )
    return workspace


def invite(*, actor: Actor, workspace_id: int, email: str, role: str) -> Invitation:
    """Invite an e-mail address. The answer is the same whether samdrift knows the address or
    not, so an invitation reveals nothing about who exists (ADR 0600)."""
    address = (email or "").strip().lower()
    if "@" not in address or len(address) > 254 or address.startswith("@") or " " in address:
        raise ValidationFailed(BAD_EMAIL, errors={"email": [str(BAD_EMAIL)]})
    role = _parse_role(role)
    with transaction.atomic():
        workspace, _member = _workspace_for(actor, workspace_id, "invite")
        invitation = workspace.invitations.filter(
            email=address, state=InvitationState.PENDING
        ).first()
        if invitation is None:
            invitation = Invitation.objects.create(
                workspace=workspace, email=address, role=role, invited_by_id=actor.user_id
            )
        else:
            invitation.role = role
            invitation.save(update_fields=["role"])
        audit_record(
            actor=actor,
            action="collaboration.invite",
            obj=invitation,
            organisation_id=workspace.owner_org_id,
            after={"workspace": workspace.id, "email": address, "role": role},
        )
    return invitation


def invitation_revoke(*, actor: Actor, workspace_id: int, invitation_id: int) -> None:
    with transaction.atomic():
        workspace, _member = _workspace_for(actor, workspace_id, "invite")
        invitation = (
            workspace.invitations.select_for_update()
            .filter(id=invitation_id, state=InvitationState.PENDING)
            .first()
        )
        if invitation is None:
            raise NotFound("invitation")
        invitation.state = InvitationState.REVOKED
        invitation.responded_at = timezone.now()
        invitation.save(update_fields=["state", "responded_at"])
        audit_record(
            actor=actor,
            action="collaboration.invitation_revoke",
            obj=invitation,
            organisation_id=workspace.owner_org_id,
        )


def invitation_accept(
    *, actor: Actor, invitation_id: int, organisation_id: int | None = None
) -> Member:
    """The invited person, logged in, joins for one of their agencies. A guest (agency not
    connected to SAFOS) must have logged in with an e-ID (level 2 or more) and the workspace's
    class must allow guests."""
    found = my_invitation_get(actor=actor, invitation_id=invitation_id)
    org_id = _own_org(actor, organisation_id)
    guest = not agency_connected(org_id=org_id)
    with transaction.atomic():
        invitation = Invitation.objects.select_for_update().get(id=found.id)
        if invitation.state != InvitationState.PENDING or invitation.email != actor_email(actor):
            raise NotFound("invitation")
        workspace = _locked_workspace(invitation.workspace_id)
        policy = policy_for(workspace.classification)
        require_level(actor, workspace.classification)
        if guest and not policy.guests_allowed:
            raise _refuse(GUESTS_FORBIDDEN, cls=workspace.classification)
        if guest:
            require_level(actor, max(workspace.classification, 1))  # an e-ID login (class 1: 2)
        member = _member_of(actor, workspace.id)
        if member is None:
            member = Member.objects.create(
                workspace=workspace,
                user_id=_user_id(actor),
                organisation_id=org_id,
                role=invitation.role,
                is_guest=guest,
            )
        invitation.state = InvitationState.ACCEPTED
        invitation.responded_at = timezone.now()
        invitation.save(update_fields=["state", "responded_at"])
        audit_record(
            actor=actor,
            action="collaboration.invitation_accept",
            obj=member,
            organisation_id=workspace.owner_org_id,
            after={"workspace": workspace.id, "role": member.role, "guest": guest,
                   "organisation": org_id},
        )  # fmt: skip
    return member


def invitation_decline(*, actor: Actor, invitation_id: int) -> None:
    found = my_invitation_get(actor=actor, invitation_id=invitation_id)
    with transaction.atomic():
        invitation = Invitation.objects.select_for_update().get(id=found.id)
        if invitation.state != InvitationState.PENDING:
            raise NotFound("invitation")
        invitation.state = InvitationState.DECLINED
        invitation.responded_at = timezone.now()
        invitation.save(update_fields=["state", "responded_at"])
        audit_record(
            actor=actor,
            action="collaboration.invitation_decline",
            obj=invitation,
            organisation_id=invitation.workspace.owner_org_id,
        )


def member_set_role(*, actor: Actor, workspace_id: int, member_id: int, role: str) -> Member:
    role = _parse_role(role)
    with transaction.atomic():
        workspace, _me = _workspace_for(actor, workspace_id, "manage_members")
        member = workspace.members.select_for_update().filter(id=member_id).first()
        if member is None:
            raise NotFound("member")
        before = snapshot(member, ["role"])
        member.role = role
        member.save(update_fields=["role"])
        _ensure_owner(workspace.id)
        audit_record(
            actor=actor,
            action="collaboration.member_role",
            obj=member,
            organisation_id=workspace.owner_org_id,
            before=before,
            after={"role": role},
        )
    return member


def member_remove(*, actor: Actor, workspace_id: int, member_id: int) -> None:
    with transaction.atomic():
        workspace, _me = _workspace_for(actor, workspace_id, "manage_members")
        member = workspace.members.select_for_update().filter(id=member_id).first()
        if member is None:
            raise NotFound("member")
        _remove(actor, workspace, member, "collaboration.member_remove")


def leave(*, actor: Actor, workspace_id: int) -> None:
    with transaction.atomic():
        workspace, member = _workspace_for(actor, workspace_id, "leave")
        if member is None:  # the security role sees the workspace without being in it
            raise _refuse(NOT_ALLOWED)
        _remove(actor, workspace, member, "collaboration.leave")


def _remove(actor: Actor, workspace: Workspace, member: Member, action: str) -> None:
    before = snapshot(member, ["user_id", "organisation_id", "role", "is_guest"])
    member.delete()
    _ensure_owner(workspace.id)
    Document.objects.filter(workspace=workspace, locked_by_id=before["user_id"]).update(
        locked_by=None, locked_at=None
    )
    audit_record(
        actor=actor,
        action=action,
        object_type="collaboration.member",
        object_id=before["user_id"],
        organisation_id=workspace.owner_org_id,
        before=before,
    )


def transfer_ownership(*, actor: Actor, workspace_id: int, member_id: int) -> Workspace:
    """Make another member the owner; the workspace then belongs to that member's agency (which
    must be connected to SAFOS). The previous owner stays as an editor."""
    with transaction.atomic():
        workspace, me = _workspace_for(actor, workspace_id, "transfer")
        target = workspace.members.select_for_update().filter(id=member_id).first()
        if target is None:
            raise NotFound("member")
        if target.is_guest or not agency_connected(org_id=target.organisation_id):
            raise _refuse(TRANSFER_GUEST)
        before = {"owner_org_id": workspace.owner_org_id, "owner": me.user_id if me else None}
        target.role = Role.OWNER
        target.save(update_fields=["role"])
        if me is not None and me.id != target.id:
            me.role = Role.EDITOR
            me.save(update_fields=["role"])
        workspace.owner_org_id = target.organisation_id
        workspace.save(update_fields=["owner_org", "updated_at"])
        _ensure_owner(workspace.id)
        audit_record(
            actor=actor,
            action="collaboration.transfer",
            obj=workspace,
            organisation_id=workspace.owner_org_id,
            before=before,
            after={"owner_org_id": target.organisation_id, "owner": target.user_id},
        )
    return workspace


# --- folders and documents ----------------------------------------------------------------------


def folder_create(
    *, actor: Actor, workspace_id: int, name: str, parent_id: int | None = None
) -> Folder:
    clean = check_name(name)
    with transaction.atomic():
        workspace, _me = _workspace_for(actor, workspace_id, "make_folder")
        if parent_id is not None and not workspace.folders.filter(id=parent_id).exists():
            raise NotFound("folder")
        if workspace.folders.filter(parent_id=parent_id, name=clean).exists():
            raise ValidationFailed(NAME_TAKEN, errors={"name": [str(NAME_TAKEN)]})
        try:
            with transaction.atomic():
                folder = Folder.objects.create(workspace=workspace, parent_id=parent_id, name=clean)
        except IntegrityError:
            raise ValidationFailed(NAME_TAKEN, errors={"name": [str(NAME_TAKEN)]}) from None
        audit_record(
            actor=actor,
            action="collaboration.folder_create",
            obj=folder,
            organisation_id=workspace.owner_org_id,
            after={"workspace": workspace.id, "name": clean, "parent": parent_id},
        )
    return folder


def _quota_refusal(workspace: Workspace, used: int) -> ValidationFailed:
    free = max(workspace.quota_bytes - used, 0)
    params = {
        "free": f"{free / 1024 / 1024:.1f}",
        "quota": f"{workspace.quota_bytes / 1024 / 1024:.1f}",
    }
    return ValidationFailed(
        QUOTA, errors={"file": [str(QUOTA) % params]}, code="quota_exceeded", **params
    )


def upload(
    *,
    actor: Actor,
    workspace_id: int,
    stream: IO[bytes] | Any,
    name: str,
    content_type: str | None = None,
    folder_id: int | None = None,
    document_id: int | None = None,
    classification: Any = None,
) -> Version:
    """Store a file as a new document, or as a new version of `document_id` (or of the document
    of the same name in the same folder). Refused before a byte is kept: unsafe names, content
    that does not match its extension, over the size limit or the quota, empty files, a document
    checked out by someone else, malware (or no scanner to ask)."""
    clean = check_name(name, "file")
    check_content(stream, clean)
    # A first look, outside the transaction, to refuse early and to cap the stream.
    workspace = Workspace.objects.filter(workspace_scope(actor), id=workspace_id).first()
    if workspace is None:
        raise NotFound("workspace")
    limit = max_upload_bytes()
    used = used_bytes(workspace_id=workspace_id)
    room = workspace.quota_bytes - used
    declared = getattr(stream, "size", None)
    if room <= 0 or (isinstance(declared, int) and declared > room and declared <= limit):
        raise _quota_refusal(workspace, used)
    level = parse_classification(classification) if classification not in (None, "") else None
    # Malware scanning before a byte is stored (ADR 0606): infected is refused (422), an
    # unreachable scanner refuses too (503, fail closed); `SAMDRIFT_CLAMD` empty = off (dev).
    require_clean(stream)
    try:
        with (
            staged(
                stream,
                clean,
                content_type,
                actor=actor,
                owner_org_id=workspace.owner_org_id,
                max_bytes=min(limit, room),
            ) as stored,
            transaction.atomic(),
        ):
            version = _link_version(
                actor, workspace_id, stored, clean, folder_id, document_id, level
            )
    except FileTooLarge:
        if room < limit:
            raise _quota_refusal(workspace, used) from None
        raise
    transaction.on_commit(lambda: _run_version_hooks(version.id))
    return version


def _link_version(
    actor: Actor,
    workspace_id: int,
    stored: Any,
    name: str,
    folder_id: int | None,
    document_id: int | None,
    level: int | None,
) -> Version:
    workspace, _me = _workspace_for(actor, workspace_id, "upload")
    used = used_bytes(workspace_id=workspace.id)  # again, under the workspace's lock
    if used + stored.size > workspace.quota_bytes:
        raise _quota_refusal(workspace, used)
    if folder_id is not None and not workspace.folders.filter(id=folder_id).exists():
        raise NotFound("folder")
    document: Document | None
    if document_id is not None:
        document = workspace.documents.select_for_update().filter(id=document_id).first()
        if document is None:
            raise NotFound("document")
    else:
        document = (
            workspace.documents.select_for_update()
            .filter(**in_folder(folder_id), name=name, trashed_at__isnull=True)
            .first()
        )
    created = document is None
    if document is None:
        cls = workspace.classification if level is None else level
        if cls < workspace.classification:
            raise ValidationFailed(BELOW_WORKSPACE, errors={"classification": [str(BELOW_WORKSPACE) % {"cls": workspace.classification}]}, cls=workspace.classification)  # fmt: skip
        require_level(actor, cls)
        document = Document.objects.create(
            workspace=workspace,
            folder_id=folder_id,
            name=name,
            classification=cls,
            created_by_id=actor.user_id,
        )
    else:
        require_level(actor, document.classification)
        if document.trashed_at is not None:
            raise _refuse(TRASHED)
        if document.locked_by_id and document.locked_by_id != actor.user_id:
            raise _locked(document)
    stored.save(force_insert=True)
    last = document.versions.order_by("-number").values_list("number", flat=True).first() or 0
    version = Version.objects.create(
        document=document,
        number=last + 1,
        file=stored,
        size=stored.size,
        sha256=stored.sha256,
        content_type=stored.content_type,
        created_by_id=actor.user_id,
    )
    Document.objects.filter(id=document.id).update(updated_at=timezone.now())
    audit_record(
        actor=actor,
        action="collaboration.document_create" if created else "collaboration.version_add",
        obj=document,
        organisation_id=workspace.owner_org_id,
        after={"version": version.number, "size": version.size, "sha256": version.sha256,
               "name": document.name, "classification": document.classification},
    )  # fmt: skip
    return version


def version_restore(*, actor: Actor, document_id: int, number: int) -> Version:
    """A new version with an old version's bytes (nothing is copied; the quota is not charged)."""
    with transaction.atomic():
        document, _me = _document_for(actor, document_id, "restore_version")
        old = document.versions.filter(number=number).first()
        if old is None:
            raise NotFound("version")
        last = document.versions.order_by("-number").values_list("number", flat=True).first()
        version = Version.objects.create(
            document=document,
            number=(last or 0) + 1,
            file_id=old.file_id,
            size=old.size,
            sha256=old.sha256,
            content_type=old.content_type,
            restored_from=old,
            created_by_id=actor.user_id,
        )
        audit_record(
            actor=actor,
            action="collaboration.version_restore",
            obj=document,
            organisation_id=document.workspace.owner_org_id,
            after={"version": version.number, "restored_from": old.number},
        )
    transaction.on_commit(lambda: _run_version_hooks(version.id))
    return version


def _document_change(
    actor: Actor, document_id: int, ability: str, action: str, **fields: Any
) -> Document:
    with transaction.atomic():
        document, _me = _document_for(actor, document_id, ability)
        before = snapshot(document, list(fields))
        for field, value in fields.items():
            setattr(document, field, value)
        document.save(update_fields=[*fields, "updated_at"])
        audit_record(
            actor=actor,
            action=action,
            obj=document,
            organisation_id=document.workspace.owner_org_id,
            before=before,
            after=snapshot(document, list(fields)),
        )
    return document


def document_lock(*, actor: Actor, document_id: int) -> Document:
    with transaction.atomic():
        current, _me = _document_for(actor, document_id, "view")
        if current.locked_by_id is not None:
            if current.locked_by_id == actor.user_id:
                raise _refuse(ALREADY_LOCKED)
            raise _locked(current)
        return _document_change(
            actor,
            document_id,
            "lock",
            "collaboration.document_lock",
            locked_by_id=actor.user_id,
            locked_at=timezone.now(),
        )


def document_unlock(*, actor: Actor, document_id: int) -> Document:
    return _document_change(
        actor,
        document_id,
        "unlock",
        "collaboration.document_unlock",
        locked_by_id=None,
        locked_at=None,
    )


def document_trash(*, actor: Actor, document_id: int) -> Document:
    with transaction.atomic():
        document = _document_change(
            actor,
            document_id,
            "trash",
            "collaboration.document_trash",
            trashed_at=timezone.now(),
            trashed_by_id=actor.user_id,
            locked_by_id=None,
            locked_at=None,
        )
        # out of the index once the trashing is committed; back in on untrash (ADR 0607)
        transaction.on_commit(
            lambda: search_index.remove_entry(kind=SEARCH_KIND, object_id=document_id)
        )
    return document


def document_untrash(*, actor: Actor, document_id: int) -> Document:
    with transaction.atomic():
        document, _me = _document_for(actor, document_id, "untrash")
        if document.workspace.documents.filter(
            **in_folder(document.folder_id), name=document.name, trashed_at__isnull=True
        ).exists():
            raise ValidationFailed(NAME_TAKEN, errors={"name": [str(NAME_TAKEN)]})
        document = _document_change(
            actor,
            document_id,
            "untrash",
            "collaboration.document_untrash",
            trashed_at=None,
            trashed_by_id=None,
        )
        _reindex_document(document)
        return document


def document_classify(*, actor: Actor, document_id: int, classification: Any) -> Document:
    """Raise (owner) or lower (the owner agency's security role) a document's class; never below
    its workspace's."""
    level = parse_classification(classification)
    with transaction.atomic():
        document, _me = _document_for(actor, document_id, "view")
        workspace = document.workspace
        if level < workspace.classification:
            raise ValidationFailed(
                BELOW_WORKSPACE,
                errors={
                    "classification": [str(BELOW_WORKSPACE) % {"cls": workspace.classification}]
                },
                cls=workspace.classification,
            )
        require_level(actor, max(level, document.classification))
        abilities = document_abilities(
            actor=actor, document=document, workspace=workspace, member=_me
        )
        if level < document.classification and not abilities["lower_class"]:
            raise _refuse(LOWER_NEEDS_SECURITY)
        if level > document.classification and not (
            abilities["raise_class"] or abilities["lower_class"]
        ):
            raise _refuse(NOT_ALLOWED)
        if level == document.classification:
            return document
        return _document_change(
            actor, document_id, "view", "collaboration.document_classify", classification=level
        )


# --- reads of content ---------------------------------------------------------------------------


def record_read(
    *, actor: Actor, access: DocumentAccess, version: Version, how: str = ReadAccess.DOWNLOAD
) -> None:
    """Record that the actor was shown a document's content: who, for which agency, when, which
    version (ADR 0605). Download, preview, share-link use and search hits all call this."""
    member = access.member
    audit_read(
        actor=actor,
        obj=access.document,
        access=str(how),
        organisation_id=access.workspace.owner_org_id,
        detail={
            "version": version.number,
            "agency": member.organisation_id if member else None,
            "guest": bool(member and member.is_guest),
            "security_role": member is None
            and is_security_officer(actor, access.workspace.owner_org_id),
            "workspace": access.workspace.id,
        },
    )


def ensure_download_allowed(access: DocumentAccess) -> None:
    if not access.abilities["download"]:
        raise _refuse(
            _("Class %(cls)s documents may only be viewed, not downloaded.")
            if not policy_for(access.document.classification).download_allowed
            else NOT_ALLOWED,
            cls=access.document.classification,
        )


def record_export(*, actor: Actor, access: DocumentAccess) -> None:
    """The export of a document's read log is itself a sensitive read."""
    audit_read(
        actor=actor,
        object_type="collaboration.read_log",
        object_id=access.document.id,
        access="export",
        organisation_id=access.workspace.owner_org_id,
    )
