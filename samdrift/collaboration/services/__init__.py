"""Writes of workspaces and documents: one transaction, one audit record each (ADRs 0600–0603).

Every service re-reads its row under a lock and asks the abilities there, so a page that showed a
button a moment ago cannot act on stale rights. Uploads write their bytes before the transaction
opens (`samdrift.core.files.services.staged`) and link them inside it; if anything refuses, the
bytes are removed again and nothing is recorded.

Hook points for what is built beside this app (ADR 0602): `register_version_hook(fn)` — `fn(version
id)` runs after the commit of every new version (text extraction for search, malware scanning,
the accessibility check of PDFs); `record_read(...)` is what a preview, a share link or a search
hit calls to record that it revealed a document's content.

One module per task; every public name is importable from here.
"""

from .common import Refused, default_quota
from .dav_locks import (
    LockAsked,
    dav_lock_adopt,
    dav_lock_refresh,
    dav_lock_release,
    dav_lock_take,
    dav_locks_expire,
)
from .documents import (
    document_classify,
    document_lock,
    document_trash,
    document_unlock,
    document_untrash,
)
from .held import release, release_held_upload
from .hooks import _version_hooks, register_membership_hook, register_version_hook
from .members import (
    invitation_accept,
    invitation_decline,
    invitation_revoke,
    invite,
    leave,
    member_remove,
    member_set_role,
    transfer_ownership,
)
from .previews import render_preview
from .publishing import (
    NotAccessible,
    accessibility_blocker,
    document_publish,
    document_unpublish,
    workspace_publishing,
)
from .reads import ensure_download_allowed, record_export, record_read
from .scale import scale_set
from .search import index_version, search
from .shares import SharedDocument, ShareRateLimited, share_create, share_open, share_revoke
from .uploads import folder_create, upload, upload_or_hold, version_restore
from .workspaces import workspace_classify, workspace_create

__all__ = [
    "LockAsked",
    "NotAccessible",
    "Refused",
    "ShareRateLimited",
    "SharedDocument",
    "_version_hooks",
    "accessibility_blocker",
    "dav_lock_adopt",
    "dav_lock_refresh",
    "dav_lock_release",
    "dav_lock_take",
    "dav_locks_expire",
    "default_quota",
    "document_classify",
    "document_lock",
    "document_publish",
    "document_trash",
    "document_unlock",
    "document_unpublish",
    "document_untrash",
    "ensure_download_allowed",
    "folder_create",
    "index_version",
    "invitation_accept",
    "invitation_decline",
    "invitation_revoke",
    "invite",
    "leave",
    "member_remove",
    "member_set_role",
    "record_export",
    "record_read",
    "register_membership_hook",
    "register_version_hook",
    "release",
    "release_held_upload",
    "render_preview",
    "scale_set",
    "search",
    "share_create",
    "share_open",
    "share_revoke",
    "transfer_ownership",
    "upload",
    "upload_or_hold",
    "version_restore",
    "workspace_classify",
    "workspace_create",
    "workspace_publishing",
]
