"""The write side of WebDAV (ADRs 0613, 0692): a PUT's body filled as it arrives, and handed to
the same upload services as the web's, held for its scan or scanned on the way."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from django.core.files.uploadedfile import UploadedFile
from wsgidav.dav_provider import DAVNonCollection

from samdrift.core.files.scanning import may_hold, stream_scan
from samdrift.core.files.uploads import IncomingFile

from .. import selectors, services
from ..models import HeldUpload, Version
from .errors import guard

if TYPE_CHECKING:
    from .provider import DocumentResource, FolderCollection, PendingDocument


class Upload:
    """The body of a PUT, filled as it arrives like a web upload (`IncomingFile`): sent on to the
    bucket as parts (ADR 0050) and, with S3, kept nowhere else but its first bytes for the
    content checks (ADR 0690); a temporary file with the local store. A large body that no
    lock waits on is held (ADR 0692): stored, answered, and scanned from the bucket before it
    becomes a version; any other body goes to clamd while it arrives and waits for its verdict
    (ADR 0670). A cut-off or refused upload stores nothing and drops what it carries."""

    def __init__(self, name: str, content_type: str | None, *, held: bool) -> None:
        self.size = 0
        self.held = held
        self.incoming = IncomingFile(
            name,
            content_type or "",
            scan=None if held else stream_scan(),
            held=held,
            forwarded=True,
        )
        self.file: UploadedFile | None = None

    def write(self, data: bytes) -> None:
        self.size += len(data)
        self.incoming.write(data)

    def close(self) -> None:  # WsgiDAV closes the writer before end_write
        self.file = self.incoming.complete(self.size)

    def discard(self) -> None:
        self.incoming.abandon()


def upload_for(
    resource: DAVNonCollection, parent: FolderCollection, content_type: str | None
) -> Upload:
    root = "/" + resource.get_ref_url().strip("/")
    held = _held(resource.environ, root, parent.context.actor.user_id)
    return Upload(resource.name, content_type, held=held)


def _held(environ: dict[str, Any], root: str, actor_user: int | None) -> bool:
    """Whether a PUT is held for a scan after it is stored (ADR 0692): a body large enough
    (`scanning.may_hold`), by someone, and no WebDAV lock on the name. A client that locks
    before it writes (the file managers of Windows and macOS) reads the file back under its
    lock, so it waits for the verdict and finds its version there."""
    if actor_user is None:
        return False
    try:
        body = int(environ.get("CONTENT_LENGTH") or 0)
    except ValueError:
        return False
    if not may_hold(body):
        return False
    return not selectors.dav_locks_at(root, include_root=True, include_children=False)


def store(
    resource: PendingDocument | DocumentResource,
    parent: FolderCollection,
    name: str,
    document_id: int | None,
    with_errors: bool,
) -> Version | HeldUpload | None:
    upload = resource.upload
    resource.upload = None
    if upload is None:
        return None
    try:
        if with_errors or upload.file is None:
            return None
        return guard(
            services.upload_or_hold if upload.held else services.upload,
            actor=parent.context.actor,
            workspace_id=parent.access.workspace.id,
            stream=upload.file,
            name=name,
            content_type=resource.content_type,
            folder_id=parent.folder_id,
            document_id=document_id,
        )
    finally:
        upload.discard()
