"""The SAFOS workspaces as a WebDAV tree (ADR 0613): `/dav/<workspace> (<id>)/<folder>/…/<file>`.

Every read and write goes through collaboration's selectors and services with the actor of the
app password (ADR 0614), so permissions, classification, versions, check-out, malware scanning,
name checks and the audit of reads are the web's own. On top, the app password's highest class:
a workspace or document above it is not listed and is refused (403) when named.
"""

from __future__ import annotations

import re
import tempfile
from typing import Any

from django.utils import translation
from wsgidav.dav_error import (
    HTTP_FORBIDDEN,
    HTTP_NOT_FOUND,
    DAVError,
)
from wsgidav.dav_provider import DAVCollection, DAVNonCollection, DAVProvider

from samdrift.accounts.app_passwords import AppPasswordLogin
from samdrift.core.exceptions import DomainError, NotFound
from samdrift.core.files.readers import chunk_reader
from samdrift.core.files.scanning import StreamScan, stream_scan
from samdrift.core.files.services import open_for_download
from samdrift.core.files.storage import PendingUpload
from samdrift.core.files.uploads import OnTheWay
from samdrift.core.tenancy import area_for_api_path, missing_rank

from .. import selectors, services
from ..choices import ReadAccess
from ..models import Document, Folder, Version, Workspace
from ..services.common import LOCKED
from ..services.moves import document_move

LOGIN_KEY = "samdrift.dav_login"
SEGMENT = re.compile(r"^(?P<name>.*) \((?P<id>\d+)\)$")
STATUS_FOR_CODE = {"refused": 409}


def segment_for(workspace: Workspace) -> str:
    """A workspace's folder name at the top: its name (no slashes) and its id, unique."""
    return f"{workspace.name.replace('/', '-').replace(chr(92), '-')} ({workspace.id})"


def both_languages(error: DomainError) -> str:
    texts = []
    for language in ("sv", "en"):
        with translation.override(language):
            texts.append(str(error))
    return " / ".join(dict.fromkeys(texts))


def dav_error(error: DomainError) -> DAVError:
    """A refusal of the services as a WebDAV status with the Swedish and English text. A
    document checked out by someone else is 423 Locked, as WebDAV clients expect."""
    status = error.http_status
    if getattr(error, "message", None) is LOCKED:
        status = 423
    return DAVError(status, both_languages(error))


class _Context:
    """The request's login (from the domain controller) and the app password's reach."""

    def __init__(self, environ: dict[str, Any]) -> None:
        login: AppPasswordLogin | None = environ.get(LOGIN_KEY)
        if login is None:
            raise DAVError(HTTP_FORBIDDEN)
        self.login = login
        self.actor = login.actor
        area = area_for_api_path("/api/v1/collaboration/")
        if area is not None and missing_rank(self.actor, area) is not None:
            raise DAVError(HTTP_FORBIDDEN, ABOVE_LEVEL)

    def allows(self, classification: int) -> bool:
        return classification <= self.login.max_class


ABOVE_LEVEL = (
    "Lösenordet för appar når inte den här nivån. Logga in med e-legitimation på webben. / "
    "The app password does not reach this level. Log in with an e-ID on the web."
)
ABOVE_CLASS = (
    "Lösenordet för appar gäller upp till en lägre konfidentialitetsklass. / "
    "The app password is limited to a lower confidentiality class."
)


def _guard(call: Any, *args: Any, **kwargs: Any) -> Any:
    try:
        return call(*args, **kwargs)
    except DomainError as error:
        raise dav_error(error) from None


NOT_LOCKABLE = (
    "Bara dokument kan låsas, inte mappar eller samarbetsytor. / "
    "Only documents can be locked, not folders or workspaces."
)


def _collection_not_lockable(environ: dict[str, Any]) -> bool:
    """Folders and workspaces are never locked (ADR 0687). Refused before WsgiDAV looks for
    conflicting locks below them, whose names (a document above the password's class, say)
    its 423 answer would otherwise show; and they list no lock properties."""
    if environ.get("REQUEST_METHOD") == "LOCK":
        raise DAVError(HTTP_FORBIDDEN, NOT_LOCKABLE)
    return True


