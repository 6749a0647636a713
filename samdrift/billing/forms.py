"""Forms of the billing pages; services do the real validation, forms only shape the input."""

from __future__ import annotations

from django import forms
from django.utils.translation import gettext_lazy as _

from .choices import PriceBasis, PriceModel


class RunForm(forms.Form):
    period = forms.RegexField(label=_("Period (YYYY-MM)"), regex=r"^\d{4}-\d{2}$", max_length=7)


class CreditForm(forms.Form):
    reason = forms.CharField(label=_("Reason for the credit note"), max_length=300)


class PriceForm(forms.Form):
    service = forms.CharField(label=_("Service code"), max_length=32)
    model = forms.ChoiceField(label=_("Price model"), choices=PriceModel.choices)
    basis = forms.ChoiceField(label=_("Price basis"), choices=PriceBasis.choices)
    unit_price = forms.CharField(label=_("Unit price (SEK)"), max_length=30)
    valid_from = forms.DateField(label=_("Valid from (YYYY-MM-DD, first day of a month)"))
    decision_ref = forms.CharField(label=_("Decision reference"), max_length=120)
    decision_date = forms.DateField(label=_("Decision date (YYYY-MM-DD)"))
    package_size = forms.CharField(
        label=_("Package size (package prices only)"), max_length=30, required=False
    )


class YearForm(forms.Form):
    year = forms.IntegerField(label=_("Year"), min_value=2000, max_value=2100, required=False)


class UploadForm(forms.Form):
    file = forms.FileField(label=_("CSV file"))
