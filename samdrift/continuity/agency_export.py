"""One agency's data on its own (issue 18 item 1, ADR 0916): for an agency that leaves, as part
of the exit settlement, and for its own archive (arkivlagen).

Like the full backup this works on the schema, not on each app's meaning: every row of every
samdrift table with a column naming the agency (a foreign key to the agency, or a file's owning
agency) is the agency's, found through Django's model registry, so a model added later is
exported without anyone remembering to add it. Rows that belong to the agency one step further
away (a workspace's documents, a calendar's entries, a case's events) are found the same way:
a foreign key to a row already exported, to a depth of three. The people of the agency (its
members' accounts, without password hashes) come with their memberships.

The export is the backup's sealed format (AES-256-GCM under a passphrase, ADR 0900): a tar of
`data/<app>.<model>.json` (Django's JSON serialisation), the agency's stored files under
`files/`, and a manifest with every member's size and SHA-256; `samdrift backup verify`'s
reader (`services.open_backup`) opens and checks it.
"""

from __future__ import annotations

import datetime
import json
import os
import tarfile
import time
from collections import defaultdict
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from django.apps import apps
from django.core import serializers
from django.core.serializers.json import DjangoJSONEncoder
from django.db import models, transaction
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from samdrift.audit.services import audit_record
from samdrift.core.actor import SYSTEM
from samdrift.core.exceptions import ValidationFailed
from samdrift.core.files.storage import read_chunks

from .archive import SealingWriter
from .services import FORMAT, MANIFEST, _add, _version

#: How far from the agency a row may be and still be the agency's (agency → workspace →
#: document → version).
DEPTH = 3
#: Never exported: secrets and what is not the agency's to take (the audit chain stays whole
#: with the provider; the agency gets its own events from `samdrift audit export`).
EXCLUDED = {
    "accounts.apitoken", "accounts.apppassword", "sessions.session", "audit.auditevent",
    "contenttypes.contenttype", "auth.permission", "admin.logentry",
}  # fmt: skip
USER_FIELDS = ("username", "first_name", "last_name", "email", "is_active", "date_joined")


@dataclass(frozen=True)
class AgencyExport:
    path: Path
    seconds: float
    bytes: int
    rows: int
    files: int
    models: dict[str, int]


def _label(model: type[models.Model]) -> str:
    return model._meta.label_lower


def _ours(model: type[models.Model]) -> bool:
    return model.__module__.startswith("samdrift.") and _label(model) not in EXCLUDED


def _names_another(model: type[models.Model], organisation: Any, organisation_id: int) -> Q:
    """Rows with a key to an agency other than this one (another agency's clock on a shared
    incident, its member in a shared workspace): theirs, not this agency's."""
    condition = Q(pk__in=[])
    for field in model._meta.fields:
        if field.is_relation and getattr(field, "related_model", None) is organisation:
            condition |= Q(**{f"{field.attname}__isnull": False}) & ~Q(
                **{field.attname: organisation_id}
            )
    return condition


def agency_rows(organisation_id: int) -> dict[str, set[Any]]:
    """The primary keys of every row that is the agency's, per model label."""
    organisation = apps.get_model("organisations", "Organisation")
    found: dict[str, set[Any]] = defaultdict(set)
    found[_label(organisation)].add(organisation_id)
    owned = [m for m in apps.get_models() if _ours(m)]
    for model in owned:  # a file's owning agency is a number, not a key
        if any(f.name == "owner_org_id" for f in model._meta.fields):
            found[_label(model)] |= set(
                model._default_manager.filter(owner_org_id=organisation_id).values_list(
                    "pk", flat=True
                )
            )
    frontier: dict[str, set[Any]] = {label: set(pks) for label, pks in found.items()}
    for step in range(DEPTH):
        reached: dict[str, set[Any]] = defaultdict(set)
        for model in owned:
            for field in model._meta.fields:
                target = getattr(field, "related_model", None)
                if not field.is_relation or target is None or _label(target) not in frontier:
                    continue
                rows = model._default_manager.filter(
                    **{f"{field.attname}__in": list(frontier[_label(target)])}
                )
                if step > 0:  # through another row: not if it names another agency
                    rows = rows.exclude(_names_another(model, organisation, organisation_id))
                new = set(rows.values_list("pk", flat=True)) - found[_label(model)]
                if new:
                    found[_label(model)] |= new
                    reached[_label(model)] |= new
        frontier = dict(reached)
        if not frontier:
            break
    return {label: pks for label, pks in found.items() if pks}


