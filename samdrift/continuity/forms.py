"""Forms of the sites page (ADR 0913): what a provider's staff fill in to register a site, place
one of their services on a site, set its redundancy policy. The choices come from the page's own
selectors; the services in `placements` decide again and refuse with a message on the field."""

from __future__ import annotations

from typing import Any, cast

from django import forms
from django.utils.translation import gettext_lazy as _

from samdrift.core.text import TextCheckedForm

from .choices import PlacementRole, Region, SecurityClass

# Without the value typed: another provider's service code and one that does not exist get the
# same answer (the cross-agency matrix compares them).
NOT_YOURS = {"invalid_choice": _("Choose one of your provider's running services.")}
NO_SITE = {"invalid_choice": _("Choose one of the registered sites.")}


class SiteForm(TextCheckedForm):
    prefix = "site"  # three forms on one page: their fields' ids must differ
    code = forms.CharField(label=_("Code (2-20 capital letters, digits or hyphens)"), max_length=20)
    name = forms.CharField(label=_("Name"), max_length=120)
    operator = forms.CharField(label=_("Operator agency's organisation number"), max_length=20)
    region = forms.ChoiceField(label=_("Region (civil area)"), choices=Region.choices)
    security_class = forms.TypedChoiceField(
        label=_("Security class"), coerce=int, choices=SecurityClass.choices
    )
    capacity = forms.IntegerField(label=_("Capacity (service instances)"), min_value=1)
    nis_relevant = forms.BooleanField(label=_("Relevant under NIS"), required=False)


class PlaceForm(TextCheckedForm):
    prefix = "place"  # three forms on one page: their fields' ids must differ
    service = forms.ChoiceField(label=_("Service"), error_messages=NOT_YOURS)
    site = forms.ChoiceField(label=_("Site"), error_messages=NO_SITE)
    role = forms.ChoiceField(label=_("Role"), choices=PlacementRole.choices)
    rto_hours = forms.IntegerField(label=_("RTO achievable from this site (hours)"), min_value=1)

    def __init__(
        self, *args: Any, services: list[tuple[str, str]], sites: list[tuple[str, str]],
        **kwargs: Any,
    ) -> None:  # fmt: skip
        super().__init__(*args, **kwargs)
        cast(forms.ChoiceField, self.fields["service"]).choices = services
        cast(forms.ChoiceField, self.fields["site"]).choices = sites


class PolicyForm(TextCheckedForm):
    prefix = "policy"  # three forms on one page: their fields' ids must differ
    service = forms.ChoiceField(label=_("Service"), error_messages=NOT_YOURS)
    min_sites = forms.IntegerField(label=_("At least sites"), min_value=1, initial=2)
    min_regions = forms.IntegerField(label=_("At least regions"), min_value=1, initial=2)
    min_security_class = forms.TypedChoiceField(
        label=_("At least security class"), coerce=int, choices=SecurityClass.choices, initial=0
    )

    def __init__(self, *args: Any, services: list[tuple[str, str]], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        cast(forms.ChoiceField, self.fields["service"]).choices = services
