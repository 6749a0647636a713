"""Writes of the reporting app: the report's prose. One transaction, one audit record."""

from __future__ import annotations

from django.db import transaction
from django.utils.translation import gettext_lazy as _

from samdrift.audit.services import audit_record, snapshot
from samdrift.core.actor import Actor
from samdrift.core.exceptions import ConcurrentUpdate, NotFound, PermissionDenied, ValidationFailed

from .models import TEXT_MAX_LENGTH, ReportText
from .permissions import report_abilities
from .selectors import check_year

TEXT_FIELDS = ("summary_sv", "summary_en", "background_sv", "background_en")
AUDITED_FIELDS = ("year", *TEXT_FIELDS, "version")


def _clean_texts(texts: dict[str, str]) -> dict[str, str]:
    errors: dict[str, list[str]] = {}
    cleaned: dict[str, str] = {}
    for name in TEXT_FIELDS:
        value = texts.get(name, "")
        if not isinstance(value, str):
            errors[name] = [str(_("Must be text."))]
            continue
        value = value.replace("\r\n", "\n").strip()
        if len(value) > TEXT_MAX_LENGTH:
            errors[name] = [str(_("At most 20,000 characters."))]
        if "\x00" in value:
            errors[name] = [str(_("The text contains a character that cannot be stored."))]
        cleaned[name] = value
    unknown = sorted(set(texts) - set(TEXT_FIELDS))
    if unknown:
        errors["__all__"] = [str(_("Unknown fields: %(names)s")) % {"names": ", ".join(unknown)}]
    if errors:
        raise ValidationFailed(
            _("The report text was not saved; correct the marked fields."), errors=errors
        )
    return cleaned


def report_text_save(
    *, actor: Actor, year: int, texts: dict[str, str], expected_version: int | None = None
) -> ReportText:
    """Create or replace the prose of one year's report.

    `expected_version` is the version the editor started from (None for a new text); if someone
    saved in between, nothing is written and the editor is told (ConcurrentUpdate).
    """
    abilities = report_abilities(actor=actor)
    if not abilities["view"]:
        raise NotFound(_("No such report."))
    if not abilities["edit_text"]:
        raise PermissionDenied(
            _("Only the administrator or a service manager may edit the report text.")
        )
    year = check_year(year)
    cleaned = _clean_texts(texts)
    with transaction.atomic():
        row = ReportText.objects.select_for_update().filter(year=year).first()
        current_version = row.version if row else None
        if expected_version is not None and expected_version != current_version:
            raise ConcurrentUpdate(
                _("Someone else saved this report text first. Reload it and try again.")
            )
        if expected_version is None and row is not None:
            raise ConcurrentUpdate(
                _("Someone else saved this report text first. Reload it and try again.")
            )
        before = snapshot(row, AUDITED_FIELDS) if row else None
        if row is None:
            row = ReportText(year=year)
        for name, value in cleaned.items():
            setattr(row, name, value)
        row.version = (current_version or 0) + 1
        row.updated_by_id = actor.user_id
        row.full_clean()
        row.save()
        audit_record(
            actor=actor,
            action="reporting.text_saved",
            obj=row,
            before=before,
            after=snapshot(row, AUDITED_FIELDS),
        )
    return row
