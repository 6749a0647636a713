"""Hook points for what is built beside the documents (ADR 0602): `register_version_hook(name,
fn)` - `fn(version id)` runs after the commit of every new version."""

from __future__ import annotations

import logging
from collections.abc import Callable

log = logging.getLogger("samdrift.collaboration.services")

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
