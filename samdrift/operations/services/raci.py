"""Responsibility matrices and the incidents they route (issue 16 item 5, ADR 0845).

A provider's managers enter a version of a jointly delivered service's RACI as a draft; it is
published only when `raci.problems` finds nothing (exactly one A and at least one R per
function), and takes effect on its date. An operator routes an incident to one function of the
version in effect: R is assigned and told, C and I are told, A is told when the incident is
escalated (by hand, or when it is declared major). The parties may then see the incident
(`IncidentParty`, read by `selectors._incident_scope`).
"""

from __future__ import annotations

import datetime as dt
import re
from typing import Any

from django.db import transaction
from django.db.models import Max
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from samdrift.audit.services import audit_record
from samdrift.catalogue.selectors import service_get
from samdrift.core.actor import Actor
from samdrift.core.exceptions import BusinessRuleViolation, NotFound, ValidationFailed
from samdrift.organisations.selectors import agencies_with_org_number, organisations_named

from .. import notices, raci
from ..choices import EventKind
from ..matrices import matrix_as_mapping, matrix_in_effect
from ..models import Incident, IncidentParty, Responsibility, ResponsibilityMatrix
from ..permissions import matrix_abilities, may_keep_matrices
from ._common import _event, _now, _text
from .escalation import escalate
from .incidents import _bump, _locked, _require

ORG_NUMBER = re.compile(r"^\d{6}-?\d{4}$")
BAD_LINES = _("The matrix could not be read: %(problems)s")
INVALID = _("This version cannot take effect: %(problems)s")


def _parties(cells: list[raci.Cell]) -> tuple[dict[str, int], list[str]]:
    """Each party as entered → its agency's id; and the lines naming no known agency."""
    refs = {cell.party for cell in cells}
    numbers = {ref.replace("-", "") for ref in refs if ORG_NUMBER.match(ref)}
    by_number = {
        org.org_number.replace("-", ""): org.pk
        for org in agencies_with_org_number().filter(org_number__regex=r"^\d{6}-?\d{4}$")
        if org.org_number.replace("-", "") in numbers
    }
    by_name = dict(organisations_named(refs).values_list("name", "pk"))
    found: dict[str, int] = {}
    errors: list[str] = []
    for cell in cells:
        key = cell.party.replace("-", "") if ORG_NUMBER.match(cell.party) else None
        org_id = by_number.get(key) if key else by_name.get(cell.party)
        if org_id is None:
            errors.append(
                raci.bilingual_line(
                    f"Rad {cell.line}: ingen myndighet heter eller har nummer {cell.party}.",
                    f"Line {cell.line}: no agency is named or numbered {cell.party}.",
                )
            )
        else:
            found[cell.party] = org_id
    return found, errors


def matrix_draft(
    *,
    actor: Actor,
    service_code: str,
    name: str,
    effective_from: Any,
    text: str,
    note: str = "",
) -> ResponsibilityMatrix:
    """A new draft version of the service's matrix from `function;role;party` lines. The RACI
    rules are not asked here (a draft may be incomplete); `matrix_publish` asks them."""
    label = _text(name, "name", required=True, limit=200)
    remark = _text(note, "note", required=False, limit=4000)
    start = _date(effective_from)
    service = service_get(actor=actor, code=(service_code or "").strip().upper())
    if not may_keep_matrices(actor=actor, provider_id=service.provider_id):
        raise NotFound("service")
    cells, errors = raci.parse(text)
    parties, unknown = _parties(cells)
    errors += unknown
    if not cells and not errors:
        errors.append(raci.bilingual_line("Matrisen har inga rader.", "The matrix has no lines."))
    if len(cells) > 5000:
        errors.append(raci.bilingual_line("Högst 5 000 rader.", "At most 5,000 lines."))
    if errors:
        raise ValidationFailed(BAD_LINES, errors={"text": errors}, problems=" ".join(errors))
    with transaction.atomic():
        latest = ResponsibilityMatrix.objects.select_for_update().filter(service=service)
        number = (latest.aggregate(n=Max("version"))["n"] or 0) + 1
        matrix = ResponsibilityMatrix.objects.create(
            provider_id=service.provider_id,
            service=service,
            name=label,
            version=number,
            effective_from=start,
            note=remark,
            created_by=str(actor.label)[:200],
        )
        positions: dict[str, int] = {}
        seen: set[tuple[str, str, int]] = set()
        rows = []
        for cell in cells:
            position = positions.setdefault(cell.function, len(positions))
            key = (cell.function, cell.role, parties[cell.party])
            if key in seen:
                continue  # the same cell twice says it once
            seen.add(key)
            rows.append(
                Responsibility(
                    matrix=matrix,
                    function=cell.function,
                    position=position,
                    role=cell.role,
                    party_id=parties[cell.party],
                )
            )
        Responsibility.objects.bulk_create(rows, batch_size=500)
        audit_record(
            actor=actor,
            action="operations.matrix_draft",
            obj=matrix,
            organisation_id=service.provider_id,
            after={
                "service": service.code,
                "version": number,
                "effective_from": start.isoformat(),
                "cells": len(rows),
            },
        )
    return matrix


