"""Forms of the cooperation pages. They check shape; the services check every rule again."""

from __future__ import annotations

from typing import Any, cast

from django import forms
from django.utils.translation import gettext_lazy as _

from samdrift.core.text import TextCheckedForm

from .choices import SteeringBody


class _AgencyIds(forms.TypedMultipleChoiceField):
    """Agencies offered as choices, but not limited to them here: whether the actor may bind
    them is the service's rule, so this form refuses nothing the service would call a 404."""

    def valid_value(self, value: Any) -> bool:
        return True


class DecisionForm(TextCheckedForm):
    """A steering group's decision; the agencies offered are the actor's, from the selectors."""

    # An id, not a choice: an agency the actor may not record for is the service's 404, the same
    # as one that does not exist (a choice field would echo the id back in its error).
    recorded_for = forms.IntegerField(label=_("Recorded by agency"), widget=forms.Select)
    body = forms.ChoiceField(label=_("Steering group"), choices=SteeringBody.choices)
    reference = forms.CharField(label=_("Reference number"), max_length=60)
    decided_on = forms.DateField(
        label=_("Decided on"), widget=forms.DateInput(attrs={"type": "date"})
    )
    title = forms.CharField(label=_("Title"), max_length=200)
    text = forms.CharField(
        label=_("Decision"), max_length=5000, widget=forms.Textarea(attrs={"rows": 6})
    )
    providers = _AgencyIds(
        label=_("Provider agencies bound"), coerce=int, required=False,
        widget=forms.CheckboxSelectMultiple,
    )  # fmt: skip

    def __init__(
        self,
        *args: Any,
        recorders: list[tuple[int, str]],
        providers: list[tuple[int, str]],
        **kwargs: Any,
    ) -> None:
        super().__init__(*args, **kwargs)
        self.fields["recorded_for"].widget.choices = recorders
        bound = cast(forms.ChoiceField, self.fields["providers"])
        bound.choices = providers
        bound.help_text = _("The recording agency is always bound.")
