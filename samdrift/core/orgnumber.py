"""Swedish organisation numbers: NNNNNN-NNNN with a Luhn check digit."""

from __future__ import annotations

import re

from django.core.exceptions import ValidationError
from django.utils.translation import gettext_lazy as _

ORG_NUMBER_PATTERN = re.compile(r"^\d{6}-\d{4}$")


def luhn_valid(digits: str) -> bool:
    """True when the last digit is the Luhn check digit of the others."""
    total = 0
    for index, char in enumerate(reversed(digits)):
        value = int(char)
        if index % 2 == 1:
            value *= 2
            if value > 9:
                value -= 9
        total += value
    return total % 10 == 0


def normalise_org_number(raw: str) -> str:
    """Accept 10 digits with or without the hyphen; return the canonical NNNNNN-NNNN."""
    text = raw.strip()
    if re.fullmatch(r"\d{10}", text):
        text = f"{text[:6]}-{text[6:]}"
    return text


def validate_org_number(value: str) -> None:
    if not ORG_NUMBER_PATTERN.match(value):
        raise ValidationError(
            _("The organisation number %(value)s must be written NNNNNN-NNNN."),
            code="org_number_format",
            params={"value": value},
        )
    if not luhn_valid(value.replace("-", "")):
        raise ValidationError(
            _("The organisation number %(value)s has a wrong check digit (Luhn)."),
            code="org_number_luhn",
            params={"value": value},
        )