def _date(value: Any) -> dt.date:
    if isinstance(value, dt.date):
        return value
    try:
        return dt.date.fromisoformat(str(value or "").strip())
    except ValueError:
        raise ValidationFailed(
            _("Give the date it takes effect, e.g. 2027-01-01."),
            errors={"effective_from": [str(value)]},
        ) from None


def matrix_publish(
    *, actor: Actor, matrix_id: int, now: dt.datetime | None = None
) -> ResponsibilityMatrix:
    """Publish a draft that passes every RACI rule; it takes effect on its date (not before
    today: a matrix does not re-route the past)."""
    moment = _now(now)
    with transaction.atomic():
        matrix = ResponsibilityMatrix.objects.select_for_update().filter(id=matrix_id).first()
        if matrix is None or not matrix_abilities(actor=actor, matrix=matrix)["view"]:
            raise NotFound("matrix")
        if not matrix_abilities(actor=actor, matrix=matrix)["publish"]:
            raise BusinessRuleViolation(
                _(
                    "Only a draft is published, by the provider's administrators and service managers."
                ),
                code="not_allowed",
            )
        problems = raci.problems(matrix_as_mapping(matrix, by="name"))
        if problems:
            raise BusinessRuleViolation(INVALID, code="matrix_invalid", problems=" ".join(problems))
        today = timezone.localdate(moment)
        if matrix.effective_from < today:
            raise ValidationFailed(
                _("A version takes effect today or later, not %(date)s."),
                errors={"effective_from": [matrix.effective_from.isoformat()]},
                date=matrix.effective_from.isoformat(),
            )
        matrix.published_at = moment
        matrix.save(update_fields=["published_at"])
        audit_record(
            actor=actor,
            action="operations.matrix_publish",
            obj=matrix,
            organisation_id=matrix.provider_id,
            after={"version": matrix.version, "effective_from": matrix.effective_from.isoformat()},
        )
    return matrix


def incident_route(
    *, actor: Actor, incident_id: int, function: str, now: dt.datetime | None = None
) -> Incident:
    """Route the incident to *function* of the service's matrix in effect: R assigned, C and I
    told, every party may see it. Routing again to another function replaces the parties."""
    moment = _now(now)
    wanted = (function or "").strip()
    with transaction.atomic():
        incident, abilities = _locked(actor, incident_id)
        _require(abilities, "route")
        matrix = matrix_in_effect(service_id=incident.service_id, on=timezone.localdate(moment))
        if matrix is None:
            raise BusinessRuleViolation(
                _("%(service)s has no responsibility matrix in effect."),
                code="no_matrix",
                service=incident.service.code,
            )
        mapping = matrix_as_mapping(matrix, by="id")
        if wanted not in mapping:
            raise ValidationFailed(
                _("Choose one of the matrix's functions: %(functions)s."),
                errors={"function": [wanted]},
                functions="; ".join(mapping),
            )
        if incident.function == wanted and incident.matrix_id == matrix.pk:
            return incident
        route = raci.routing(mapping, wanted)
        before = {"function": incident.function, "matrix": incident.matrix_id}
        incident.function, incident.matrix = wanted, matrix
        _bump(incident, ["function", "matrix"])
        IncidentParty.objects.filter(incident=incident).delete()
        roles = _roles(mapping[wanted])
        IncidentParty.objects.bulk_create(
            IncidentParty(incident=incident, organisation_id=org_id, role=role)
            for role, org_ids in roles.items()
            for org_id in org_ids
        )
        _event(
            incident,
            EventKind.ROUTED,
            actor=actor,
            at=moment,
            function=wanted,
            version=matrix.version,
            parties={role: sorted(ids) for role, ids in roles.items()},
        )
        notices.incident_routed(
            actor=actor, incident=incident, function=wanted, assigned=roles.get("R", set()),
            informed=roles.get("C", set()) | roles.get("I", set()),
        )  # fmt: skip
        audit_record(
            actor=actor,
            action="operations.incident_route",
            obj=incident,
            before=before,
            after={"function": wanted, "matrix": matrix.pk, "assigned": list(route.assigned)},
        )
    return incident


def _roles(cells: Any) -> dict[str, set[int]]:
    return {role: {int(p) for p in parties} for role, parties in cells.items() if parties}


def incident_escalate(
    *, actor: Actor, incident_id: int, reason: str = "", now: dt.datetime | None = None
) -> Incident:
    """Tell the accountable party (A) of the incident's function; an operator or someone of a
    responsible party (R) escalates."""
    text = _text(reason, "reason", required=True, limit=2000)
    moment = _now(now)
    with transaction.atomic():
        incident, abilities = _locked(actor, incident_id)
        _require(abilities, "escalate")
        escalate(actor, incident, text, at=moment)
    return incident
