"""Input shapes for the login pages."""

from __future__ import annotations

from django import forms
from django.utils.translation import gettext_lazy as _

from samdrift.core.text import TextCheckedForm

from . import loa


class LoginStartForm(TextCheckedForm):
    level = forms.IntegerField(
        label=_("Level of assurance"),
        min_value=loa.MIN_RANK,
        max_value=loa.MAX_RANK,
        required=False,
    )
    next = forms.CharField(max_length=500, required=False)


class AccessRequestForm(TextCheckedForm):
    email = forms.EmailField(label=_("Your work email address"), max_length=254)
    message = forms.CharField(
        label=_("Message to the provider (optional)"),
        widget=forms.Textarea(attrs={"rows": 4}),
        max_length=2000,
        required=False,
    )
