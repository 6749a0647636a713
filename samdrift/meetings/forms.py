"""Forms of the meeting pages, checked before a service is called."""

from __future__ import annotations

from typing import Any

from django import forms
from django.utils.translation import gettext_lazy as _

from samdrift.core.text import TextCheckedForm

from .choices import Mode

BAD_WINDOW = _("A scheduled meeting needs a start and an end after it.")


class RoomForm(TextCheckedForm):
    title = forms.CharField(label=_("Title"), max_length=200)
    mode = forms.ChoiceField(
        label=_("Kind of meeting"),
        choices=Mode.choices,
        initial=Mode.MEETING,
        help_text=_("In a webinar a few presenters speak and everyone else watches."),
    )
    starts = forms.DateTimeField(
        label=_("Starts"),
        required=False,
        widget=forms.DateTimeInput(attrs={"type": "datetime-local"}),
        help_text=_("Leave start and end empty to meet now; with them the meeting is put in "
                    "the workspace's calendar."),
    )  # fmt: skip
    ends = forms.DateTimeField(
        label=_("Ends"),
        required=False,
        widget=forms.DateTimeInput(attrs={"type": "datetime-local"}),
    )

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        starts, ends = data.get("starts"), data.get("ends")
        if (starts is None) != (ends is None) or (starts and ends and ends <= starts):
            self.add_error("ends", BAD_WINDOW)
        return data
