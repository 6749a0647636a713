"""The upload form of the checker page (input shape only)."""

from __future__ import annotations

from django import forms
from django.utils.translation import gettext_lazy as _

from samdrift.core.text import TextCheckedForm

MAX_UPLOAD_BYTES = 50 * 1024 * 1024

PROFILE_LABELS = [
    ("acrobat", _("Acrobat Full Check (32 rules)")),
    ("pdfua1", _("PDF/UA-1 (ISO 14289-1), machine-checkable rules")),
]


class CheckForm(TextCheckedForm):
    file = forms.FileField(
        label=_("PDF file"),
        help_text=_("At most 50 MB."),
        widget=forms.ClearableFileInput(attrs={"accept": "application/pdf,.pdf"}),
    )
    profile = forms.ChoiceField(
        label=_("Check against"),
        choices=PROFILE_LABELS,
        initial="acrobat",
        widget=forms.RadioSelect,
    )

    def clean_file(self) -> object:
        upload = self.cleaned_data["file"]
        if upload.size > MAX_UPLOAD_BYTES:
            raise forms.ValidationError(_("The file is larger than 50 MB."))
        return upload
