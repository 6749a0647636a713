"""SAFOS demo data: two workspaces owned by agencies connected to SAFOS, with members from
several demo agencies (guests where the agency is not connected), folders, and documents with
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
from .models import Member, Workspace
from .selectors import agency_connected

WORKSPACES: list[tuple[str, int, list[tuple[str, str]], list[tuple[str | None, str, list[str]]]]] = [
    # name, class, members (username, role), documents (folder, name, versions)
    (
        "Samverkan krisberedskap",
        1,
        [("admin", Role.OWNER), ("kontakt.dv", Role.EDITOR), ("bestallare.skv", Role.READER)],
        [
            (None, "Mötesanteckningar.txt", ["Möte 1: planering.\n", "Möte 1: planering.\nMöte 2: övning.\n"]),
            ("Protokoll", "Protokoll 2027-01.md", ["# Protokoll\n\nBeslut: övning i mars.\n"]),
        ],
    ),
    (
        "Gemensam upphandling av tolktjänster",
        2,
        [("medlem.shk", Role.OWNER), ("admin", Role.EDITOR)],
        [(None, "Kravspecifikation.txt", ["Krav 1: tillgänglighet.\n"])],
    ),
]  # fmt: skip


def load(*, stdout: Any) -> None:
    if Workspace.objects.exists():
        return
    connected = [s.organisation for s in subscription_list(actor=SYSTEM, service_code=SERVICE_CODE)]
    if not connected:
        stdout.write("No agency is connected to SAFOS: no demo workspaces.")
        return
    users = {u.username: u for u in User.objects.filter(memberships__isnull=False).distinct()}
    made = 0
    for index, (name, level, people, documents) in enumerate(WORKSPACES):
        owner_org = connected[index % len(connected)]
        workspace = Workspace.objects.create(
            name=name,
            owner_org=owner_org,
            classification=level,
            quota_bytes=services.default_quota(),
        )
        for username, role in people:
            user = users.get(username)
            if user is None:
                continue
            membership = user.memberships.order_by("id").first()
            if membership is None:
                continue
            guest = not agency_connected(org_id=membership.organisation_id)
            Member.objects.create(
                workspace=workspace,
                user=user,
                organisation_id=membership.organisation_id,
                # The owner row stands for the owning agency; a guest demo user edits instead.
                role=Role.EDITOR if guest and role == Role.OWNER else role,
                is_guest=guest,
            )
        if not workspace.members.filter(role=Role.OWNER).exists():
            first = workspace.members.filter(is_guest=False).first()
            if first is None:
                workspace.delete()
                continue
            first.role = Role.OWNER
            first.save(update_fields=["role"])
        editor = workspace.members.filter(role__in=[Role.OWNER, Role.EDITOR]).first()
        if editor is None:
            continue
        actor = actor_for_user(editor.user, loa_rank=3)
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
        made += 1
    stdout.write(f"Loaded {made} SAFOS workspaces.")
