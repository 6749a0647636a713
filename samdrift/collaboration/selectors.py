"""Reads of workspaces and documents, always for an actor (ADR 0600).

A workspace is seen by its members and by the owner agency's security role; anyone else gets the
same `NotFound` as for a workspace that does not exist. A workspace or document whose class
demands a stronger login than this one raises `StepUpRequired` — only after it is known to be in
sight, so the demand itself reveals nothing (ADR 0601).
"""

from __future__ import annotations

import datetime
from collections.abc import Collection, Sequence
from dataclasses import dataclass
from typing import Any

from django.conf import settings
from django.contrib.auth import get_user_model
from django.db.models import CharField, OuterRef, Prefetch, Q, QuerySet, Subquery, Sum, Value
from django.db.models.functions import Cast, Concat
from django.utils import timezone

from samdrift.audit.selectors import TrailFilter, trail_search
from samdrift.audit.services import READ
from samdrift.core.actor import SYSTEM, Actor
from samdrift.core.exceptions import NotFound
from samdrift.core.search.selectors import SearchHit, Visibility
from samdrift.core.search.selectors import search as search_index
from samdrift.core.search.words import all_words
from samdrift.core.tenancy import StepUpRequired, visible_or_404
from samdrift.onboarding.selectors import subscription_list
from samdrift.organisations.selectors import (
    organisation_get,
    organisation_list,
    visible_organisations,
)

from .choices import SERVICE_CODE, InvitationState
from .models import (
    AgencyQuota,
    DavLock,
    Disposal,
    Document,
    Folder,
    HeldUpload,
    Invitation,
    Member,
    ScaleLabel,
    ShareLink,
    Version,
    Workspace,
)
from .permissions import (
    SECURITY_ROLES,
    document_abilities,
    is_security_officer,
    workspace_abilities,
)
from .policy import POLICY, policy_for

DOCUMENT_TYPE = "collaboration.document"


@dataclass(frozen=True)
class WorkspaceAccess:
    workspace: Workspace
    member: Member | None
    abilities: dict[str, bool]


@dataclass(frozen=True)
class DocumentAccess:
    document: Document
    workspace: Workspace
    member: Member | None
    abilities: dict[str, bool]


def _security_org_ids(actor: Actor) -> set[int]:
    orgs = {o for o, roles in actor.provider_roles_by_org.items() if roles & set(SECURITY_ROLES)}
    orgs |= {o for o, roles in actor.roles_by_org.items() if roles & set(SECURITY_ROLES)}
    return orgs


def workspace_scope(actor: Actor) -> Q:
    """The workspaces the actor sees: where they are a member, and those their agency owns when
    they hold its security role (ADR 0604). Services lock rows through this filter too, so a
    foreign id costs the same queries as a missing one."""
    if actor.sees_everything:
        return Q()
    if actor.user_id is None:
        return Q(pk__in=[])
    mine = Member.objects.filter(user_id=actor.user_id).values("workspace_id")
    return Q(id__in=mine) | Q(owner_org_id__in=_security_org_ids(actor))


def _workspaces(actor: Actor) -> QuerySet[Workspace]:
    return Workspace.objects.select_related("owner_org", "scale_label").filter(
        workspace_scope(actor)
    )


def require_level(actor: Actor, classification: int) -> None:
    """`StepUpRequired` when this login is weaker than the class demands. The system (CLI) has
    no login and is not asked."""
    needed = policy_for(classification).min_loa
    if actor.user_id is not None and needed and actor.loa_rank < needed:
        raise StepUpRequired(needed)


def _member(actor: Actor, workspace_id: int) -> Member | None:
    if actor.user_id is None:
        return None
    return Member.objects.filter(workspace_id=workspace_id, user_id=actor.user_id).first()


def workspace_list(*, actor: Actor) -> QuerySet[Workspace]:
    return _workspaces(actor).order_by("name", "id")


def workspace_get(*, actor: Actor, workspace_id: int, check_level: bool = True) -> WorkspaceAccess:
    workspace = visible_or_404(_workspaces(actor), "workspace", id=workspace_id)
    return workspace_access(actor=actor, workspace=workspace, check_level=check_level)


