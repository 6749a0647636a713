"""Writes of the reporting app: the report's prose and its decision block. One transaction, one
audit record each."""

from __future__ import annotations

import datetime
import re

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from samdrift.audit.services import audit_record, snapshot
from samdrift.core.actor import Actor
from samdrift.core.exceptions import (
    BusinessRuleViolation,
    ConcurrentUpdate,
    NotFound,
    PermissionDenied,
    ValidationFailed,
)
from samdrift.efos.services import create_own_document
from samdrift.organisations.choices import PROVIDER_ROLES
from samdrift.organisations.selectors import members_in_roles

from .models import TEXT_MAX_LENGTH, ReportDecision, ReportText
from .permissions import may_sign_report, report_abilities
from .selectors import check_year, government_report, is_sealed, provider_ids_for

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
    _refuse_when_sealed(year)
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


# --- the decision block (ADR 0514) ----------------------------------------------------------------

#: The Government Offices' reference: ministry letters, the year, a slash and the number, an
#: optional unit after one more slash (Fi2017/03226/DF, Fi2025/01234).
REFERENCE_RE = re.compile(
    r"^[A-ZÅÄÖ][A-Za-zÅÄÖåäö]{0,3}(19|20)[0-9]{2}/[0-9]{1,6}(/[A-ZÅÄÖ]{1,6})?$"
)
DECISION_FIELDS = ("year", "reference", "decided_on", "decided_by_id", "presented_by_id")


def _clean_decision(
    actor: Actor, year: int, reference: object, decided_on: object, decided_by: object,
    presented_by: object,
) -> tuple[str, datetime.date, int, int]:  # fmt: skip
    errors: dict[str, list[str]] = {}
    ref = reference.strip() if isinstance(reference, str) else ""
    if not REFERENCE_RE.match(ref):
        errors["reference"] = [
            str(_("Give the Government Offices' reference number, for example Fi2017/03226/DF."))
        ]
    if not isinstance(decided_on, datetime.date) or isinstance(decided_on, datetime.datetime):
        errors["decided_on"] = [str(_("Give the date of the decision."))]
    elif decided_on > timezone.localdate():
        errors["decided_on"] = [str(_("The decision date cannot be in the future."))]
    elif decided_on.year < year:
        errors["decided_on"] = [str(_("The report cannot be decided before its year begins."))]
    staff = {
        user for _org, _role, user in members_in_roles(provider_ids_for(actor), PROVIDER_ROLES)
    }
    people = {}
    for name, value in (("decided_by", decided_by), ("presented_by", presented_by)):
        try:
            people[name] = int(str(value))
        except (TypeError, ValueError):
            people[name] = 0
        if people[name] not in staff:
            errors[name] = [str(_("Choose a member of the provider agency's staff."))]
    if not errors and people["decided_by"] == people["presented_by"]:
        errors["presented_by"] = [
            str(_("The presenting official must be someone other than the deciding official."))
        ]
    if errors:
        raise ValidationFailed(
            _("The decision was not saved; correct the marked fields."), errors=errors
        )
    return ref, decided_on, people["decided_by"], people["presented_by"]  # type: ignore[return-value]


def report_decision_save(
    *, actor: Actor, year: int, reference: object, decided_on: object, decided_by: object,
    presented_by: object,
) -> ReportDecision:  # fmt: skip
    """Record (or correct) who decided one year's report, who presented it, when, and the
    government's reference number. Invalid input is refused with field errors; nothing is stored."""
    abilities = report_abilities(actor=actor)
    if not abilities["view"]:
        raise NotFound(_("No such report."))
    if not abilities["decide"]:
        raise PermissionDenied(_("Only the administrator may record the report's decision."))
    year = check_year(year)
    _refuse_when_sealed(year)
    ref, date, decider, presenter = _clean_decision(
        actor, year, reference, decided_on, decided_by, presented_by
    )
    with transaction.atomic():
        row = ReportDecision.objects.select_for_update().filter(year=year).first()
        before = snapshot(row, DECISION_FIELDS) if row else None
        row = row or ReportDecision(year=year)
        row.reference, row.decided_on = ref, date
        row.decided_by_id, row.presented_by_id = decider, presenter
        row.recorded_by_id = actor.user_id
        row.full_clean()
        row.save()
        audit_record(
            actor=actor,
            action="reporting.decision_saved",
            obj=row,
            before=before,
            after=snapshot(row, DECISION_FIELDS),
        )
    return row


# --- the signature (ADR 0516) ------------------------------------------------------------------


def _refuse_when_sealed(year: int) -> None:
    if is_sealed(year):
        raise BusinessRuleViolation(
            _("The report is signed by the deciding official and can no longer be changed.")
        )


def report_sign_start(*, actor: Actor, year: int) -> int:
    """File the report, rendered as it stands, with EFOS for the deciding official to sign (PAdES
    through EFOS's own re-authentication); returns the EFOS document to sign. Only the official
    recorded as having decided the report may start, and only until it is signed."""
    from .documents import render_pdf

    if not report_abilities(actor=actor)["view"]:
        raise NotFound(_("No such report."))
    year = check_year(year)
    decision = ReportDecision.objects.filter(year=year).first()
    if decision is None:
        raise BusinessRuleViolation(_("Record the decision before the report is signed."))
    _refuse_when_sealed(year)
    if not may_sign_report(actor=actor, decided_by_id=decision.decided_by_id, sealed=False):
        raise PermissionDenied(_("Only the official who decided the report signs it."))
    # Rendered before the transaction: a PDF takes seconds, and nothing is stored if it fails.
    pdf = render_pdf(government_report(actor=actor, year=year, language="sv"))
    message = (
        f"Jag beslutar Rapport till regeringen {year}, diarienummer {decision.reference}, "
        f"beslutad {decision.decided_on.isoformat()}."
    )
    with transaction.atomic():
        row = ReportDecision.objects.select_for_update().get(pk=decision.pk)
        if row.decided_by_id != decision.decided_by_id:
            raise ConcurrentUpdate(_("The decision changed meanwhile; open the report again."))
        document = create_own_document(
            actor=actor, title=f"Rapport till regeringen {year}", sign_message=message, pdf=pdf
        )
        before = {"signing_document": row.signing_document_id}
        row.signing_document_id = document.pk
        row.save(update_fields=["signing_document", "updated_at"])
        audit_record(
            actor=actor, action="reporting.signing_started", obj=row, before=before,
            after={"signing_document": document.pk, "sha256": document.sha256},
        )  # fmt: skip
    return int(document.pk)
