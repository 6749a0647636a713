"""The SAFOS workspaces as a WebDAV tree (ADR 0613): `/dav/<workspace> (<id>)/<folder>/…/<file>`.

Every read and write goes through collaboration's selectors and services with the actor of the
app password (ADR 0614), so permissions, classification, versions, check-out, malware scanning,
name checks and the audit of reads are the web's own. On top, the app password's highest class:
a workspace or document above it is not listed and is refused (403) when named.
"""

from __future__ import annotations

import mimetypes
import re
from typing import Any

from wsgidav.dav_error import (
    HTTP_CONFLICT,
    HTTP_FORBIDDEN,
    HTTP_NOT_FOUND,
    HTTP_SERVICE_UNAVAILABLE,
    DAVError,
)
from wsgidav.dav_provider import DAVCollection, DAVNonCollection, DAVProvider

from samdrift.accounts.app_passwords import AppPasswordLogin
from samdrift.core.exceptions import DomainError, NotFound
from samdrift.core.files.readers import chunk_reader
from samdrift.core.files.services import open_for_download
from samdrift.core.tenancy import area_for_api_path, missing_rank

from .. import selectors, services
from ..choices import ReadAccess
from ..models import Document, Folder, HeldUpload, Version, Workspace
from ..services.moves import document_move
from .errors import both_languages, dav_error, guard
from .writes import Upload, store, upload_for

LOGIN_KEY = "samdrift.dav_login"
SEGMENT = re.compile(r"^(?P<name>.*) \((?P<id>\d+)\)$")


