"""Forms of the reporting pages. They validate shape; the service enforces the rules."""

from __future__ import annotations

from typing import TYPE_CHECKING

from django import forms
from django.utils.translation import gettext_lazy as _

from samdrift.core.text import TextCheckedForm

from .models import TEXT_MAX_LENGTH

if TYPE_CHECKING:
    from django.utils.functional import _StrOrPromise as StrOrPromise


def _text_field(label: StrOrPromise, lang: str) -> forms.CharField:
    # `lang` on the textarea: a Swedish page with an English text box (and the other way round)
    # must tell screen readers which language the text is in (WCAG 3.1.2).
    return forms.CharField(
        label=label,
        required=False,
        max_length=TEXT_MAX_LENGTH,
        strip=True,
        widget=forms.Textarea(attrs={"rows": 10, "lang": lang, "spellcheck": "true"}),
        help_text=_("Separate paragraphs with an empty line."),
    )


class ReportTextForm(TextCheckedForm):
    summary_sv = _text_field(_("Summary (Swedish)"), "sv")
    summary_en = _text_field(_("Summary (English)"), "en")
    background_sv = _text_field(_("Background (Swedish)"), "sv")
    background_en = _text_field(_("Background (English)"), "en")
    version = forms.IntegerField(required=False, widget=forms.HiddenInput, min_value=1)


class ReportDecisionForm(TextCheckedForm):
    """Shape only: the choices are the provider's staff; the service checks every rule again."""

    reference = forms.CharField(
        label=_("The Government's reference number (diarienummer)"),
        max_length=40,
        help_text=_("For example Fi2017/03226/DF."),
    )
    decided_on = forms.DateField(
        label=_("Date of the decision"),
        widget=forms.DateInput(attrs={"type": "date"}),
        help_text=_("Year-month-day, for example 2027-02-20."),
    )
    decided_by = forms.TypedChoiceField(label=_("Decided by"), coerce=int)
    presented_by = forms.TypedChoiceField(label=_("Presented by (föredragande)"), coerce=int)

    def __init__(self, *args: object, officials: list[tuple[int, str]], **kwargs: object) -> None:
        super().__init__(*args, **kwargs)  # type: ignore[arg-type]
        choices = [("", "—"), *officials]
        self.fields["decided_by"].choices = choices  # type: ignore[attr-defined]
        self.fields["presented_by"].choices = choices  # type: ignore[attr-defined]
