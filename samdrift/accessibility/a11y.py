"""Pages of the accessibility app for the shared axe-core test (demo data, admin logged in)."""

from __future__ import annotations


def pages() -> list[str]:
    return ["/accessibility/"]
