"""Field shapes of the operations pages; the rules are the services'."""

from __future__ import annotations

from typing import Any, cast

from django import forms
from django.utils.translation import gettext_lazy as _

from samdrift.core.text import TextCheckedForm

from .choices import Impact, IncidentState, OutageLevel, Urgency


class ReportForm(TextCheckedForm):
    service = forms.ChoiceField(label=_("Service"))
    organisation = forms.TypedChoiceField(
        label=_("For agency"), coerce=int, required=False, empty_value=None
    )
    title = forms.CharField(label=_("What is wrong?"), max_length=200)
    description = forms.CharField(
        label=_("Description"), required=False, widget=forms.Textarea(attrs={"rows": 5})
    )
    impact = forms.TypedChoiceField(label=_("Impact"), choices=Impact.choices, coerce=int)
    urgency = forms.TypedChoiceField(label=_("Urgency"), choices=Urgency.choices, coerce=int)

    def __init__(
        self,
        *args: Any,
        services: list[tuple[str, str]],
        organisations: list[tuple[int, str]],
        **kwargs: Any,
    ) -> None:
        super().__init__(*args, **kwargs)
        cast(forms.ChoiceField, self.fields["service"]).choices = services
        cast(forms.ChoiceField, self.fields["organisation"]).choices = [
            ("", _("None (the provider itself)")),
            *organisations,
        ]


class TransitionForm(TextCheckedForm):
    state = forms.ChoiceField(label=_("New state"), choices=IncidentState.choices)


class OutageForm(TextCheckedForm):
    """Record an outage by hand; times are read as Swedish time (ADR 0830)."""

    service_code = forms.CharField(label=_("Service code"), max_length=40)
    summary = forms.CharField(label=_("What was unavailable?"), max_length=200)
    level = forms.ChoiceField(label=_("Level"), choices=OutageLevel.choices)
    started_at = forms.CharField(
        label=_("Started (YYYY-MM-DD HH:MM)"),
        widget=forms.TextInput(attrs={"type": "datetime-local"}),
    )
    ended_at = forms.CharField(
        label=_("Ended (empty: still down)"),
        required=False,
        widget=forms.TextInput(attrs={"type": "datetime-local"}),
    )
