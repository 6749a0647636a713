"""EFOS pages for the shared axe-core check (demo data loaded, demo provider admin logged in)."""

from __future__ import annotations


def pages() -> list[str]:
    from .models import Official, SignableDocument

    urls = [
        "/efos/",
        "/efos/officials/",
        "/efos/officials/new/",
        "/efos/documents/",
        "/efos/validate/",
        "/efos/clients/",
    ]
    official = Official.objects.filter(credentials__isnull=False).order_by("pk").first()
    if official is not None:
        urls.append(f"/efos/officials/{official.pk}/")
    document = SignableDocument.objects.filter(signatures__isnull=False).order_by("pk").first()
    if document is not None:
        urls.append(f"/efos/documents/{document.pk}/")
    return urls
