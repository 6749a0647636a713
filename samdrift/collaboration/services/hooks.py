"""Hook points for what is built beside the documents (ADR 0602): `register_version_hook(name,
fn)` - `fn(version id)` runs after the commit of every new version; `register_membership_hook(name,
fn)` - `fn(workspace id)` runs after the commit of every change to a workspace's members (chat's
rooms follow them, ADR 0651)."""

from __future__ import annotations

import logging
from collections.abc import Callable

from django.db import transaction

log = logging.getLogger("samdrift.collaboration.services")

VersionHook = Callable[[int], None]

MembershipHook = Callable[[int], None]

_version_hooks: dict[str, VersionHook] = {}
_membership_hooks: dict[str, MembershipHook] = {}


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


def register_membership_hook(name: str, hook: MembershipHook) -> None:
    """`hook(workspace_id)` runs after the commit of every change to the workspace's members
    (created, joined, role, removed, left, ownership). Called from an app's `AppConfig.ready()`;
    a name registered again is replaced."""
    _membership_hooks[name] = hook


def _run_membership_hooks(workspace_id: int) -> None:
    for name, hook in list(_membership_hooks.items()):
        try:
            hook(workspace_id)
        except Exception:  # one hook's failure must not undo the change or stop the others
            log.exception("membership hook %s failed for workspace %s", name, workspace_id)


def membership_changed(workspace_id: int) -> None:
    """Called inside a service's transaction: the hooks run once it commits."""
    transaction.on_commit(lambda: _run_membership_hooks(workspace_id))