def workspace_access(
    *, actor: Actor, workspace: Workspace, check_level: bool = True
) -> WorkspaceAccess:
    """`workspace_get` for a workspace already read through `workspace_list` (or a queryset of
    things in it that was filtered by it): the actor's membership and abilities, without reading
    the workspace again."""
    if check_level:
        require_level(actor, workspace.classification)
    member = _member(actor, workspace.id)
    abilities = workspace_abilities(actor=actor, workspace=workspace, member=member)
    return WorkspaceAccess(workspace, member, abilities)


def workspace_accesses(
    pairs: Sequence[tuple[Actor, Workspace]],
) -> list[WorkspaceAccess | NotFound | StepUpRequired]:
    """`workspace_access` for many (actor, workspace) pairs at once, in one query of members,
    for workspaces read without the actors' scope (the batched writer of live documents, ADR
    0684). What `workspace_get` would do for each pair, in order: `NotFound` where the actor does
    not see the workspace, `StepUpRequired` where the login is too weak. Seeing a workspace is
    the `view` ability, which holds exactly where `workspace_scope` lets a workspace through (a
    member, or the owner agency's security role, or an actor that sees everything); a test
    checks the two against each other."""
    users = {actor.user_id for actor, _w in pairs if actor.user_id is not None}
    members = {
        (m.workspace_id, m.user_id): m
        for m in Member.objects.filter(
            workspace_id__in={w.pk for _a, w in pairs}, user_id__in=users
        ).order_by()
    }
    found: list[WorkspaceAccess | NotFound | StepUpRequired] = []
    for actor, workspace in pairs:
        member = members.get((workspace.pk, actor.user_id)) if actor.user_id else None
        abilities = workspace_abilities(actor=actor, workspace=workspace, member=member)
        if not abilities["view"]:
            found.append(NotFound("workspace"))
            continue
        try:
            require_level(actor, workspace.classification)
        except StepUpRequired as refusal:
            found.append(refusal)
            continue
        found.append(WorkspaceAccess(workspace, member, abilities))
    return found


def memberships_of(*, user_id: int) -> QuerySet[Member]:
    """One user's workspace memberships with their workspaces, for the apps that keep something
    per workspace (calendars): they read membership here, never from the models."""
    return Member.objects.filter(user_id=user_id).select_related("workspace")


def workspace_documents(*, workspace: Workspace, limit: int = 500) -> QuerySet[Document]:
    """The workspace's documents (not in the trash), by name: what a task may link to."""
    return workspace.documents.filter(trashed_at__isnull=True).order_by("name", "id")[:limit]


def memberships_of_users(user_ids: Sequence[int]) -> QuerySet[Member]:
    """The memberships of several users, with their workspaces' classes (calendars' free/busy)."""
    return Member.objects.filter(user_id__in=list(user_ids)).select_related("workspace")


def all_memberships() -> QuerySet[Member]:
    """Every membership with its user, workspace by workspace (the demo loaders)."""
    return Member.objects.select_related("user", "workspace").order_by("workspace_id", "id")


def workspaces_by_ids(ids: Sequence[int] | set[int]) -> QuerySet[Workspace]:
    return Workspace.objects.filter(id__in=list(ids))


def member_list(*, workspace: Workspace) -> QuerySet[Member]:
    """The caller already holds `workspace` from `workspace_get`."""
    return workspace.members.select_related("user", "organisation").order_by("role", "id")


def invitation_list(*, workspace: Workspace) -> QuerySet[Invitation]:
    return workspace.invitations.filter(state=InvitationState.PENDING).order_by("-id")


def actor_email(actor: Actor) -> str:
    if actor.user_id is None:
        return ""
    email = (
        get_user_model().objects.filter(id=actor.user_id).values_list("email", flat=True).first()
    )
    return (email or "").strip().lower()


def my_invitations(*, actor: Actor) -> QuerySet[Invitation]:
    """Pending invitations to the actor's own e-mail address (never anyone else's)."""
    email = actor_email(actor)
    if not email:
        return Invitation.objects.none()
    return (
        Invitation.objects.filter(email=email, state=InvitationState.PENDING)
        .select_related("workspace", "workspace__owner_org")
        .order_by("-id")
    )


