"""Forms of the live-document pages, checked before a service is called."""

from __future__ import annotations

from django import forms
from django.utils.translation import gettext_lazy as _

from samdrift.core.text import TextCheckedForm

from .choices import DocKind


class DocForm(TextCheckedForm):
    title = forms.CharField(label=_("Title"), max_length=200)
    kind = forms.ChoiceField(label=_("Kind"), choices=DocKind.choices, initial=DocKind.NOTE)


class VersionForm(TextCheckedForm):
    name = forms.CharField(label=_("Name of the version"), max_length=120)
