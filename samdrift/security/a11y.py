"""Security pages for the shared axe-core check (demo data loaded, demo admin logged in)."""

from __future__ import annotations


def pages() -> list[str]:
    from .models import Advisory, Finding

    advisory = Advisory.objects.order_by("id").first()
    finding = Finding.objects.order_by("id").first()
    return [
        "/security/",
        "/security/findings/",
        "/security/imports/",
        *([f"/security/findings/{finding.pk}/"] if finding else []),
        "/security/findings/?severity=critical&status=open",
        "/security/advisories/",
        "/security/cases/",
        *([f"/security/advisories/{advisory.pk}/"] if advisory else []),
    ]