def my_invitation_get(*, actor: Actor, invitation_id: int) -> Invitation:
    return visible_or_404(my_invitations(actor=actor), "invitation", id=invitation_id)


def folder_list(*, workspace: Workspace) -> QuerySet[Folder]:
    return workspace.folders.order_by("name", "id")


def folder_get(*, workspace: Workspace, folder_id: int) -> Folder:
    return visible_or_404(workspace.folders.all(), "folder", id=folder_id)


def in_folder(folder_id: int | None) -> dict[str, Any]:
    """The lookup of a folder's documents (the workspace's top level when None)."""
    return {"folder__isnull": True} if folder_id is None else {"folder_id": folder_id}


def document_names_in(*, workspace_id: int, ids: Collection[int]) -> dict[int, str]:
    """Names of the workspace's documents among `ids` that are not in the trash: what a chat
    message names as its attachment is shown only when it is one of the room's own documents."""
    found = Document.objects.filter(workspace_id=workspace_id, id__in=list(ids))
    return dict(found.filter(trashed_at__isnull=True).values_list("id", "name"))


def document_list(
    *, workspace: Workspace, folder_id: int | None = None, trashed: bool = False
) -> QuerySet[Document]:
    # prefetched, not joined: a join makes SQLite sort 100,000 rows instead of reading the
    # (workspace, folder, trashed_at, name) index in order
    queryset = workspace.documents.filter(trashed_at__isnull=not trashed).prefetch_related(
        "locked_by", "folder", "scale_label"
    )
    if not trashed:
        queryset = queryset.filter(**in_folder(folder_id))
    return queryset.order_by("name", "id")


def document_get(*, actor: Actor, document_id: int, check_level: bool = True) -> DocumentAccess:
    visible = Document.objects.filter(workspace__in=_workspaces(actor)).select_related(
        "workspace",
        "workspace__owner_org",
        "workspace__scale_label",
        "locked_by",
        "folder",
        "scale_label",
        "published_by",
    )
    document = visible_or_404(visible, "document", id=document_id)
    if check_level:
        require_level(actor, document.classification)
    member = _member(actor, document.workspace_id)
    abilities = document_abilities(
        actor=actor, document=document, workspace=document.workspace, member=member
    )
    return DocumentAccess(document, document.workspace, member, abilities)


def version_list(*, document: Document) -> QuerySet[Version]:
    return document.versions.select_related("created_by").order_by("-number")


def current_version(*, document: Document) -> Version | None:
    return document.versions.order_by("-number").first()


def version_get(*, document: Document, number: int | None = None) -> Version:
    if number is None:
        version = current_version(document=document)
        if version is None:
            raise NotFound("version")
        return version
    return visible_or_404(document.versions.select_related("file"), "version", number=number)


@dataclass(frozen=True)
class ShownImage:
    """An image of a workspace with a preview to show: its document and current version."""

    document: Document
    version: Version


def workspace_images(
    *, workspace: Workspace, ids: Collection[int] | None = None, limit: int = 200
) -> list[ShownImage]:
    """The workspace's images that can be shown in a note (ADR 0686): documents out of the trash
    whose current version is a raster image and has its preview made (the re-encoded PNG, never
    the uploaded bytes). `ids` narrows them to those documents."""
    documents = workspace.documents.filter(trashed_at__isnull=True)
    if ids is not None:
        documents = documents.filter(id__in=list(ids))
    current = Version.objects.filter(document=OuterRef("pk")).order_by("-number").values("id")
    versions = (
        Version.objects.filter(
            id__in=documents.annotate(current=Subquery(current[:1])).values("current"),
            preview_state="ready",
            content_type__startswith="image/",
        )
        .select_related("document", "preview")
        .order_by("document__name", "document_id")[:limit]
    )
    return [ShownImage(version.document, version) for version in versions]


def used_bytes(*, workspace_id: int) -> int:
    """Bytes the workspace's documents hold (trash included; a restored version adds none)."""
    used = Workspace.objects.filter(id=workspace_id).values_list("used_bytes", flat=True)
    return int(used.first() or 0)


