"""Free text at the boundary: no control characters (issue 19 item 3).

A control character (ESC, NUL, …) is not allowed in XML 1.0, so a credit reason holding one made
the finalised credit note unreadable as UBL, PDF and page. Every free text is checked where it
enters: ninja schemas with `single_line()` / `multi_line()` (a `pattern`, so the OpenAPI
document states the rule and schemathesis generates valid text), Django forms and services with
`validate_single_line` / `validate_multi_line`. Multi-line text keeps tab, newline and carriage
return; single-line text allows no control character at all. C1 controls (U+0080–U+009F) are
refused too: XML allows them but they are never meant in Swedish or English prose.

For rows stored before this check, `xml_safe()` replaces what XML cannot hold, deterministically,
when a document is *read*; the stored row is never changed (docs/adr/0066).
"""

from __future__ import annotations

import re
from typing import Any

from django import forms
from django.core.exceptions import ValidationError
from django.utils.translation import gettext_lazy as _
from ninja import Field

SINGLE_LINE_PATTERN = r"^[^\x00-\x1f\x7f-\x9f]*$"
MULTI_LINE_PATTERN = r"^[^\x00-\x08\x0b\x0c\x0e-\x1f\x7f-\x9f]*$"
# One line with at least one character that is not a space (Python counts \x1c-\x1f as space).
NOT_BLANK_SINGLE_LINE_PATTERN = (
    r"^[^\x00-\x1f\x7f-\x9f]*[^\s\x00-\x1f\x7f-\x9f][^\x00-\x1f\x7f-\x9f]*$"
)
_SINGLE = re.compile(SINGLE_LINE_PATTERN)
_MULTI = re.compile(MULTI_LINE_PATTERN)
# What XML 1.0 cannot carry at all (besides the controls: the non-characters and lone surrogates).
_NOT_XML = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\ufffe\uffff\ud800-\udfff]")

CONTROL_CHARACTERS = _("Remove the control characters (such as ESC or NUL) from the text.")
LINE_BREAKS = _("Write this on one line, without tabs or control characters.")


def single_line(default: Any = ..., **kwargs: Any) -> Any:
    """A ninja `Field` for one line of text (names, reasons, titles)."""
    return Field(default, pattern=SINGLE_LINE_PATTERN, **kwargs)


def multi_line(default: Any = ..., **kwargs: Any) -> Any:
    """A ninja `Field` for text that may span lines (descriptions, notes)."""
    return Field(default, pattern=MULTI_LINE_PATTERN, **kwargs)


def validate_single_line(value: str) -> None:
    if value and not _SINGLE.match(value):
        raise ValidationError(LINE_BREAKS, code="control_characters")


def validate_multi_line(value: str) -> None:
    if value and not _MULTI.match(value):
        raise ValidationError(CONTROL_CHARACTERS, code="control_characters")


def is_single_line(value: str) -> bool:
    return bool(_SINGLE.match(value or ""))


def xml_safe(value: str) -> str:
    """Text XML can hold: each character it cannot becomes U+FFFD (the replacement character),
    the same way every time, so a re-rendered document is the same document."""
    return _NOT_XML.sub("\ufffd", value)


class TextCheckedForm(forms.Form):
    """The base of every form of samdrift: each text field refuses control characters, once,
    here (issue 19 item 3, ADR 0070). A field shown as a `Textarea` may hold tab and newline;
    any other text field is one line. Fields added in a form's own `__init__` are covered too:
    the rule is attached when the form is cleaned. `tests/hardening/test_form_text.py` fails for
    a form of samdrift that does not derive from this class."""

    def full_clean(self) -> None:
        for field in self.fields.values():
            if isinstance(field, forms.CharField) and not getattr(field, "_text_checked", False):
                multi = isinstance(field.widget, forms.Textarea)
                field.validators.append(validate_multi_line if multi else validate_single_line)
                field._text_checked = True  # type: ignore[attr-defined]
        super().full_clean()
