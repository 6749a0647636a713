"""The trail search form: every field optional, values kept in the query string."""

from __future__ import annotations

import datetime as dt

from django import forms
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from samdrift.core.text import TextCheckedForm

from .selectors import TrailFilter


class TrailSearchForm(TextCheckedForm):
    object_type = forms.CharField(
        label=_("Object type"), required=False, max_length=80,
        help_text=_("For example billing.invoice or efos.issuedcertificate"),
    )  # fmt: skip
    object_id = forms.CharField(label=_("Object id"), required=False, max_length=64)
    actor = forms.CharField(label=_("Who"), required=False, max_length=200)
    action = forms.CharField(
        label=_("Action"), required=False, max_length=80,
        help_text=_("The start of the action, e.g. read or billing."),
    )  # fmt: skip
    organisation = forms.IntegerField(
        label=_("Agency (number in samdrift)"), required=False, min_value=1, max_value=2**62
    )
    since = forms.DateField(
        label=_("From (date)"), required=False, widget=forms.DateInput(attrs={"type": "date"})
    )
    until = forms.DateField(
        label=_("To (date, inclusive)"), required=False,
        widget=forms.DateInput(attrs={"type": "date"}),
    )  # fmt: skip

    def clean(self) -> dict:
        data = super().clean() or {}
        since, until = data.get("since"), data.get("until")
        if since and until and since > until:
            raise forms.ValidationError(_("The from date is after the to date."))
        return data

    def filters(self) -> TrailFilter:
        """The filter of a valid form (an invalid one filters nothing and shows its errors)."""
        data = self.cleaned_data if self.is_valid() else {}
        return TrailFilter(
            object_type=data.get("object_type") or "",
            object_id=data.get("object_id") or "",
            actor=data.get("actor") or "",
            action=data.get("action") or "",
            organisation_id=data.get("organisation"),
            since=_start_of(data.get("since")),
            until=_start_of(data["until"] + dt.timedelta(days=1)) if data.get("until") else None,
        )


def _start_of(day: dt.date | None) -> dt.datetime | None:
    if day is None:
        return None
    return timezone.make_aware(dt.datetime.combine(day, dt.time.min))