def held_bytes(*, workspace_id: int) -> int:
    """Bytes of the workspace's uploads waiting for their malware scan (ADR 0688): kept from the
    quota until each is stored or refused, so waiting uploads cannot overfill it."""
    waiting = HeldUpload.objects.filter(workspace_id=workspace_id, state=HeldUpload.State.SCANNING)
    return int(waiting.aggregate(total=Sum("size"))["total"] or 0)


def agency_held_bytes(*, org_id: int) -> int:
    """The same over every workspace the agency owns."""
    waiting = HeldUpload.objects.filter(
        workspace__owner_org_id=org_id, state=HeldUpload.State.SCANNING
    )
    return int(waiting.aggregate(total=Sum("size"))["total"] or 0)


def held_upload_get(*, actor: Actor, held_id: int) -> HeldUpload:
    """An upload waiting for (or done with) its scan: its uploader's only, and only while they
    still see its workspace; else 404 (ADR 0688)."""
    mine = HeldUpload.objects.filter(
        created_by_id=actor.user_id or 0,
        workspace__in=Workspace.objects.filter(workspace_scope(actor)),
    )
    return visible_or_404(mine.select_related("version", "version__document"), "upload", id=held_id)


HELD_SHOWN_FOR = datetime.timedelta(days=1)


def held_uploads(*, actor: Actor, workspace_id: int) -> QuerySet[HeldUpload]:
    """The actor's uploads to the workspace still being scanned, and those finished within the
    last day (so a refusal is seen), newest first."""
    recent = Q(state=HeldUpload.State.SCANNING) | Q(
        finished_at__gte=timezone.now() - HELD_SHOWN_FOR
    )
    return HeldUpload.objects.filter(
        recent, workspace_id=workspace_id, created_by_id=actor.user_id or 0
    ).select_related("version", "version__document")


def held_scanning_in_folder(
    *, actor: Actor, workspace_id: int, folder_id: int | None
) -> list[HeldUpload]:
    """The actor's own uploads to a folder still being scanned, newest first: WebDAV shows them
    to their uploader alone, so a client reading back what it just PUT finds it (ADR 0692)."""
    return list(
        HeldUpload.objects.filter(
            workspace_id=workspace_id,
            folder_id=folder_id,
            created_by_id=actor.user_id or 0,
            state=HeldUpload.State.SCANNING,
        ).order_by("-id")
    )


def agency_quota_bytes(*, org_id: int) -> int:
    """The agency's quota over every workspace it owns (ADR 0611): its own row, or the default."""
    own = AgencyQuota.objects.filter(organisation_id=org_id).values_list("quota_bytes", flat=True)
    default = getattr(settings, "SAMDRIFT_COLLABORATION_AGENCY_QUOTA_BYTES", 1024**4)
    return int(own.first() or default)


def agency_used_bytes(*, org_id: int) -> int:
    """Bytes held by every workspace the agency owns (trash included, restores free)."""
    total = Workspace.objects.filter(owner_org_id=org_id).aggregate(total=Sum("used_bytes"))
    return int(total["total"] or 0)


def agency_connected(*, org_id: int) -> bool:
    """Whether the agency, or an agency above it, has an open SAFOS subscription."""
    seen: set[int] = set()
    current: int | None = org_id
    while current is not None and current not in seen:
        seen.add(current)
        if subscription_list(
            actor=SYSTEM, service_code=SERVICE_CODE, organisation_id=current
        ).exists():
            return True
        current = organisation_get(actor=SYSTEM, org_id=current).parent_id
    return False


@dataclass(frozen=True)
class ReadRow:
    at: Any
    who: str
    agency_id: int | None
    agency: str
    access: str
    version: int | None
    guest: bool


def read_rows(*, access: DocumentAccess, limit: int | None = 500) -> list[ReadRow]:
    """The read log with the readers' agencies named (two queries, whatever the length)."""
    events = read_log(access=access)
    events = events[:limit] if limit is not None else events
    rows = list(events)
    ids = {e.after.get("agency") for e in rows if e.after and e.after.get("agency")}
    names = dict(visible_organisations(SYSTEM).filter(id__in=ids).values_list("id", "name"))
    return [
        ReadRow(
            at=e.at,
            who=e.actor_label,
            agency_id=(e.after or {}).get("agency"),
            agency=names.get(int((e.after or {}).get("agency") or 0), ""),
            access=str((e.after or {}).get("access", "")),
            version=(e.after or {}).get("version"),
            guest=bool((e.after or {}).get("guest")),
        )
        for e in rows
    ]


