"""SAFOS demo data: two workspaces owned by an agency connected to SAFOS (in the report's demo,
of the demo users only Statens haverikommission's is), with members from several demo agencies
(guests, since their agencies are not connected), folders, and documents with
more than one version, uploaded through the real services (storage, checksums, audit).

Idempotent: does nothing when the workspaces exist.
"""

from __future__ import annotations

import io
from typing import Any

from samdrift.accounts.models import User
from samdrift.accounts.selectors import actor_for_user
from samdrift.core.actor import SYSTEM
from samdrift.onboarding.selectors import subscription_list

from . import services
from .choices import SERVICE_CODE, Role
from .models import HeldUpload, Member, Workspace
from .selectors import agency_connected

WORKSPACES: list[tuple[str, int, list[tuple[str, str]], list[tuple[str | None, str, list[str]]]]] = [
    (
        "Samverkan krisberedskap",
        1,
        [("medlem.shk", Role.OWNER), ("admin", Role.EDITOR), ("kontakt.dv", Role.EDITOR),
         ("kontakt.lst", Role.COMMENTER), ("bestallare.skv", Role.READER)],
        [
            (None, "Mötesanteckningar.txt", ["Möte 1: planering.\n", "Möte 1: planering.\nMöte 2: övning.\n"]),
            ("Protokoll", "Protokoll 2027-01.md", ["# Protokoll\n\nBeslut: övning i mars.\n"]),
        ],
    ),
    (
        "Gemensam upphandling av tolktjänster",
        2,
        [("medlem.shk", Role.OWNER), ("admin", Role.EDITOR), ("kontakt.lst", Role.READER)],
        [(None, "Kravspecifikation.txt", ["Krav 1: tillgänglighet.\n"])],
    ),
]  # fmt: skip


def load(*, stdout: Any) -> None:
    if Workspace.objects.exists():
        return
    if not subscription_list(actor=SYSTEM, service_code=SERVICE_CODE).exists():
        stdout.write("No agency is connected to SAFOS: no demo workspaces.")
        return
    users = {u.username: u for u in User.objects.filter(memberships__isnull=False).distinct()}
    made = 0
    for name, level, people, documents in WORKSPACES:
        # Who is in it, for which agency, and whether as a guest (agency not connected).
        rows = []
        for username, role in people:
            user = users.get(username)
            membership = user.memberships.order_by("id").first() if user else None
            if user is None or membership is None:
                continue
            guest = not agency_connected(org_id=membership.organisation_id)
            rows.append((user, membership.organisation_id, role, guest))
        # The owner is the first connected person, preferably the one listed as owner; the
        # workspace belongs to that person's agency. A guest listed as owner edits instead.
        hosts = sorted((r for r in rows if not r[3]), key=lambda r: r[2] != Role.OWNER)
        if not hosts:
            continue
        owner = hosts[0]
        workspace = Workspace.objects.create(
            name=name,
            owner_org_id=owner[1],
            classification=level,
            quota_bytes=services.default_quota(),
        )
        for user, org_id, role, guest in rows:
            if user == owner[0]:
                role = Role.OWNER
            elif role == Role.OWNER:
                role = Role.EDITOR
            Member.objects.create(
                workspace=workspace, user=user, organisation_id=org_id, role=role, is_guest=guest
            )
        actor = actor_for_user(owner[0], loa_rank=3)
        for folder_name, file_name, texts in documents:
            folder_id = None
            if folder_name:
                folder_id = services.folder_create(
                    actor=actor, workspace_id=workspace.id, name=folder_name
                ).id
            for text in texts:
                services.upload(
                    actor=actor,
                    workspace_id=workspace.id,
                    stream=io.BytesIO(text.encode()),
                    name=file_name,
                    content_type="text/plain",
                    folder_id=folder_id,
                )
        if made == 0 and "admin" in users:
            _refused_upload(workspace, users["admin"])
        made += 1
    stdout.write(f"Loaded {made} SAFOS workspaces.")


def _refused_upload(workspace: Workspace, uploader: Any) -> None:
    """A large upload the scan refused (ADR 0688), as its uploader sees it for a day."""
    from django.utils import timezone

    from samdrift.core.i18n import in_both_languages

    from .services.held import MALWARE

    reason = in_both_languages(MALWARE, {"signature": "Eicar-Test-Signature"})
    HeldUpload.objects.create(
        workspace=workspace, name="Övningsrapport.pdf", size=12 * 1024 * 1024, sha256="0" * 64,
        created_by=uploader, state=HeldUpload.State.REFUSED, reason_code="malware_found",
        reason_sv=reason["sv"], reason_en=reason["en"], finished_at=timezone.now(),
    )  # fmt: skip
