"""Form shapes of the catalogue pages; the rules are in `catalogue.services` (ADR 0220)."""

from __future__ import annotations

from decimal import Decimal
from typing import Any

from django import forms
from django.utils.translation import gettext_lazy as _

from samdrift.catalogue.choices import SupportHours
from samdrift.catalogue.services import ServiceInput
from samdrift.core.exceptions import DomainError, ValidationFailed
from samdrift.core.text import TextCheckedForm

LEVEL_CHOICES = [
    ("", _("None")),
    ("1", _("Level 1")),
    ("2", _("Level 2")),
    ("3", _("Level 3")),
    ("4", _("Level 4")),
]


class ServiceForm(TextCheckedForm):
    name_sv = forms.CharField(label=_("Name (Swedish)"), max_length=120)
    name_en = forms.CharField(label=_("Name (English)"), max_length=120)
    description_sv = forms.CharField(
        label=_("Description (Swedish)"), widget=forms.Textarea(attrs={"rows": 3}), required=False
    )
    description_en = forms.CharField(
        label=_("Description (English)"), widget=forms.Textarea(attrs={"rows": 3}), required=False
    )
    category = forms.ChoiceField(label=_("Category"))
    availability_target = forms.DecimalField(
        label=_("Availability target (%)"),
        min_value=Decimal("0"),
        max_value=Decimal("100"),
        max_digits=6,
        decimal_places=3,
    )
    support_hours = forms.ChoiceField(label=_("Support hours"), choices=SupportHours.choices)
    rto_hours = forms.IntegerField(label=_("Recovery time objective (hours)"), min_value=0)
    rpo_hours = forms.IntegerField(label=_("Recovery point objective (hours)"), min_value=0)
    min_rank = forms.ChoiceField(
        label=_("Level of assurance required of its users"), choices=LEVEL_CHOICES, required=False
    )
    # A select, not a lone checkbox: the shared field template gives a checkbox a legend only.
    in_total_commitment = forms.BooleanField(
        label=_("Part of the total commitment"),
        required=False,
        widget=forms.Select(choices=[(False, _("No")), (True, _("Yes"))]),
    )
    display_order = forms.IntegerField(
        label=_("Place in the catalogue"), min_value=0, max_value=32767, initial=100
    )

    def __init__(self, *args: Any, categories: list[tuple[str, str]], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["category"].choices = [("", "—"), *categories]  # type: ignore[attr-defined]

    def service_input(self) -> ServiceInput:
        data = self.cleaned_data
        return ServiceInput(
            name_sv=data["name_sv"],
            name_en=data["name_en"],
            description_sv=data["description_sv"],
            description_en=data["description_en"],
            category=data["category"],
            availability_target=data["availability_target"],
            support_hours=data["support_hours"],
            rto_hours=data["rto_hours"],
            rpo_hours=data["rpo_hours"],
            in_total_commitment=data["in_total_commitment"],
            display_order=data["display_order"],
        )

    def min_rank_value(self) -> int | None:
        value = self.cleaned_data.get("min_rank") or ""
        return int(value) if value else None


class ServiceCreateForm(ServiceForm):
    code = forms.CharField(
        label=_("Code"),
        max_length=32,
        help_text=_("2–32 capital letters, digits or hyphens, starting with a letter."),
    )
    provider = forms.TypedChoiceField(label=_("Provider"), coerce=int)

    field_order = ["code", "provider"]

    def __init__(self, *args: Any, providers: list[tuple[int, str]], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["provider"].choices = providers  # type: ignore[attr-defined]
        self.order_fields(["code", "provider", *self.fields])


class ServiceEditForm(ServiceForm):
    version = forms.IntegerField(widget=forms.HiddenInput)


class TransitionForm(TextCheckedForm):
    to = forms.ChoiceField(
        label=_("New state"),
        choices=[
            ("active", _("Published")),
            ("retiring", _("Retiring")),
            ("retired", _("Retired")),
        ],
    )
    version = forms.IntegerField(widget=forms.HiddenInput)
    retirement_date = forms.DateField(
        label=_("Retirement date"),
        required=False,
        widget=forms.DateInput(attrs={"type": "date"}),
        help_text=_("Only when it starts retiring: subscriptions end on this day."),
    )


class DependencyForm(TextCheckedForm):
    depends_on = forms.ChoiceField(label=_("Depends on"))
    reason_sv = forms.CharField(label=_("Why (Swedish)"), max_length=200, required=False)
    reason_en = forms.CharField(label=_("Why (English)"), max_length=200, required=False)

    def __init__(self, *args: Any, candidates: list[tuple[str, str]], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["depends_on"].choices = [("", "—"), *candidates]  # type: ignore[attr-defined]


class CategoryForm(TextCheckedForm):
    code = forms.SlugField(label=_("Code"), max_length=50)
    name_sv = forms.CharField(label=_("Name (Swedish)"), max_length=120)
    name_en = forms.CharField(label=_("Name (English)"), max_length=120)


def add_domain_error(form: forms.Form, error: DomainError) -> None:
    """A refusal from a service onto the form: each named field gets its message, the rest
    goes above the form."""
    placed = False
    if isinstance(error, ValidationFailed):
        for field, messages in error.errors.items():
            if field in form.fields:
                for message in messages:
                    form.add_error(field, message)
                placed = True
    if not placed:
        form.add_error(None, str(error))
