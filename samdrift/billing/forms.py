"""Forms of the billing pages; services do the real validation, forms only shape the input."""

from __future__ import annotations

import datetime
import uuid
from collections.abc import Iterable
from decimal import Decimal
from typing import TYPE_CHECKING, Any, cast

from django import forms
from django.db.models import QuerySet
from django.utils.translation import gettext_lazy as _

from samdrift.core.exceptions import DomainError
from samdrift.core.text import TextCheckedForm

from .choices import AllocationMethod, EconomicGoal, PriceBasis, PriceModel, Segment
from .money import parse_decimal
from .periods import parse_period

if TYPE_CHECKING:
    from samdrift.catalogue.models import Service
    from samdrift.onboarding.models import ConnectionCase
    from samdrift.organisations.models import Organisation


class DomainErrorForm(TextCheckedForm):
    """A form that shows a service's refusal (DomainError) next to the field it names."""

    def add_domain_error(self, error: DomainError) -> None:
        """A service's refusal next to the field it names, or above the form."""
        field_errors = getattr(error, "errors", None) or {}
        for name, messages in field_errors.items():
            self.add_error(name if name in self.fields else None, "; ".join(map(str, messages)))
        if not field_errors:
            self.add_error(None, str(error))


class RunForm(TextCheckedForm):
    period = forms.RegexField(label=_("Period (YYYY-MM)"), regex=r"^\d{4}-\d{2}$", max_length=7)


class CreditForm(TextCheckedForm):
    reason = forms.CharField(label=_("Reason for the credit note"), max_length=300)


class PriceForm(DomainErrorForm):
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


class YearForm(TextCheckedForm):
    year = forms.IntegerField(label=_("Year"), min_value=2000, max_value=2100, required=False)


class UploadForm(TextCheckedForm):
    file = forms.FileField(label=_("CSV file"))


class _AccessibleForm(DomainErrorForm):
    """Marks a field with an error as invalid and points it to its message (WCAG 3.3.1)."""

    def add_error(self, field: str | None, error: Any) -> None:
        super().add_error(field, error)
        for name in self.errors:
            if name in self.fields:
                self.fields[name].widget.attrs.update(
                    {"aria-invalid": "true", "aria-describedby": f"{self[name].auto_id}-error"}
                )


def _number(value: str) -> Decimal:
    try:
        number = parse_decimal(value)
    except ValueError:
        raise forms.ValidationError(_("Enter a number, e.g. 7,5."), code="invalid") from None
    if number < 0:
        raise forms.ValidationError(_("The number cannot be negative."), code="negative")
    return number


def _period(value: str) -> datetime.date:
    try:
        return parse_period(value)
    except ValueError:
        raise forms.ValidationError(
            _("Write the month as YYYY-MM, e.g. 2024-03."), code="invalid"
        ) from None


def _year_field(label: Any) -> forms.IntegerField:
    message = _("Give a year between 2000 and 2100.")
    return forms.IntegerField(
        label=label,
        min_value=2000,
        max_value=2100,
        error_messages={"invalid": message, "min_value": message, "max_value": message},
    )


