"""The kinds of notification: a stable code, a label for the preferences page, and the texts.

A kind's texts are templates per language, found by the template loaders of every installed app:
`notifications/kinds/<code>/subject.<lang>.txt` and `body.<lang>.txt` (ADR 0021). An app that
sends a new kind registers it here (in its `AppConfig.ready()`) and ships its four templates.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from django.utils.translation import gettext_lazy as _

from samdrift.core.exceptions import ValidationFailed


@dataclass(frozen=True)
class Kind:
    code: str
    label: Any  # a lazy translation
    help_text: Any = ""


KINDS: dict[str, Kind] = {}


def register_kind(kind: Kind) -> Kind:
    KINDS[kind.code] = kind
    return kind


def get_kind(code: str) -> Kind:
    try:
        return KINDS[code]
    except KeyError:
        raise ValidationFailed(
            _("Unknown kind of notification: %(kind)s"), errors={"kind": [code]}, kind=code
        ) from None


CASE_ADVANCED = register_kind(
    Kind(
        "case_advanced",
        _("A connection case moves to its next phase"),
        _("To the agency's contacts and the account managers."),
    )
)
SIGNOFF_REQUIRED = register_kind(
    Kind(
        "signoff_required",
        _("A phase awaits security's sign-off"),
        _("To the provider's security role."),
    )
)
INVOICE_ISSUED = register_kind(
    Kind(
        "invoice_issued",
        _("An invoice is issued"),
        _("To the customer agency's finance role, or its contacts when it has none."),
    )
)
