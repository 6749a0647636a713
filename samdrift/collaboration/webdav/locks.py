"""WsgiDAV's lock storage on collaboration's locks (ADR 0687): LOCK on a document is its
check-out, and every worker process reads the same rows.

WsgiDAV hands its storage a path and a dictionary, not the request; the request's environ (with
the app password's actor, which the provider resolved) is kept in a context variable for the
length of the request, so a lock is taken under the same rights as every other write.
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from contextvars import ContextVar
from typing import Any

from wsgidav.dav_error import HTTP_FORBIDDEN, DAVError
from wsgidav.lock_man.lock_manager import normalize_lock_root

from samdrift.core.actor import SYSTEM, Actor

from .. import selectors, services
from ..models import DavLock
from .errors import guard
from .provider import (
    NOT_LOCKABLE,
    DocumentResource,
    FolderCollection,
    PendingDocument,
    SafosProvider,
)

_environ: ContextVar[dict[str, Any] | None] = ContextVar("samdrift_dav_environ", default=None)


@contextmanager
def request_scope(environ: dict[str, Any]) -> Iterator[None]:
    token = _environ.set(environ)
    try:
        yield
    finally:
        _environ.reset(token)


def _actor() -> Actor | None:
    environ = _environ.get()
    context = environ.get("samdrift.dav_context") if environ else None
    return context.actor if context is not None else None


def as_lock(row: DavLock) -> dict[str, Any]:
    """A row as the dictionary WsgiDAV's lock manager works with."""
    return {
        "root": row.root,
        "type": "write",
        "scope": row.scope,
        "depth": row.depth,
        "owner": row.owner.encode(),
        "timeout": row.timeout,
        "expire": row.expires_at.timestamp(),
        "principal": row.principal,
        "token": row.token,
    }


class DatabaseLockStorage:
    """The interface of WsgiDAV's `LockStorageDict`, kept in collaboration's `DavLock` rows."""

    def __init__(self, provider: SafosProvider) -> None:
        self.provider = provider

    def __repr__(self) -> str:
        return type(self).__name__

    def open(self) -> None:
        """Nothing to open: the database connection is Django's."""

    def close(self) -> None:
        """Nothing to close."""

    def cleanup(self) -> None:
        services.dav_locks_expire()

    def clear(self) -> None:
        """Never: the rows are people's check-outs, ended one by one with their audit."""

    def get(self, token: str) -> dict[str, Any] | None:
        row = selectors.dav_lock_get(token)
        return as_lock(row) if row is not None else None

    def create(self, path: str, lock: dict[str, Any]) -> dict[str, Any]:
        environ = _environ.get()
        actor = _actor()
        if environ is None or actor is None:
            raise DAVError(HTTP_FORBIDDEN)
        root = normalize_lock_root(path)
        path = self.provider.ref_url_to_path(root)
        resource = self.provider.get_resource_inst(path, environ)
        if isinstance(resource, DocumentResource):
            folder, document_id = resource.parent, resource.document.id
        elif resource is None or isinstance(resource, PendingDocument):  # a name, no document
            folder = self.provider.get_resource_inst(path.rsplit("/", 1)[0] or "/", environ)
            document_id = None
            if not isinstance(folder, FolderCollection):
                raise DAVError(HTTP_FORBIDDEN, NOT_LOCKABLE)
        else:
            raise DAVError(HTTP_FORBIDDEN, NOT_LOCKABLE)
        asked = services.LockAsked(
            root=root,
            principal=str(lock["principal"]),
            scope=str(lock["scope"]),
            depth=str(lock["depth"]),
            owner=bytes(lock.get("owner") or b"").decode("utf-8", "replace"),
            timeout=float(lock["timeout"]),
        )
        row = guard(
            services.dav_lock_take,
            actor=actor,
            asked=asked,
            workspace_id=folder.access.workspace.id,
            document_id=document_id,
        )
        _forget()
        lock.update(as_lock(row))
        return lock

    def refresh(self, token: str, *, timeout: float) -> dict[str, Any]:
        _forget()
        row = services.dav_lock_refresh(token=token, timeout=timeout)
        if row is None:
            raise ValueError("Lock must exist")  # WsgiDAV checked the token just before
        return as_lock(row)

    def delete(self, token: str) -> bool:
        _forget()
        return services.dav_lock_release(token=token, actor=_actor() or SYSTEM)

    def get_lock_list(
        self, path: str, *, include_root: bool, include_children: bool, token_only: bool
    ) -> list[Any]:
        root = normalize_lock_root(path)
        rows = [
            row
            for row in _workspace_locks(root)
            if (include_root and row.root == root)
            or (include_children and row.root.startswith(root.rstrip("/") + "/"))
        ]
        return [row.token if token_only else as_lock(row) for row in rows]


CACHE_KEY = "samdrift.dav_locks"


def _workspace_locks(root: str) -> list[DavLock]:
    """The live locks in `root`'s workspace, read once per request: a folder listing asks for
    every member's locks, and would otherwise cost a query per document."""
    top = "/" + root.strip("/").split("/", 1)[0]
    if top == "/":
        return []  # nothing locks the root, and it must not gather every workspace's locks
    environ = _environ.get()
    cache: dict[str, list[DavLock]] | None = environ.get(CACHE_KEY) if environ else None
    if cache is not None and top in cache:
        return cache[top]
    rows = selectors.dav_locks_at(top, include_root=True, include_children=True)
    if environ is not None:
        environ.setdefault(CACHE_KEY, {})[top] = rows
    return rows


def _forget() -> None:
    """A lock was taken, refreshed or ended: the request reads the rows again."""
    environ = _environ.get()
    if environ is not None:
        environ.pop(CACHE_KEY, None)
