"""Pages of the reporting app for the shared axe-core test (demo data loaded, admin logged in)."""

from __future__ import annotations

from .demo import DEMO_YEAR


def pages() -> list[str]:
    return [
        "/reports/",
        f"/reports/government/{DEMO_YEAR}/",
        f"/reports/government/{DEMO_YEAR}/text/",
        f"/reports/government/{DEMO_YEAR}/decision/",
    ]