class RootCollection(DAVCollection):
    """The workspaces the app password reaches."""

    def __init__(self, path: str, environ: dict[str, Any], context: _Context) -> None:
        super().__init__(path, environ)
        self.context = context

    def _workspaces(self) -> list[Workspace]:
        actor = self.context.actor
        return [
            w
            for w in selectors.workspace_list(actor=actor)
            if self.context.allows(w.classification)
            and selectors.policy_for(w.classification).min_loa <= actor.loa_rank
        ]

    def get_member_names(self) -> list[str]:
        return [segment_for(w) for w in self._workspaces()]

    def get_member(self, name: str) -> Any:
        return self.provider.get_resource_inst(self.path.rstrip("/") + "/" + name, self.environ)

    def get_display_info(self) -> dict[str, str]:
        return {"type": "Directory"}

    def create_collection(self, name: str) -> None:
        raise DAVError(
            HTTP_FORBIDDEN, "Skapa samarbetsytor på webben. / Create workspaces on the web."
        )

    def prevent_locking(self) -> bool:
        return _collection_not_lockable(self.environ)


class FolderCollection(DAVCollection):
    """A workspace's top level (folder None) or one of its folders."""

    def __init__(
        self,
        path: str,
        environ: dict[str, Any],
        context: _Context,
        access: selectors.WorkspaceAccess,
        folder: Folder | None,
    ) -> None:
        super().__init__(path, environ)
        self.context = context
        self.access = access
        self.folder = folder

    @property
    def folder_id(self) -> int | None:
        return self.folder.id if self.folder is not None else None

    def _folders(self) -> list[Folder]:
        return [
            f
            for f in selectors.folder_list(workspace=self.access.workspace)
            if f.parent_id == self.folder_id
        ]

    def _documents(self) -> list[tuple[Document, Version | None]]:
        """The folder's documents this password may open, each with its current version."""
        return [
            (d, version)
            for d, version in selectors.folder_documents(
                workspace=self.access.workspace, folder_id=self.folder_id
            )
            if self.context.allows(d.classification)
        ]

    def get_member_names(self) -> list[str]:
        return [f.name for f in self._folders()] + [d.name for d, _version in self._documents()]

    def get_member_list(self) -> list[Any]:
        """The members built from the listing itself (a PROPFIND of the folder), not resolved
        again from the root one by one."""
        base = self.path.rstrip("/")
        folders = [
            FolderCollection(f"{base}/{f.name}", self.environ, self.context, self.access, f)
            for f in self._folders()
        ]
        documents = [
            DocumentResource(f"{base}/{d.name}", self.environ, self, d, version=version)
            for d, version in self._documents()
        ]
        return [*folders, *documents]

    def get_member(self, name: str) -> Any:
        return self.provider.get_resource_inst(self.path.rstrip("/") + "/" + name, self.environ)

    def get_display_info(self) -> dict[str, str]:
        return {"type": "Directory"}

    def get_last_modified(self) -> float:
        return self.access.workspace.created_at.timestamp()

    def create_empty_resource(self, name: str) -> PendingDocument:
        """A PUT of a new name: nothing exists until the upload has passed every check."""
        return PendingDocument(self.path.rstrip("/") + "/" + name, self.environ, self, name)

    def create_collection(self, name: str) -> None:
        _guard(
            services.folder_create,
            actor=self.context.actor,
            workspace_id=self.access.workspace.id,
            name=name,
            parent_id=self.folder_id,
        )

    def delete(self) -> None:
        raise DAVError(
            HTTP_FORBIDDEN,
            "Mappar tas bort på webben. / Folders are removed on the web.",
        )

    def handle_delete(self) -> bool:
        self.delete()
        return True

    def handle_move(self, dest_path: str) -> bool:
        raise DAVError(HTTP_FORBIDDEN, "Mappar flyttas på webben. / Folders are moved on the web.")

    def handle_copy(self, dest_path: str, *, depth_infinity: bool) -> bool:
        raise DAVError(HTTP_FORBIDDEN, "Kopiering stöds inte. / Copying is not supported.")

    def prevent_locking(self) -> bool:
        return _collection_not_lockable(self.environ)


