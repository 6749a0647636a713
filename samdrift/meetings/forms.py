"""Forms of the meeting pages, checked before a service is called."""

from __future__ import annotations

from django import forms
from django.utils.translation import gettext_lazy as _

from samdrift.core.text import TextCheckedForm

from .choices import Mode


class RoomForm(TextCheckedForm):
    title = forms.CharField(label=_("Title"), max_length=200)
    mode = forms.ChoiceField(
        label=_("Kind of meeting"),
        choices=Mode.choices,
        initial=Mode.MEETING,
        help_text=_("In a webinar a few presenters speak and everyone else watches."),
    )
