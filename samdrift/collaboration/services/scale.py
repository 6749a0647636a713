"""An agency's own confidentiality scale mapped onto KLASSA (ADR 0617).

The owner agency's security role (ADR 0604) keeps a list of labels ("Öppen", "Intern",
"Känslig", …), each mapped to exactly one KLASSA level 0–3. A workspace or document classified
with a label stores the label and its level; every rule reads the level only. A label in use
keeps its level (changing it would re-classify its workspaces and documents without a decision),
and is not removed; the agency adds a new label and reclassifies instead.
"""

from __future__ import annotations

from typing import Any

from django.db import transaction
from django.utils.translation import gettext_lazy as _

from samdrift.audit.services import audit_record
from samdrift.core.actor import SYSTEM, Actor
from samdrift.core.exceptions import NotFound, ValidationFailed
from samdrift.core.text import is_single_line
from samdrift.organisations.selectors import organisation_get

from ..models import ScaleLabel, Workspace
from ..permissions import is_security_officer
from ..policy import parse_classification
from ..selectors import label_uses

LABEL_PREFIX = "label:"
MAX_LABELS = 12

UNMAPPED = _("“%(label)s” has no KLASSA level. Map every label to a level from 0 to 3.")
BAD_LEVEL = _("“%(label)s”: choose a KLASSA level from 0 to 3.")
NAMES_NEEDED = _(
    "Every label needs a Swedish and an English name: one line of at most 60 characters."
)
DUPLICATE = _("Two labels are called “%(label)s”. Give every label its own name.")
LEVEL_IN_USE = _(
    "“%(label)s” is used by %(count)s workspaces or documents, so its KLASSA level cannot change "
    "(that would re-classify them without a decision). Add a new label with the new level and "
    "reclassify them instead."
)
REMOVE_IN_USE = _(
    "“%(label)s” is used by %(count)s workspaces or documents and cannot be removed. Reclassify "
    "them first."
)
UNKNOWN_LABEL = _("The label is not part of the owning agency's scale.")
TOO_MANY = _("An agency's scale may have at most %(max)s labels.")


def _invalid(message: Any, **params: Any) -> ValidationFailed:
    text = str(message) % params if params else str(message)
    return ValidationFailed(message, errors={"labels": [text]}, **params)


def label_for(org_id: int, level: int) -> int | None:
    """The agency's label for a level when it has exactly one there; else none (ambiguous or
    unmapped levels are shown as the KLASSA level only)."""
    ids = list(
        ScaleLabel.objects.filter(organisation_id=org_id, level=level).values_list("id", flat=True)[
            :2
        ]
    )
    return ids[0] if len(ids) == 1 else None


def resolve_class(value: Any, org_id: int) -> tuple[int, int | None]:
    """A level and the label to store, from "0"–"3" (the agency's label for it, if unambiguous)
    or "label:<id>" (one of the owning agency's labels)."""
    text = str(value).strip() if value is not None else ""
    if text.lower().startswith(LABEL_PREFIX):
        label = (
            ScaleLabel.objects.filter(organisation_id=org_id, id=text[len(LABEL_PREFIX) :])
            .values_list("id", "level")
            .first()
            if text[len(LABEL_PREFIX) :].isdigit()
            else None
        )
        if label is None:
            raise ValidationFailed(UNKNOWN_LABEL, errors={"classification": [str(UNKNOWN_LABEL)]})
        return label[1], label[0]
    level = parse_classification(value)
    return level, label_for(org_id, level)


