"""Legal reporting of an incident (issue 16 item 6, ADR 0844): classify it as reportable under
the regimes of `data/legal_deadlines.json`, and record each report as it is made.

Classifying starts the regimes' clocks from when the provider became aware. The customer
agencies the incident reaches are told through the notification kernel at once: MSBFS 2020:8
and NIS2 ask the provider to inform them, and under GDPR art. 33(2) the provider, as processor,
must tell each controller agency without undue delay — that notice is recorded as met for every
agency whose contacts were told, so an agency without contacts shows as open until an operator
records how it was told.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable, Mapping
from typing import Any

from django.db import transaction
from django.utils.translation import gettext_lazy as _

from samdrift.audit.services import audit_record
from samdrift.core.actor import Actor
from samdrift.core.exceptions import BusinessRuleViolation, NotFound, ValidationFailed

from .. import deadlines, notices
from ..choices import EventKind
from ..models import AffectedAgency, Incident, LegalReport
from ._common import _event, _local, _moment, _now, _text
from .incidents import _bump, _locked

NOTICE = "processor-notice"
UNKNOWN_REGIME = _("Unknown reporting regime: %(codes)s. Choose among %(known)s.")
AWARE_LATER = _("The time the provider became aware (%(aware)s) cannot be in the future.")
AWARE_FIXED = _(
    "A report has already been made from the time of awareness %(aware)s; it can no longer be "
    "changed. Add a note to the incident instead."
)
REGIME_REPORTED = _(
    "%(regime)s cannot be removed: a report under it has already been made. A report made "
    "stays on record."
)


def _locked_legal(actor: Actor, incident_id: int) -> Incident:
    """The incident under lock; anyone but its provider's operators: `NotFound`, as for the
    reading (`legal.legal_rows`)."""
    incident, abilities = _locked(actor, incident_id)
    if not abilities["legal"]:
        raise NotFound("incident")
    return incident


def _regimes(values: Iterable[Any]) -> list[str]:
    wanted = sorted({str(v).strip() for v in values if str(v).strip()})
    known = deadlines.regime_codes()
    unknown = [code for code in wanted if code not in known]
    if unknown:
        raise ValidationFailed(
            UNKNOWN_REGIME,
            errors={"regimes": unknown},
            codes=", ".join(unknown),
            known=", ".join(known),
        )
    return wanted


def incident_classify(
    *,
    actor: Actor,
    incident_id: int,
    regimes: Iterable[Any],
    aware_at: Any = None,
    now: dt.datetime | None = None,
) -> Incident:
    """Set the regimes the incident is reportable under and when the provider became aware
    (default: when it was opened). Regimes newly added tell the reached agencies' contacts."""
    moment = _now(now)
    wanted = _regimes(regimes)
    with transaction.atomic():
        incident = _locked_legal(actor, incident_id)
        aware = _moment(aware_at, "aware_at") or incident.aware_at or incident.opened_at
        if aware > moment:
            raise ValidationFailed(
                AWARE_LATER, errors={"aware_at": [_local(aware)]}, aware=_local(aware)
            )
        reported = set(
            LegalReport.objects.filter(incident=incident).values_list("regime", flat=True)
        )
        if reported and incident.aware_at is not None and aware != incident.aware_at:
            raise BusinessRuleViolation(
                AWARE_FIXED, code="aware_fixed", aware=_local(incident.aware_at)
            )
        dropped = sorted(set(incident.regimes) - set(wanted))
        for code in dropped:
            if code in reported:
                raise BusinessRuleViolation(
                    REGIME_REPORTED,
                    code="regime_reported",
                    regime=deadlines.regime_label(code, "sv"),
                )
        before = {"regimes": list(incident.regimes), "aware_at": _iso(incident.aware_at)}
        added = [code for code in wanted if code not in incident.regimes]
        if not added and not dropped and aware == incident.aware_at:
            return incident
        incident.regimes, incident.aware_at = wanted, aware
        _bump(incident, ["regimes", "aware_at"])
        _event(
            incident,
            EventKind.CLASSIFIED,
            actor=actor,
            at=moment,
            regimes=wanted,
            aware_at=aware.isoformat(),
        )
        told: dict[int, int] = {}
        if added:
            org_ids = list(
                AffectedAgency.objects.filter(incident=incident).values_list(
                    "organisation_id", flat=True
                )
            )
            told = notices.incident_reportable(
                actor=actor, incident=incident, org_ids=org_ids, regimes=added
            )
        if "gdpr-33" in added:
            _record_processor_notices(actor, incident, told, at=moment)
        audit_record(
            actor=actor,
            action="operations.incident_classify",
            obj=incident,
            before=before,
            after={"regimes": wanted, "aware_at": aware.isoformat(), "told": sorted(told)},
        )
    return incident


def _iso(value: dt.datetime | None) -> str | None:
    return value.isoformat() if value else None


