"""Security pages for the shared axe-core check (demo data loaded, demo admin logged in)."""

from __future__ import annotations


def pages() -> list[str]:
    return [
        "/security/",
        "/security/findings/",
        "/security/findings/?severity=critical&status=open",
    ]