def _clean_rows(rows: list[dict[str, Any]]) -> list[dict[str, Any]]:
    if len(rows) > MAX_LABELS:
        raise _invalid(TOO_MANY, max=MAX_LABELS)
    clean: list[dict[str, Any]] = []
    for row in rows:
        names = []
        for key in ("name_sv", "name_en"):
            text = str(row.get(key) or "").strip()
            if not text or len(text) > 60 or not is_single_line(text):
                raise _invalid(NAMES_NEEDED)
            names.append(text)
        level_value = row.get("level")
        if level_value is None or str(level_value).strip() == "":
            raise _invalid(UNMAPPED, label=names[0])
        try:
            level = parse_classification(level_value, field="labels")
        except ValidationFailed as error:
            if getattr(error, "code", "") == "security_protected":
                raise
            raise _invalid(BAD_LEVEL, label=names[0]) from None
        label_id = row.get("id")
        clean.append(
            {"id": int(label_id) if label_id not in (None, "") else None,
             "name_sv": names[0], "name_en": names[1], "level": level}
        )  # fmt: skip
    for key in ("name_sv", "name_en"):
        seen: set[str] = set()
        for row in clean:
            if row[key].casefold() in seen:
                raise _invalid(DUPLICATE, label=row[key])
            seen.add(row[key].casefold())
    return clean


def scale_set(
    *, actor: Actor, organisation_id: int, labels: list[dict[str, Any]]
) -> list[ScaleLabel]:
    """Replace the agency's scale with `labels` (each: id of an existing label or none, name_sv,
    name_en, level). All or nothing: one refusal changes nothing."""
    if not is_security_officer(actor, organisation_id):
        raise NotFound("organisation")
    organisation_get(actor=SYSTEM, org_id=organisation_id)  # NotFound for one that is not there
    clean = _clean_rows(labels)
    with transaction.atomic():
        current = {
            label.id: label
            for label in ScaleLabel.objects.select_for_update().filter(
                organisation_id=organisation_id
            )
        }
        counts = label_uses(list(current))
        kept = {row["id"] for row in clean if row["id"] is not None}
        if kept - set(current):
            raise _invalid(UNKNOWN_LABEL)
        for row in clean:
            old = current.get(row["id"]) if row["id"] is not None else None
            if old is not None and old.level != row["level"] and counts[old.id]:
                raise _invalid(LEVEL_IN_USE, label=old.name, count=counts[old.id])
        for label_id, old in current.items():
            if label_id not in kept and counts[label_id]:
                raise _invalid(REMOVE_IN_USE, label=old.name, count=counts[label_id])
        before = [_row(label) for label in current.values()]
        ScaleLabel.objects.filter(id__in=set(current) - kept).delete()
        # names are unique per agency: park the kept ones first so a swap of two names works.
        # A control character no checked name can hold; not NUL, which PostgreSQL's text refuses.
        for label_id in kept:
            ScaleLabel.objects.filter(id=label_id).update(
                name_sv=f"\x01{label_id}", name_en=f"\x01{label_id}"
            )
        result = []
        for position, row in enumerate(clean):
            fields = {"name_sv": row["name_sv"], "name_en": row["name_en"],
                      "level": row["level"], "position": position}  # fmt: skip
            if row["id"] is None:
                label = ScaleLabel.objects.create(organisation_id=organisation_id, **fields)
            else:
                label = current[row["id"]]
                for key, value in fields.items():
                    setattr(label, key, value)
                label.save()
            result.append(label)
        audit_record(
            actor=actor,
            action="collaboration.scale_set",
            obj=None,
            organisation_id=organisation_id,
            before={"labels": before},
            after={"labels": [_row(label) for label in result]},
        )
    return result


def _row(label: ScaleLabel) -> dict[str, Any]:
    return {"id": label.id, "name_sv": label.name_sv, "name_en": label.name_en,
            "level": label.level}  # fmt: skip


def relabel(workspace: Workspace) -> None:
    """After the workspace changed hands: its and its documents' labels become the new owning
    agency's labels for their levels (the levels, and so every rule, stay as they were)."""
    org_id = workspace.owner_org_id
    workspace.scale_label_id = label_for(org_id, workspace.classification)
    workspace.save(update_fields=["scale_label", "updated_at"])
    for level in range(4):
        workspace.documents.filter(classification=level).update(
            scale_label_id=label_for(org_id, level)
        )
