"""Program 2032 sites pages for the shared axe-core check (demo data loaded, demo admin logged in)."""

from __future__ import annotations


def pages() -> list[str]:
    from .models import Site

    urls = ["/continuity/sites/", "/continuity/sites/lose/", "/continuity/drills/"]
    site = Site.objects.order_by("code").first()
    if site is not None:
        urls.append(f"/continuity/sites/lose/?site={site.code}")
    return urls