def segment_for(workspace: Workspace) -> str:
    """A workspace's folder name at the top: its name (no slashes) and its id, unique."""
    return f"{workspace.name.replace('/', '-').replace(chr(92), '-')} ({workspace.id})"


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
        self._held_rows: list[HeldUpload] | None = None

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

    def held_rows(self) -> list[HeldUpload]:
        """This person's own uploads here still being scanned (read once per folder). Read
        before the documents: a release committed between the two reads then shows the new
        document (with a stale hold, answered as still scanning), never neither."""
        if self._held_rows is None:
            self._held_rows = selectors.held_scanning_in_folder(
                actor=self.context.actor,
                workspace_id=self.access.workspace.id,
                folder_id=self.folder_id,
            )
        return self._held_rows

    def held_for(self, document: Document | None, name: str) -> HeldUpload | None:
        """The newest held upload that will be `document`'s next version, or (no document) the
        one that will be a new document of that name."""
        for row in self.held_rows():
            if document is not None and row.document_id == document.id:
                return row
            if row.document_id is None and row.name == name:
                return row
        return None

    def _held_names(self, documents: list[tuple[Document, Version | None]]) -> list[str]:
        taken = {d.name for d, _version in documents}
        names = {row.name for row in self.held_rows() if row.document_id is None}
        return sorted(names - taken)

    def get_member_names(self) -> list[str]:
        self.held_rows()
        documents = self._documents()
        return [
            *(f.name for f in self._folders()),
            *(d.name for d, _version in documents),
            *self._held_names(documents),
        ]

    def get_member_list(self) -> list[Any]:
        """The members built from the listing itself (a PROPFIND of the folder), not resolved
        again from the root one by one."""
        base = self.path.rstrip("/")
        folders = [
            FolderCollection(f"{base}/{f.name}", self.environ, self.context, self.access, f)
            for f in self._folders()
        ]
        self.held_rows()
        listed = self._documents()
        documents = [
            DocumentResource(
                f"{base}/{d.name}",
                self.environ,
                self,
                d,
                version=version,
                held=self.held_for(d, d.name),
            )
            for d, version in listed
        ]
        held = [
            HeldResource(f"{base}/{name}", self.environ, self, row)
            for name in self._held_names(listed)
            if (row := self.held_for(None, name)) is not None
        ]
        return [*folders, *documents, *held]

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
        guard(
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


class PendingDocument(DAVNonCollection):
    """A name in a folder with no document yet: the target of a PUT."""

    def __init__(
        self, path: str, environ: dict[str, Any], parent: FolderCollection, name: str
    ) -> None:
        super().__init__(path, environ)
        self.parent = parent
        self.name = name
        self.upload: Upload | None = None
        self.content_type: str | None = None

    def get_content_length(self) -> int:
        return 0

    def get_content_type(self) -> str:
        return "application/octet-stream"

    def get_content(self) -> Any:
        raise DAVError(HTTP_NOT_FOUND)

    def support_etag(self) -> bool:
        return False

    def get_etag(self) -> str | None:
        return None

    def begin_write(self, *, content_type: str | None = None) -> Upload:
        self.content_type = content_type
        self.upload = upload_for(self, self.parent, content_type)
        return self.upload

    def end_write(self, *, with_errors: bool) -> None:
        version = store(self, self.parent, self.name, None, with_errors)
        user_id = self.parent.context.actor.user_id
        if isinstance(version, Version) and user_id is not None:
            # a LOCK on this name before it existed now checks the new document out (ADR 0687)
            services.dav_lock_adopt(
                root="/" + self.get_ref_url().strip("/"),
                user_id=user_id,
                document_id=version.document_id,
            )


STILL_SCANNING = (
    "Filen söks igenom efter skadlig kod och kan läsas när den befunnits ren; försök igen om en "
    "stund. / The file is being scanned for malware and can be read once found clean; please "
    "try again shortly."
)
HELD_STAYS = (
    "Filen söks igenom efter skadlig kod; den kan tas bort, flyttas eller kopieras när den "
    "befunnits ren. / The file is being scanned for malware; it can be removed, moved or copied "
    "once found clean."
)


def still_scanning() -> DAVError:
    return DAVError(HTTP_SERVICE_UNAVAILABLE, STILL_SCANNING, add_headers=[("Retry-After", "5")])


class HeldResource(PendingDocument):
    """A new document's upload held for its scan (ADR 0692), as its uploader alone sees it: the
    name, size and time of what they PUT (a client reads back what it wrote), no bytes until
    it is found clean. A PUT to it is another upload of that name, as to a new name."""

    def __init__(
        self, path: str, environ: dict[str, Any], parent: FolderCollection, held: HeldUpload
    ) -> None:
        super().__init__(path, environ, parent, held.name)
        self.held = held

    def get_content_length(self) -> int:
        return self.held.size

    def get_content_type(self) -> str:
        return mimetypes.guess_type(self.held.name)[0] or "application/octet-stream"

    def support_etag(self) -> bool:
        return True

    def get_etag(self) -> str:
        return self.held.sha256

    def get_last_modified(self) -> float:
        return self.held.created_at.timestamp()

    def get_creation_date(self) -> float:
        return self.held.created_at.timestamp()

    def finalize_headers(self, environ: dict[str, Any], response_headers: list[Any]) -> None:
        raise still_scanning()  # before a GET's or a HEAD's answer starts: the same for both

    def get_content(self) -> Any:
        raise still_scanning()

    def handle_delete(self) -> bool:
        raise DAVError(HTTP_CONFLICT, HELD_STAYS)

    def delete(self) -> None:
        self.handle_delete()

    def handle_move(self, dest_path: str) -> bool:
        raise DAVError(HTTP_CONFLICT, HELD_STAYS)

    def handle_copy(self, dest_path: str, *, depth_infinity: bool) -> bool:
        raise DAVError(HTTP_CONFLICT, HELD_STAYS)


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
        held: HeldUpload | None = None,
    ) -> None:
        super().__init__(path, environ)
        self.parent = parent
        self.document = document
        self.version = version  # the current one, read with the document or its folder
        # The person's own next version, stored and being scanned: what they see of the
        # document until it is decided (ADR 0692); no one else sees it.
        self.held = held
        self.upload: Upload | None = None
        self.content_type: str | None = None

    def get_content_length(self) -> int:
        if self.held is not None:
            return self.held.size
        return self.version.size if self.version else 0

    def get_content_type(self) -> str:
        return (self.version.content_type if self.version else "") or "application/octet-stream"

    def get_etag(self) -> str | None:
        if self.held is not None:
            return self.held.sha256
        return self.version.sha256 if self.version else None

    def support_etag(self) -> bool:
        return True

    def support_ranges(self) -> bool:
        return False

    def get_last_modified(self) -> float:
        if self.held is not None:
            return self.held.created_at.timestamp()
        return self.document.updated_at.timestamp()

    def get_creation_date(self) -> float:
        return self.document.created_at.timestamp()

    def finalize_headers(self, environ: dict[str, Any], response_headers: list[Any]) -> None:
        if self.held is not None:  # as for a GET: no 200 to a HEAD while it is scanned
            raise still_scanning()

    def get_content(self) -> Any:
        """The download: the web's rules (class 3 is view only) and an audited read."""
        if self.held is not None:
            raise still_scanning()
        actor = self.parent.context.actor
        access = guard(selectors.document_get, actor=actor, document_id=self.document.id)
        version = guard(selectors.version_get, document=access.document)
        try:
            services.ensure_download_allowed(access)
        except DomainError as error:  # view only (class 3): forbidden to this program
            raise DAVError(HTTP_FORBIDDEN, both_languages(error)) from None
        services.record_read(actor=actor, access=access, version=version, how=ReadAccess.DOWNLOAD)
        return chunk_reader(open_for_download(version.file))

    def begin_write(self, *, content_type: str | None = None) -> Upload:
        self.content_type = content_type
        self.upload = upload_for(self, self.parent, content_type)
        return self.upload

    def end_write(self, *, with_errors: bool) -> None:
        stored = store(self, self.parent, self.document.name, self.document.id, with_errors)
        if isinstance(stored, HeldUpload):
            self.held = stored
        self.version = selectors.current_version(document=self.document)

    def handle_delete(self) -> bool:
        guard(
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
        guard(
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
            here.held_rows()  # before the document: see `held_rows`
            document = (
                selectors.document_list(workspace=access.workspace, folder_id=here.folder_id)
                .filter(name=name)
                .first()
            )
            if document is None:
                held = here.held_for(None, name)
                if held is not None:
                    return HeldResource(path_here, environ, here, held)
                return _locked_name(path_here, environ, here, name)
            if not context.allows(document.classification):
                raise DAVError(HTTP_FORBIDDEN, ABOVE_CLASS)
            guard(selectors.require_level, context.actor, document.classification)
            return DocumentResource(
                path_here,
                environ,
                here,
                document,
                version=selectors.current_version(document=document),
                held=here.held_for(document, name),
            )
        return here