class AllocationRuleForm(_AccessibleForm):
    year = _year_field(_("Year"))
    cost_pool = forms.CharField(label=_("Cost pool"), max_length=60)
    method = forms.ChoiceField(label=_("Allocation method"), choices=AllocationMethod.choices)
    target_service = forms.ChoiceField(
        label=_("Service (direct method only)"), required=False, choices=()
    )
    weights = forms.CharField(
        label=_("Percentages (fixed percentages only), e.g. ARBETSPLATS=60; LAGRING=40"),
        max_length=500,
        required=False,
    )
    decision_ref = forms.CharField(label=_("Decision reference"), max_length=120)

    def __init__(self, *args: Any, services: Iterable[Service] = (), **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        cast(forms.ChoiceField, self.fields["target_service"]).choices = [
            ("", "—"),
            *((service.code, f"{service.code}: {service.name}") for service in services),
        ]

    def clean_weights(self) -> dict[str, str]:
        weights: dict[str, str] = {}
        for part in filter(None, (p.strip() for p in self.cleaned_data["weights"].split(";"))):
            code, separator, percent = part.partition("=")
            if not separator or not code.strip():
                raise forms.ValidationError(
                    _("Write each share as SERVICE=percent, separated by semicolons."),
                    code="invalid",
                )
            weights[code.strip()] = str(_number(percent))
        return weights

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        method = data.get("method")
        if method == AllocationMethod.DIRECT and not data.get("target_service"):
            self.add_error("target_service", _("A direct rule needs the service it goes to."))
        if method == AllocationMethod.FIXED_PCT and "weights" in data and not data["weights"]:
            self.add_error("weights", _("A fixed-percentage rule needs the percentages."))
        return data


class AllocateForm(_AccessibleForm):
    year = _year_field(_("Year to allocate"))


class FeeAreaForm(_AccessibleForm):
    """A new fee area of the provider the page shows (ADR 0664)."""

    code = forms.SlugField(label=_("Code (letters, digits and hyphens)"), max_length=50)
    name_sv = forms.CharField(label=_("Name (Swedish)"), max_length=120)
    name_en = forms.CharField(label=_("Name (English)"), max_length=120)
    segment = forms.ChoiceField(label=_("Segment"), choices=Segment.choices)
    economic_goal = forms.ChoiceField(label=_("Economic goal"), choices=EconomicGoal.choices)
    recovery_years = forms.IntegerField(
        label=_("Years to recover a deficit"), min_value=1, max_value=50, initial=3
    )


class BillServiceForm(_AccessibleForm):
    """Bill one of the provider's own services, not billed yet, in the fee area."""

    service = forms.ChoiceField(label=_("Service"), choices=())
    unit_code = forms.CharField(label=_("Unit code (UN/ECE Rec 20)"), max_length=3, initial="C62")
    unit_sv = forms.CharField(label=_("Unit (Swedish)"), max_length=40, initial="st")
    unit_en = forms.CharField(label=_("Unit (English)"), max_length=40, initial="pcs")

    def __init__(self, *args: Any, services: Iterable[Service] = (), **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        cast(forms.ChoiceField, self.fields["service"]).choices = [
            (service.code, f"{service.code}: {service.name}") for service in services
        ]


class CaseField(forms.ModelChoiceField):
    def label_from_instance(self, obj: ConnectionCase) -> str:
        return (
            f"#{obj.pk} {obj.organisation.name} "
            f"({obj.get_scope_display()}, {obj.opened_on:%Y-%m-%d})"
        )


class ProjectTimeForm(_AccessibleForm):
    # The choices are the view's (`selectors.project_time_cases`), given to the form.
    case = CaseField(label=_("Connection case"), queryset=None)
    period = forms.CharField(label=_("Month worked (YYYY-MM)"), max_length=7)
    hours = forms.CharField(label=_("Hours"), max_length=20)
    hourly_rate = forms.CharField(label=_("Cost price per hour (SEK)"), max_length=20)
    external_cost = forms.CharField(
        label=_("External cost (SEK)"), max_length=30, required=False, initial="0"
    )
    description = forms.CharField(label=_("Description"), max_length=200)
    # A new key per rendered form: sending the same form twice books the time once.
    key = forms.CharField(widget=forms.HiddenInput, max_length=120)

    def __init__(self, *args: Any, cases: QuerySet[ConnectionCase], **kwargs: Any) -> None:
        kwargs.setdefault("initial", {}).setdefault("key", f"web:{uuid.uuid4()}")
        super().__init__(*args, **kwargs)
        cast(CaseField, self.fields["case"]).queryset = cases

    def clean_period(self) -> datetime.date:
        return _period(self.cleaned_data["period"])

    def clean_hours(self) -> Decimal:
        return _number(self.cleaned_data["hours"])

    def clean_hourly_rate(self) -> Decimal:
        return _number(self.cleaned_data["hourly_rate"])

    def clean_external_cost(self) -> Decimal:
        return _number(self.cleaned_data["external_cost"] or "0")


class ExitPreviewForm(_AccessibleForm):
    # The choices are the view's (`selectors.exit_candidates`), given to the form.
    organisation: forms.ModelChoiceField[Organisation] = forms.ModelChoiceField(
        label=_("Leaving agency"), queryset=None
    )

    def __init__(self, *args: Any, agencies: QuerySet[Organisation], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        cast(forms.ModelChoiceField, self.fields["organisation"]).queryset = agencies


class ExitForm(_AccessibleForm):
    organisation: forms.ModelChoiceField[Organisation] = forms.ModelChoiceField(
        label=_("Leaving agency"), widget=forms.HiddenInput, queryset=None
    )
    period = forms.CharField(label=_("Settlement month (YYYY-MM)"), max_length=7)
    reason = forms.CharField(label=_("Reason for the exit"), max_length=300)

    def __init__(self, *args: Any, agencies: QuerySet[Organisation], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        cast(forms.ModelChoiceField, self.fields["organisation"]).queryset = agencies

    def clean_period(self) -> datetime.date:
        return _period(self.cleaned_data["period"])
