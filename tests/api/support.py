"""Helpers for the API tests of the foundation apps: calls through real HTTP handling (Django's
test client), tokens, and cases built through the real services."""

from __future__ import annotations

import json
from collections.abc import Iterable, Iterator
from contextlib import contextmanager
from typing import Any

from django.test import Client
from django.utils.translation import trans_real

from samdrift.accounts.selectors import actor_for_user
from samdrift.accounts.services import token_create
from samdrift.audit.models import AuditEvent
from samdrift.core.actor import SYSTEM
from samdrift.onboarding import services as onboarding_services
from samdrift.onboarding.choices import PHASE_ORDER
from samdrift.onboarding.models import ChecklistTemplateItem, ConnectionCase

API = "/api/v1"


def call(
    client: Client, method: str, path: str, body: dict[str, Any] | None = None, **headers: str
) -> Any:
    """One API call; JSON in, the response back (with `.json()`)."""
    url = path if path.startswith(API) else f"{API}{path}"
    sender = getattr(client, method.lower())
    if method.upper() in {"GET", "DELETE"}:
        return sender(url, **headers)
    return sender(url, data=json.dumps(body or {}), content_type="application/json", **headers)


def bearer_client(user: Any, name: str = "test token") -> tuple[Client, str]:
    """A client without a session that authenticates only with a fresh personal token."""
    _token, secret = token_create(actor=actor_for_user(user), name=name)
    return Client(headers={"Authorization": f"Bearer {secret}"}), secret


def audit_count() -> int:
    return AuditEvent.objects.count()


def checklist_templates(per_phase: int = 2) -> None:
    """A small checklist for every phase, as the provider would configure it."""
    for phase in PHASE_ORDER:
        for position in range(per_phase):
            ChecklistTemplateItem.objects.create(
                phase=phase,
                position=position,
                text_sv=f"Punkt {position + 1} i {phase}",
                text_en=f"Item {position + 1} of {phase}",
            )


def open_case(organisation_id: int, service_codes: Iterable[str], **kwargs: Any) -> ConnectionCase:
    """A case opened through the real service (as the system), so it has phase, checklist, log."""
    return onboarding_services.case_open(
        actor=SYSTEM,
        organisation_id=organisation_id,
        scope=kwargs.pop("scope", "single"),
        service_codes=list(service_codes),
        **kwargs,
    )


def complete_phase(case: ConnectionCase, security_user: Any) -> ConnectionCase:
    """Tick every item of the current phase and have security sign it off."""
    case.refresh_from_db()
    for item in case.checklist_items.filter(phase=case.phase):
        onboarding_services.checklist_set(actor=SYSTEM, case=case, item_id=item.id, done=True)
    onboarding_services.phase_sign_off(actor=actor_for_user(security_user), case=case)
    case.refresh_from_db()
    return case


def row_state(obj: Any) -> dict[str, Any]:
    """Every stored field of a row as it is in the database now."""
    fresh = type(obj).objects.get(pk=obj.pk)
    return {f.attname: getattr(fresh, f.attname) for f in fresh._meta.concrete_fields}


def rows_as_stored(objects: dict[Any, Any]) -> dict[Any, dict[str, Any]]:
    """`row_state` of many rows, read with one query per model instead of one per row."""
    by_model: dict[type, list[Any]] = {}
    for obj in objects.values():
        by_model.setdefault(type(obj), []).append(obj.pk)
    stored = {
        (model, row["pk"]): {f.attname: row[f.attname] for f in model._meta.concrete_fields}
        for model, pks in by_model.items()
        for row in model.objects.filter(pk__in=pks).values(
            "pk", *(f.attname for f in model._meta.concrete_fields)
        )
    }
    return {key: stored[(type(obj), obj.pk)] for key, obj in objects.items()}


@contextmanager
def swedish_text(msgid: str, msgstr: str) -> Iterator[None]:
    """Give one English source string a Swedish translation for the duration of a test, so a
    test can tell a message rendered per language from one rendered once and copied."""
    catalog = trans_real.translation("sv")._catalog._catalogs[0]  # type: ignore[attr-defined]
    missing = object()
    previous = catalog.get(msgid, missing)
    catalog[msgid] = msgstr
    try:
        yield
    finally:
        if previous is missing:
            del catalog[msgid]
        else:
            catalog[msgid] = previous
