"""Forms of the onboarding pages. They validate shape; the services enforce the rules."""

from __future__ import annotations

import datetime
from typing import Any

from django import forms
from django.utils.translation import gettext_lazy as _

from samdrift.catalogue.selectors import published_services
from samdrift.core.text import TextCheckedForm

from .choices import AgreementBasis, CaseState, Phase, Scope


def _published_service_choices() -> list[tuple[str, str]]:
    """(code, name) of every published service, in the catalogue's order."""
    return [(s.code, s.name) for s in published_services().order_by("display_order")]


class CaseFilterForm(TextCheckedForm):
    phase = forms.ChoiceField(
        label=_("Phase"), required=False, choices=[("", _("All phases")), *Phase.choices]
    )
    scope = forms.ChoiceField(
        label=_("Scope"), required=False, choices=[("", _("All scopes")), *Scope.choices]
    )
    state = forms.ChoiceField(
        label=_("State"), required=False, choices=[("", _("All states")), *CaseState.choices]
    )


class ServiceRequestForm(TextCheckedForm):
    organisation = forms.TypedChoiceField(label=_("Agency"), coerce=int)
    service = forms.ChoiceField(label=_("Service"))
    note = forms.CharField(
        label=_("What do you need? (optional)"),
        required=False,
        widget=forms.Textarea(attrs={"rows": 3}),
        max_length=2000,
    )
    planned_on = forms.DateField(
        label=_("Planned connection date (optional)"),
        required=False,
        widget=forms.DateInput(attrs={"type": "date"}),
    )

    def __init__(
        self, *args: object, organisations: list[tuple[int, str]], **kwargs: object
    ) -> None:
        super().__init__(*args, **kwargs)  # type: ignore[arg-type]
        self.fields["organisation"].choices = organisations  # type: ignore[attr-defined]
        self.fields["service"].choices = _published_service_choices()  # type: ignore[attr-defined]


class CaseOpenForm(TextCheckedForm):
    organisation = forms.TypedChoiceField(label=_("Agency"), coerce=int)
    scope = forms.ChoiceField(label=_("Scope"), choices=Scope.choices)
    services = forms.MultipleChoiceField(
        label=_("Services (for a single-service case)"),
        required=False,
        widget=forms.CheckboxSelectMultiple,
    )
    agreement_basis = forms.ChoiceField(label=_("Agreement basis"), choices=AgreementBasis.choices)
    opened_on = forms.DateField(
        label=_("Opened on"),
        initial=datetime.date.today,
        widget=forms.DateInput(attrs={"type": "date"}),
    )

    def __init__(
        self, *args: object, organisations: list[tuple[int, str]], **kwargs: object
    ) -> None:
        super().__init__(*args, **kwargs)  # type: ignore[arg-type]
        self.fields["organisation"].choices = organisations  # type: ignore[attr-defined]
        self.fields["services"].choices = _published_service_choices()  # type: ignore[attr-defined]

    def clean(self) -> dict[str, object]:
        data = super().clean() or {}
        if data.get("scope") == Scope.SINGLE and not data.get("services"):
            self.add_error("services", _("Choose at least one service for a single-service case."))
        return data


class CancelForm(TextCheckedForm):
    reason = forms.CharField(label=_("Why is the case cancelled?"), max_length=300)
    version = forms.IntegerField(widget=forms.HiddenInput)


class VersionForm(TextCheckedForm):
    version = forms.IntegerField(widget=forms.HiddenInput)
    comment = forms.CharField(label=_("Comment (optional)"), required=False, max_length=2000)


class DemandFilterForm(TextCheckedForm):
    year = forms.IntegerField(label=_("Year"), min_value=2017, max_value=2100)
    basis = forms.ChoiceField(
        label=_("Agreement basis of the connections"),
        choices=[
            ("assignment", AgreementBasis.ASSIGNMENT.label),
            ("separate", AgreementBasis.SEPARATE.label),
            ("own_use", AgreementBasis.OWN_USE.label),
            ("all", _("All bases")),
        ],
    )
    providers = forms.ChoiceField(
        label=_("Services of"),
        choices=[("own", _("Your provider")), ("all", _("Every provider (SITSSAM)"))],
        required=False,
    )

    def __init__(self, *args: Any, compares_providers: bool = False, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        if not compares_providers:  # offered where the selector allows it (permissions)
            del self.fields["providers"]

    @property
    def across_providers(self) -> bool:
        return self.cleaned_data.get("providers") == "all"


class ChecklistTemplateForm(TextCheckedForm):
    phase = forms.ChoiceField(label=_("Phase"), choices=Phase.choices)
    text_sv = forms.CharField(label=_("Item in Swedish"), max_length=200)
    text_en = forms.CharField(label=_("Item in English"), max_length=200)
