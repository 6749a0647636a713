"""Collaboration pages for the shared axe-core check (demo data loaded, demo admin logged in)."""

from __future__ import annotations


def pages() -> list[str]:
    from .models import Document, Workspace

    urls = ["/collaboration/", "/collaboration/invitations/", "/collaboration/search/?q=plan"]
    workspace = Workspace.objects.filter(members__user__username="admin").order_by("pk").first()
    if workspace is not None:
        urls += [
            f"/collaboration/{workspace.pk}/",
            f"/collaboration/{workspace.pk}/members/",
            f"/collaboration/{workspace.pk}/trash/",
        ]
        document = Document.objects.filter(workspace=workspace).order_by("pk").first()
        if document is not None:
            urls.append(f"/collaboration/documents/{document.pk}/")
            if workspace.members.filter(user__username="admin", role="owner").exists():
                urls.append(f"/collaboration/documents/{document.pk}/reads/")
                urls.append(f"/collaboration/documents/{document.pk}/shares/")
    return urls