class _Upload:
    """The body of a PUT, written to a temporary file (memory stays flat whatever the size) and,
    as it arrives, sent on to the bucket as parts and to clamd (`OnTheWay`, ADRs 0050 and
    0670), as the web's uploads are. The upload service claims the parts and takes the scan's
    verdict once the body is complete; a cut-off or refused upload stores nothing and drops
    them. It is also the stream handed to the service: a complete local file, like Django's
    temporary uploads."""

    def __init__(self, content_type: str | None) -> None:
        self.file = tempfile.NamedTemporaryFile(prefix="samdrift-dav-")  # noqa: SIM115
        self.size = 0
        self._on_the_way = OnTheWay(content_type, stream_scan())

    def write(self, data: bytes) -> None:
        self.size += len(data)
        self.file.write(data)
        self._on_the_way.write(data)

    def close(self) -> None:  # WsgiDAV closes the writer before end_write
        self.file.flush()
        self._on_the_way.finish()

    @property
    def scan(self) -> StreamScan | None:
        """clamd's scan of the bytes as they arrived, for `require_clean`."""
        return self._on_the_way.scan

    def claim(self) -> PendingUpload | None:
        """The parts already sent, for the storage service to complete (once)."""
        pending, self._on_the_way.pending = self._on_the_way.pending, None
        return pending

    def discard(self) -> None:
        """Drop what nobody took (the parts are aborted, the scan closed), then the file."""
        self._on_the_way.drop()
        self.file.close()

    def read(self, size: int = -1) -> bytes:
        return self.file.read(size)

    def seek(self, offset: int, whence: int = 0) -> int:
        return self.file.seek(offset, whence)

    def tell(self) -> int:
        return self.file.tell()

    def seekable(self) -> bool:
        return True

    def temporary_file_path(self) -> str:
        return self.file.name


def _store(
    resource: PendingDocument | DocumentResource,
    parent: FolderCollection,
    name: str,
    document_id: int | None,
    with_errors: bool,
) -> Version | None:
    upload = resource.upload
    resource.upload = None
    if upload is None:
        return None
    try:
        if with_errors:
            return None
        upload.seek(0)
        return _guard(
            services.upload,
            actor=parent.context.actor,
            workspace_id=parent.access.workspace.id,
            stream=upload,
            name=name,
            content_type=resource.content_type,
            folder_id=parent.folder_id,
            document_id=document_id,
        )
    finally:
        upload.discard()


class PendingDocument(DAVNonCollection):
    """A name in a folder with no document yet: the target of a PUT."""

    def __init__(
        self, path: str, environ: dict[str, Any], parent: FolderCollection, name: str
    ) -> None:
        super().__init__(path, environ)
        self.parent = parent
        self.name = name
        self.upload: _Upload | None = None
        self.content_type: str | None = None

    def get_content_length(self) -> int:
        return 0

    def get_content_type(self) -> str:
        return "application/octet-stream"

    def get_content(self) -> Any:
        raise DAVError(HTTP_NOT_FOUND)

    def support_etag(self) -> bool:
        return False

    def get_etag(self) -> None:
        return None

    def begin_write(self, *, content_type: str | None = None) -> _Upload:
        self.content_type = content_type
        self.upload = _Upload(content_type)
        return self.upload

    def end_write(self, *, with_errors: bool) -> None:
        version = _store(self, self.parent, self.name, None, with_errors)
        user_id = self.parent.context.actor.user_id
        if version is not None and user_id is not None:
            # a LOCK on this name before it existed now checks the new document out (ADR 0687)
            services.dav_lock_adopt(
                root="/" + self.get_ref_url().strip("/"),
                user_id=user_id,
                document_id=version.document_id,
            )


