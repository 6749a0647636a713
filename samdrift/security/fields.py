"""Checks every JSON report reader shares (ADR 0951): a field that must be there, a list, an
object; each refusal names the place in the report."""

from __future__ import annotations

from typing import Any

from django.utils.translation import gettext_lazy as _

from .refusal import refuse, text


def required(value: Any, what: str, where: str) -> str:
    found = text(value, 200)
    if not found:
        raise refuse(_("%(where)s has no %(what)s."), where=where, what=what)
    return found


def as_list(value: Any, what: str) -> list[Any]:
    if value is None:
        return []
    if not isinstance(value, list):
        raise refuse(_("%(what)s must be a list."), what=what)
    return value


def as_object(value: Any, what: str) -> dict[str, Any]:
    if not isinstance(value, dict):
        raise refuse(_("%(what)s must be an object."), what=what)
    return value
