"""Abilities per workspace and per document: the one place the rules live (ADR 0600).

`member` is the actor's membership row in the workspace (None when not a member); the selectors
fetch it with the object, so no ability costs a query.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from samdrift.core.actor import Actor

from .choices import ROLE_RANK, Role
from .policy import policy_for

if TYPE_CHECKING:
    from .models import Document, Member, Workspace

#: The owner agency's security role (ADR 0604): a provider agency's `security` staff; a customer
#: agency cannot hold that role yet (role_not_in_kind), so its `contact` stands in for it.
SECURITY_ROLES = ("security", "contact")


def _rank(member: Member | None) -> int:
    return ROLE_RANK.get(Role(member.role), 0) if member is not None else 0


def is_security_officer(actor: Actor, org_id: int) -> bool:
    """The actor holds the owner agency's security role (ADR 0604)."""
    if actor.sees_everything:
        return True
    held = actor.provider_roles_by_org.get(org_id, frozenset()) | actor.roles_by_org.get(
        org_id, frozenset()
    )
    return bool(held.intersection(SECURITY_ROLES))


def workspace_abilities(
    *, actor: Actor, workspace: Workspace, member: Member | None
) -> dict[str, bool]:
    rank = _rank(member)
    owner = rank >= ROLE_RANK[Role.OWNER]
    security = is_security_officer(actor, workspace.owner_org_id)
    return {
        "view": rank > 0 or security,
        "upload": rank >= ROLE_RANK[Role.EDITOR],
        "make_folder": rank >= ROLE_RANK[Role.EDITOR],
        "invite": owner,
        "manage_members": owner,
        "transfer": owner,
        "raise_class": owner,
        "lower_class": security,
        "leave": rank > 0,
        "see_reads": owner or security,
        "see_trash": rank >= ROLE_RANK[Role.EDITOR],
        "manage_publishing": owner,
    }


def document_abilities(
    *, actor: Actor, document: Document, workspace: Workspace, member: Member | None
) -> dict[str, bool]:
    rank = _rank(member)
    editor = rank >= ROLE_RANK[Role.EDITOR]
    owner = rank >= ROLE_RANK[Role.OWNER]
    security = is_security_officer(actor, workspace.owner_org_id)
    trashed = document.trashed_at is not None
    locked_by_other = document.locked_by_id is not None and document.locked_by_id != actor.user_id
    policy = policy_for(document.classification)
    links = policy.share_links_allowed and policy_for(workspace.classification).share_links_allowed
    return {
        "view": rank > 0 or security,
        # a picture of the content for whoever views it; not from the trash, where a document
        # is gone from the workspace's pages and notes until it is taken back out
        "preview": (rank > 0 or security) and not trashed,
        "download": rank > 0 and policy.download_allowed and not trashed,
        "upload_version": editor and not trashed and not locked_by_other,
        "lock": editor and not trashed and document.locked_by_id is None,
        "unlock": document.locked_by_id is not None
        and (document.locked_by_id == actor.user_id or owner),
        "restore_version": editor and not trashed and not locked_by_other,
        "trash": editor and not trashed and not locked_by_other,
        "untrash": editor and trashed,
        "raise_class": owner and not trashed,
        "lower_class": security and not trashed,
        "see_reads": owner or security,
        # share links (ADR 0609): only where the class allows them; revoking is always allowed
        "share": editor and links and not trashed,
        "revoke_shares": editor or security,
        # publishing (ADR 0618): draft → published → draft; a new version makes it a draft
        "publish": editor and not trashed and not locked_by_other and document.published_at is None,
        "unpublish": editor and not trashed and document.published_at is not None,
    }