def _record_processor_notices(
    actor: Actor, incident: Incident, told: Mapping[int, int], *, at: dt.datetime
) -> None:
    """The controller agencies whose contacts were just told: their notice is met, now."""
    done = set(
        LegalReport.objects.filter(incident=incident, regime="gdpr-33", code=NOTICE).values_list(
            "customer_id", flat=True
        )
    )
    LegalReport.objects.bulk_create(
        LegalReport(
            incident=incident,
            regime="gdpr-33",
            code=NOTICE,
            customer_id=org_id,
            content={
                "informed": f"samdrift: {count} contact(s) notified / kontakt(er) underrättade"
            },
            met_at=at,
            recorded_by=str(actor.label)[:200],
        )
        for org_id, count in sorted(told.items())
        if count and org_id not in done
    )


def _parse_key(key: str) -> tuple[str, str, int | None]:
    head, _sep, tail = (key or "").strip().partition(":")
    regime, _slash, code = head.partition("/")
    customer: int | None = None
    if tail:
        try:
            customer = int(tail)
        except ValueError:
            customer = -1
    return regime, code, customer


def legal_report_record(
    *,
    actor: Actor,
    incident_id: int,
    key: str,
    content: Mapping[str, Any],
    reference: str = "",
    met_at: Any = None,
    now: dt.datetime | None = None,
) -> LegalReport:
    """Record that the report *key* (``regime/code`` or ``regime/code:customer``) was made, with
    every item of its checklist filled in. Once per deadline; never edited."""
    moment = _now(now)
    ref = _text(reference, "reference", required=False, limit=200)
    with transaction.atomic():
        incident = _locked_legal(actor, incident_id)
        regime, code, customer = _parse_key(key)
        rule = deadlines.rule_of(regime, code)
        if regime not in incident.regimes or rule is None:
            raise BusinessRuleViolation(
                _("The incident is not classified as reportable under %(key)s."),
                code="not_reportable",
                key=key,
            )
        customers = set(
            AffectedAgency.objects.filter(incident=incident).values_list(
                "organisation_id", flat=True
            )
        )
        if bool(rule.get("per_customer")) != (customer is not None) or (
            customer is not None and customer not in customers
        ):
            raise ValidationFailed(
                _("That report is made once per agency the incident reaches: name one of them."),
                errors={"key": [key]},
            )
        existing = _met(incident)
        if deadlines.deadline_key(regime, code, customer) in existing:
            raise BusinessRuleViolation(
                _("That report is already on record (%(key)s); a report made stays as it was."),
                code="already_reported",
                key=key,
            )
        if rule["after"] != "aware" and f"{regime}/{rule['after']}" not in existing:
            raise BusinessRuleViolation(
                _("Record the report it follows first (%(after)s)."),
                code="report_order",
                after=f"{regime}/{rule['after']}",
            )
        filled = _content(rule, content)
        when = _moment(met_at, "met_at") or moment
        aware = incident.aware_at or incident.opened_at
        if when > moment or when < aware:
            raise ValidationFailed(
                _("The report was made between the time of awareness (%(aware)s) and now."),
                errors={"met_at": [_local(when)]},
                aware=_local(aware),
            )
        report = LegalReport.objects.create(
            incident=incident,
            regime=regime,
            code=code,
            customer_id=customer,
            content=filled,
            reference=ref,
            met_at=when,
            recorded_by=str(actor.label)[:200],
        )
        _event(
            incident,
            EventKind.REPORTED,
            actor=actor,
            at=moment,
            organisation_id=customer,
            key=key,
            met_at=when.isoformat(),
        )
        audit_record(
            actor=actor,
            action="operations.legal_report",
            obj=incident,
            organisation_id=customer,
            after={"key": key, "met_at": when.isoformat(), "reference": ref, "content": filled},
        )
    return report


def _met(incident: Incident) -> dict[str, dt.datetime]:
    return {
        deadlines.deadline_key(r.regime, r.code, r.customer_id): r.met_at
        for r in LegalReport.objects.filter(incident=incident)
    }


def _content(rule: Mapping[str, Any], content: Mapping[str, Any]) -> dict[str, str]:
    """Every checklist item answered, nothing else: the law's content, not free form."""
    keys = [item["key"] for item in rule["checklist"]]
    unknown = sorted(set(content) - set(keys))
    if unknown:
        raise ValidationFailed(
            _("Unknown items in the report: %(items)s."),
            errors={name: [str(_("Unknown item."))] for name in unknown},
            items=", ".join(unknown),
        )
    filled: dict[str, str] = {}
    missing: dict[str, list[str]] = {}
    for key in keys:
        value = content.get(key)
        text = value.strip() if isinstance(value, str) else ""
        if not text:
            missing[key] = [str(_("Required."))]
        elif len(text) > 4000:
            missing[key] = ["max 4000"]
        else:
            filled[key] = text
    if missing:
        raise ValidationFailed(
            _("Answer every item the report must hold (at most 4,000 characters each)."),
            errors=missing,
        )
    return filled