def _people(found: dict[str, set[Any]]) -> list[dict[str, Any]]:
    """The accounts of the agency's members, without their password hashes."""
    membership = apps.get_model("organisations", "Membership")
    user_ids = set(
        membership.objects.filter(pk__in=found.get(_label(membership), set())).values_list(
            "user_id", flat=True
        )
    )
    user = apps.get_model("accounts", "User")
    return [
        {"id": row["id"], **{name: row[name] for name in USER_FIELDS}}
        for row in user.objects.filter(pk__in=user_ids).values("id", *USER_FIELDS).order_by("id")
    ]


def organisation_id_for(org_number: str) -> int:
    """The agency with this organisation number (with or without the hyphen)."""
    from samdrift.core.orgnumber import normalise_org_number
    from samdrift.organisations.selectors import agencies_with_org_number

    agency = agencies_with_org_number([normalise_org_number(org_number)]).first()
    if agency is None:
        raise ValidationFailed(_("There is no agency with that organisation number."))
    return int(agency.pk)


def export_agency(organisation_id: int, output: Path, passphrase: bytes) -> AgencyExport:
    """Write the agency's sealed export to `output` (never over an existing file)."""
    started = time.monotonic()
    organisation = apps.get_model("organisations", "Organisation")
    agency = organisation.objects.filter(pk=organisation_id).first()
    if agency is None:
        raise ValidationFailed(_("There is no agency with that organisation number."))
    if output.exists():
        raise ValidationFailed(
            _("%(path)s exists already; an export never overwrites a file."), path=str(output)
        )
    partial = output.with_name(f".{output.name}.partial")
    members: dict[str, dict[str, Any]] = {}
    counts: dict[str, int] = {}
    files = 0
    try:
        with transaction.atomic(), partial.open("xb") as target:  # one consistent read
            found = agency_rows(organisation_id)
            sealed = SealingWriter(target, passphrase)
            with tarfile.open(fileobj=sealed, mode="w|", format=tarfile.PAX_FORMAT) as tar:
                for label in sorted(found):
                    model = apps.get_model(label)
                    rows = model._default_manager.filter(pk__in=found[label]).order_by("pk")
                    body = serializers.serialize("json", rows, indent=1).encode()
                    name = f"data/{label}.json"
                    members[name] = _add(tar, name, len(body), iter([body]))
                    counts[label] = len(found[label])
                people = json.dumps(
                    _people(found), indent=1, ensure_ascii=False, cls=DjangoJSONEncoder
                ).encode()
                members["data/people.json"] = _add(
                    tar, "data/people.json", len(people), iter([people])
                )
                stored = apps.get_model("files", "StoredFile")
                for row in stored.objects.filter(pk__in=found.get(_label(stored), set())):
                    member = _add(tar, f"files/{row.key}", row.size, read_chunks(row.key))
                    if member["sha256"] != row.sha256:
                        raise ValidationFailed(
                            _("The stored file %(key)s does not match its checksum."), key=row.key
                        )
                    members[f"files/{row.key}"] = member
                    files += 1
                manifest = {
                    "format": FORMAT, "kind": "agency", "agency": agency.name,
                    "org_number": agency.org_number,
                    "created_at": datetime.datetime.now(datetime.UTC).isoformat(),
                    "samdrift_version": _version(), "models": counts, "members": members,
                }  # fmt: skip
                text = json.dumps(manifest, sort_keys=True, indent=1, ensure_ascii=False).encode()
                _add(tar, MANIFEST, len(text), iter([text]))
            sealed.close()
            os.fsync(target.fileno())
        partial.rename(output)
    except BaseException:
        partial.unlink(missing_ok=True)
        raise
    with transaction.atomic():
        audit_record(
            actor=SYSTEM, action="continuity.agency_exported", obj=agency,
            organisation_id=organisation_id,
            after={"file": output.name, "rows": sum(counts.values()), "files": files},
        )  # fmt: skip
    return AgencyExport(
        output, time.monotonic() - started, output.stat().st_size, sum(counts.values()), files,
        counts,
    )  # fmt: skip