def read_log(*, access: DocumentAccess) -> QuerySet[Any]:
    """Every recorded read of the document, newest first. Only for `see_reads` (the caller's
    DocumentAccess already says); audit is read as the system since the ability was checked."""
    if not access.abilities["see_reads"]:
        raise NotFound("document")
    return trail_search(
        actor=SYSTEM,
        filters=TrailFilter(
            object_type=DOCUMENT_TYPE, object_id=str(access.document.id), action=READ
        ),
    )


# --- search (ADR 0607) --------------------------------------------------------------------------

SEARCH_KIND = "collaboration.document"


def search_key(workspace_id: int) -> str:
    """The visibility key a workspace's documents are indexed under."""
    return f"workspace:{workspace_id}"


def _allowed_classes(actor: Actor) -> list[int]:
    if actor.user_id is None:
        return list(POLICY)
    return [c for c, rule in POLICY.items() if not rule.min_loa or actor.loa_rank >= rule.min_loa]


def search_keys(actor: Actor) -> QuerySet[Any]:
    """One column of keys, run as a subquery inside the search: the workspaces in sight whose
    class this login is strong enough for (a hit elsewhere is not shown, not even its title)."""
    return (
        Workspace.objects.filter(workspace_scope(actor), classification__in=_allowed_classes(actor))
        .annotate(key=Concat(Value("workspace:"), Cast("id", CharField())))
        .values("key")
    )


@dataclass(frozen=True)
class DocumentHit:
    hit: SearchHit
    access: DocumentAccess
    version: Version


def document_search(
    *, actor: Actor, query: str | None, limit: int = 20, offset: int = 0
) -> tuple[list[DocumentHit], bool]:
    """The hits the actor may see, best first, and whether there is a next page. The index is
    searched within the actor's workspace keys (one query); the hits' documents are then read in
    one more query, and one that is trashed, gone, or of a class above this login is dropped."""
    page = search_index(
        query=query,
        visible=Visibility(keys=search_keys(actor)),
        kinds=[SEARCH_KIND],
        limit=limit,
        offset=offset,
    )
    ids = [int(hit.object_id) for hit in page.hits if hit.object_id.isdigit()]
    documents = {
        d.id: d
        for d in Document.objects.filter(
            workspace__in=_workspaces(actor),
            id__in=ids,
            trashed_at__isnull=True,
            classification__in=_allowed_classes(actor),
        ).select_related("workspace", "workspace__owner_org")
    }
    hits: list[DocumentHit] = []
    for hit in page.hits:
        document = documents.get(int(hit.object_id)) if hit.object_id.isdigit() else None
        if document is None:
            continue
        version = current_version(document=document)
        if version is None:
            continue
        member = _member(actor, document.workspace_id)
        abilities = document_abilities(
            actor=actor, document=document, workspace=document.workspace, member=member
        )
        access = DocumentAccess(document, document.workspace, member, abilities)
        hits.append(DocumentHit(hit, access, version))
    return hits, page.has_next


def share_list(*, access: DocumentAccess) -> QuerySet[ShareLink]:
    """The document's share links, for those who may make or revoke them (ADR 0609); no one else
    learns who a document was shared with."""
    if not (access.abilities.get("share") or access.abilities.get("revoke_shares")):
        return ShareLink.objects.none()
    return access.document.share_links.select_related("created_by").order_by("-id")


def agency_names(ids: list[int]) -> dict[int, str]:
    """Names of agencies named on share links (agency names are public)."""
    rows = organisation_list(actor=SYSTEM).filter(id__in=ids).values_list("id", "name")
    return dict(rows)


def disposal_list(*, workspace: Workspace) -> QuerySet[Disposal]:
    """The record of the workspace's documents disposed of when their retention ended (ADR 0610);
    the caller already holds `workspace` from `workspace_get`."""
    return workspace.disposals.order_by("-disposed_at", "-id")