class DocumentResource(DAVNonCollection):
    """A document: its current version's bytes; a PUT adds a version, DELETE puts it in the
    trash, MOVE renames or moves it within its workspace."""

    def __init__(
        self,
        path: str,
        environ: dict[str, Any],
        parent: FolderCollection,
        document: Document,
        *,
        version: Version | None,
    ) -> None:
        super().__init__(path, environ)
        self.parent = parent
        self.document = document
        self.version = version  # the current one, read with the document or its folder
        self.upload: _Upload | None = None
        self.content_type: str | None = None

    def get_content_length(self) -> int:
        return self.version.size if self.version else 0

    def get_content_type(self) -> str:
        return (self.version.content_type if self.version else "") or "application/octet-stream"

    def get_etag(self) -> str | None:
        return self.version.sha256 if self.version else None

    def support_etag(self) -> bool:
        return True

    def support_ranges(self) -> bool:
        return False

    def get_last_modified(self) -> float:
        return self.document.updated_at.timestamp()

    def get_creation_date(self) -> float:
        return self.document.created_at.timestamp()

    def get_content(self) -> Any:
        """The download: the web's rules (class 3 is view only) and an audited read."""
        actor = self.parent.context.actor
        access = _guard(selectors.document_get, actor=actor, document_id=self.document.id)
        version = _guard(selectors.version_get, document=access.document)
        try:
            services.ensure_download_allowed(access)
        except DomainError as error:  # view only (class 3): forbidden to this program
            raise DAVError(HTTP_FORBIDDEN, both_languages(error)) from None
        services.record_read(actor=actor, access=access, version=version, how=ReadAccess.DOWNLOAD)
        return chunk_reader(open_for_download(version.file))

    def begin_write(self, *, content_type: str | None = None) -> _Upload:
        self.content_type = content_type
        self.upload = _Upload(content_type)
        return self.upload

    def end_write(self, *, with_errors: bool) -> None:
        _store(self, self.parent, self.document.name, self.document.id, with_errors)
        self.version = selectors.current_version(document=self.document)

    def handle_delete(self) -> bool:
        _guard(
            services.document_trash, actor=self.parent.context.actor, document_id=self.document.id
        )
        return True

    def support_recursive_delete(self) -> bool:
        return True

    def delete(self) -> None:
        self.handle_delete()

    def handle_copy(self, dest_path: str, *, depth_infinity: bool) -> bool:
        raise DAVError(HTTP_FORBIDDEN, "Kopiering stöds inte. / Copying is not supported.")

    def handle_move(self, dest_path: str) -> bool:
        provider: SafosProvider = self.provider
        parent_path, _slash, name = dest_path.rstrip("/").rpartition("/")
        target = provider.get_resource_inst(parent_path or "/", self.environ)
        if not isinstance(target, FolderCollection) or (
            target.access.workspace.id != self.parent.access.workspace.id
        ):
            raise DAVError(
                HTTP_FORBIDDEN,
                "Dokument flyttas bara inom sin samarbetsyta. / "
                "Documents move only within their workspace.",
            )
        _guard(
            document_move,
            actor=self.parent.context.actor,
            document_id=self.document.id,
            folder_id=target.folder_id,
            name=name,
        )
        return True


def _locked_name(
    path: str, environ: dict[str, Any], folder: FolderCollection, name: str
) -> PendingDocument | None:
    """A name with no document that someone has LOCKed exists, empty, until its first PUT
    (RFC 4918 §7.3, ADR 0687); any other missing name is 404."""
    pending = PendingDocument(path, environ, folder, name)
    root = "/" + pending.get_ref_url().strip("/")
    locks = selectors.dav_locks_at(root, include_root=True, include_children=False)
    return pending if locks else None


class SafosProvider(DAVProvider):
    """Resolves a path for the request's actor; a workspace or document out of sight is 404."""

    def is_readonly(self) -> bool:
        return False

    def get_resource_inst(self, path: str, environ: dict[str, Any]) -> Any:
        self._count_get_resource_inst += 1
        context = environ.get("samdrift.dav_context")
        if context is None:
            context = environ["samdrift.dav_context"] = _Context(environ)
        parts = [p for p in path.strip("/").split("/") if p]
        if not parts:
            return RootCollection("/", environ, context)
        match = SEGMENT.match(parts[0])
        if match is None:
            return None
        try:
            access = selectors.workspace_get(actor=context.actor, workspace_id=int(match["id"]))
        except NotFound:
            return None
        except DomainError as error:  # a class above this login (step-up)
            raise dav_error(error) from None
        if segment_for(access.workspace) != parts[0]:
            return None
        if not context.allows(access.workspace.classification):
            raise DAVError(HTTP_FORBIDDEN, ABOVE_CLASS)
        here = FolderCollection("/" + parts[0], environ, context, access, None)
        for depth, name in enumerate(parts[1:], start=2):
            path_here = "/" + "/".join(parts[:depth])
            folder = (
                selectors.folder_list(workspace=access.workspace)
                .filter(parent_id=here.folder_id, name=name)
                .first()
            )
            if folder is not None:
                here = FolderCollection(path_here, environ, context, access, folder)
                continue
            if depth != len(parts):
                return None
            document = (
                selectors.document_list(workspace=access.workspace, folder_id=here.folder_id)
                .filter(name=name)
                .first()
            )
            if document is None:
                return _locked_name(path_here, environ, here, name)
            if not context.allows(document.classification):
                raise DAVError(HTTP_FORBIDDEN, ABOVE_CLASS)
            _guard(selectors.require_level, context.actor, document.classification)
            return DocumentResource(
                path_here,
                environ,
                here,
                document,
                version=selectors.current_version(document=document),
            )
        return here