def search_workspaces(*, actor: Actor, words: Sequence[str], limit: int) -> list[Workspace]:
    """The site-wide search's workspaces (ADR 0702): every word in the name, among the
    workspaces the actor sees (the documents are found through `document_search`). One query."""
    return list(
        _workspaces(actor).filter(all_words(words, ("name",))).order_by("name", "id")[:limit]
    )


# --- the agency's own confidentiality scale (ADR 0617) ------------------------------------------


@dataclass(frozen=True)
class ScaleAccess:
    organisation: Any
    labels: list[ScaleLabel]
    uses: dict[int, int]  # label id → workspaces and documents carrying it


def scale_agencies(*, actor: Actor) -> list[Any]:
    """The agencies whose scale the actor keeps (their security role, ADR 0604)."""
    if actor.user_id is None:
        return []
    return list(organisation_list(actor=SYSTEM).filter(id__in=_security_org_ids(actor)))


def scale_get(*, actor: Actor, organisation_id: int) -> ScaleAccess:
    """An agency's scale, for its security role only; anyone else gets NotFound."""
    if not is_security_officer(actor, organisation_id):
        raise NotFound("organisation")
    organisation = organisation_get(actor=SYSTEM, org_id=organisation_id)
    labels = list(ScaleLabel.objects.filter(organisation_id=organisation_id))
    return ScaleAccess(organisation, labels, label_uses([label.id for label in labels]))


def label_uses(label_ids: list[int]) -> dict[int, int]:
    """How many workspaces and documents carry each label (a label in use keeps its level)."""
    counts = dict.fromkeys(label_ids, 0)
    for model in (Workspace, Document):
        rows = model.objects.filter(scale_label_id__in=list(counts)).values_list(
            "scale_label_id", flat=True
        )
        for label_id in rows.iterator():
            counts[label_id] += 1
    return counts


def scale_labels(*, organisation_id: int) -> list[ScaleLabel]:
    """The labels a workspace of this agency may be classified with (shown in its forms)."""
    return list(ScaleLabel.objects.filter(organisation_id=organisation_id))


def search_documents(*, actor: Actor, words: Sequence[str], limit: int) -> list[Document]:
    """The site-wide search's documents (ADR 0702): every word in the document's name, in the
    workspaces the actor sees and the classes this login may open, not in the trash. The name
    alone, as a workspace's page lists it: no text is searched, so no hit is a read of content
    (the full-text `document_search` records each hit as one). One query."""
    return list(
        Document.objects.filter(
            workspace__in=_workspaces(actor).values("id"),
            trashed_at__isnull=True,
            classification__in=_allowed_classes(actor),
        )
        .filter(all_words(words, ("name",)))
        .select_related("workspace")
        .only("id", "name", "workspace__id", "workspace__name")
        .order_by("name", "id")[:limit]
    )


def folder_documents(
    *, workspace: Workspace, folder_id: int | None = None
) -> list[tuple[Document, Version | None]]:
    """A folder's documents (not in the trash) by name, each with its current version (None
    before the first): what a desktop client's folder listing shows. The documents in one query
    and all their current versions in one more, however many documents there are."""
    latest = Version.objects.filter(document=OuterRef("document")).order_by("-number")
    current = Version.objects.filter(number=Subquery(latest.values("number")[:1]))
    documents = (
        workspace.documents.filter(trashed_at__isnull=True, **in_folder(folder_id))
        .prefetch_related(Prefetch("versions", queryset=current, to_attr="current"))
        .order_by("name", "id")
    )
    return [(d, d.current[0] if d.current else None) for d in documents]


def dav_locks_at(root: str, *, include_root: bool, include_children: bool) -> list[DavLock]:
    """The live WebDAV locks on `root` and/or below it (ADR 0687); the caller resolved `root`
    under the requester's own rights, and WebDAV shows a lock only on a name it can reach."""
    where = Q(pk__in=[])
    if include_root:
        where |= Q(root=root)
    if include_children:
        where |= Q(root__startswith=root.rstrip("/") + "/")
    return list(DavLock.objects.filter(where, expires_at__gte=timezone.now()).order_by("id"))


def dav_lock_get(token: str) -> DavLock | None:
    return DavLock.objects.filter(token=token, expires_at__gte=timezone.now()).first()
