"""Field shapes of the operations pages; the rules are the services'."""

from __future__ import annotations

from typing import Any, cast

from django import forms
from django.utils.translation import gettext_lazy as _

from samdrift.core.text import TextCheckedForm

from .choices import CapacityKind, ChangeKind, Impact, IncidentState, OutageLevel, Urgency


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


class SurveyForm(TextCheckedForm):
    """A provider's manager opens an NKI survey of one of its services (ADR 0843)."""

    service = forms.ChoiceField(label=_("Service"))
    year = forms.IntegerField(label=_("Year"), min_value=2000, max_value=2100)
    closes_on = forms.DateField(
        label=_("Answers until"), widget=forms.DateInput(attrs={"type": "date"})
    )

    def __init__(self, *args: Any, services: list[tuple[str, str]], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        cast(forms.ChoiceField, self.fields["service"]).choices = services


SCORES = [(n, str(n)) for n in range(1, 11)]


class AnswerForm(TextCheckedForm):
    organisation = forms.TypedChoiceField(label=_("Answer for agency"), coerce=int)
    overall = forms.TypedChoiceField(choices=SCORES, coerce=int, widget=forms.RadioSelect)
    expectations = forms.TypedChoiceField(choices=SCORES, coerce=int, widget=forms.RadioSelect)
    ideal = forms.TypedChoiceField(choices=SCORES, coerce=int, widget=forms.RadioSelect)
    comment = forms.CharField(
        label=_("Anything else you want the provider to know?"),
        required=False,
        max_length=5000,
        widget=forms.Textarea(attrs={"rows": 3}),
    )

    def __init__(
        self, *args: Any, organisations: list[tuple[int, str]], questions: Any, **kwargs: Any
    ) -> None:
        super().__init__(*args, **kwargs)
        cast(forms.ChoiceField, self.fields["organisation"]).choices = organisations
        for key, label in questions:
            self.fields[key].label = label


class ClassifyForm(TextCheckedForm):
    """Which legal regimes an incident is reportable under, and since when the provider knows
    (ADR 0844); Swedish time."""

    regimes = forms.MultipleChoiceField(
        label=_("Reportable under"), required=False, widget=forms.CheckboxSelectMultiple
    )
    aware_at = forms.CharField(
        label=_("Aware since (empty: when the incident was opened)"),
        required=False,
        widget=forms.TextInput(attrs={"type": "datetime-local"}),
    )

    def __init__(self, *args: Any, regimes: list[tuple[str, str]], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        cast(forms.MultipleChoiceField, self.fields["regimes"]).choices = regimes


class LegalReportForm(TextCheckedForm):
    """One legal report: a field per item of the law's checklist, the recipient's reference and
    when it was made (ADR 0844)."""

    reference = forms.CharField(
        label=_("The recipient's reference (e.g. CERT-SE's case number)"),
        required=False,
        max_length=200,
    )
    met_at = forms.CharField(
        label=_("Made (empty: now)"),
        required=False,
        widget=forms.TextInput(attrs={"type": "datetime-local"}),
    )

    def __init__(self, *args: Any, items: list[tuple[str, str]], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.item_keys = [key for key, _label in items]
        for key, label in items:
            self.fields[f"item_{key}"] = forms.CharField(
                label=label, max_length=4000, widget=forms.Textarea(attrs={"rows": 3})
            )
        self.order_fields([f"item_{key}" for key in self.item_keys])

    def content(self) -> dict[str, str]:
        return {key: self.cleaned_data[f"item_{key}"] for key in self.item_keys}


class RouteForm(TextCheckedForm):
    """Route an incident to a function of the service's responsibility matrix (ADR 0845)."""

    function = forms.ChoiceField(label=_("Function"))

    def __init__(self, *args: Any, functions: list[str], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        cast(forms.ChoiceField, self.fields["function"]).choices = [(f, f) for f in functions]


class EscalateForm(TextCheckedForm):
    reason = forms.CharField(
        label=_("Why escalate?"), max_length=2000, widget=forms.Textarea(attrs={"rows": 2})
    )


class MatrixForm(TextCheckedForm):
    """A new version of a service's responsibility matrix, one cell per line (ADR 0845)."""

    service = forms.ChoiceField(label=_("Service"))
    name = forms.CharField(label=_("Name of the jointly delivered service"), max_length=200)
    effective_from = forms.DateField(
        label=_("Takes effect"), widget=forms.DateInput(attrs={"type": "date"})
    )
    text = forms.CharField(
        label=_("The matrix: one line per function, role and party"),
        help_text=_(
            "function;role;party — the role R, A, C or I; the party an agency's name or "
            "organisation number. Exactly one A and at least one R per function before it can "
            "take effect."
        ),
        widget=forms.Textarea(attrs={"rows": 12}),
        max_length=500_000,
    )
    note = forms.CharField(
        label=_("Note"), required=False, max_length=4000, widget=forms.Textarea(attrs={"rows": 2})
    )

    def __init__(self, *args: Any, services: list[tuple[str, str]], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        cast(forms.ChoiceField, self.fields["service"]).choices = services


class CapacityImportForm(TextCheckedForm):
    """Capacity figures from a CSV export, one sample per line (ADR 0846)."""

    text = forms.CharField(
        label=_("Figures: service;figure;time;value per line"),
        help_text=_(
            "The figure is users, licences, bandwidth or visits; the time e.g. 2026-03-02 08:30 "
            "(Swedish time). One bad line refuses the whole import."
        ),
        max_length=2_000_000,
        widget=forms.Textarea(attrs={"rows": 8}),
    )


class CapacityMetricForm(TextCheckedForm):
    kind = forms.ChoiceField(label=_("Figure"), choices=CapacityKind.choices)
    capacity = forms.DecimalField(
        label=_("Capacity (empty: no limit)"), required=False, min_value=0, max_digits=14,
        decimal_places=2,
    )  # fmt: skip
    prometheus_query = forms.CharField(
        label=_("Prometheus query (PromQL, read every hour)"), required=False, max_length=1000
    )


# --- working an incident, problems and changes on the pages (ADR 0848) -------------------------


class NoteForm(TextCheckedForm):
    text = forms.CharField(
        label=_("Note"), max_length=4000, widget=forms.Textarea(attrs={"rows": 3})
    )


class RespondForm(TextCheckedForm):
    message = forms.CharField(
        label=_("First answer to the agencies (stops every response clock)"),
        required=False,
        max_length=4000,
        widget=forms.Textarea(attrs={"rows": 2}),
    )


class PriorityForm(TextCheckedForm):
    impact = forms.TypedChoiceField(label=_("Impact"), choices=Impact.choices, coerce=int)
    urgency = forms.TypedChoiceField(label=_("Urgency"), choices=Urgency.choices, coerce=int)


class WaitForm(TextCheckedForm):
    organisation = forms.TypedChoiceField(label=_("Agency"), coerce=int)
    waiting = forms.TypedChoiceField(
        label=_("Clocks"),
        choices=[("1", _("Pause: waiting for the agency")), ("0", _("Resume"))],
        coerce=lambda value: value == "1",
        widget=forms.RadioSelect,
    )
    reason = forms.CharField(label=_("Why (required to pause)"), required=False, max_length=1000)

    def __init__(self, *args: Any, agencies: list[tuple[int, str]], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        cast(forms.ChoiceField, self.fields["organisation"]).choices = agencies


class MajorForm(TextCheckedForm):
    major = forms.TypedChoiceField(
        label=_("Major incident"),
        choices=[("1", _("Declare a major incident")), ("0", _("Withdraw the major flag"))],
        coerce=lambda value: value == "1",
        widget=forms.RadioSelect,
    )


class ParentForm(TextCheckedForm):
    parent = forms.IntegerField(
        label=_("Parent incident number (empty: none)"), required=False, min_value=1
    )


class LinkProblemForm(TextCheckedForm):
    problem = forms.TypedChoiceField(
        label=_("Problem"), coerce=int, required=False, empty_value=None
    )

    def __init__(self, *args: Any, problems: list[tuple[int, str]], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        cast(forms.ChoiceField, self.fields["problem"]).choices = [("", _("None")), *problems]


class ProblemForm(TextCheckedForm):
    service = forms.ChoiceField(label=_("Service"))
    title = forms.CharField(label=_("What keeps happening?"), max_length=200)

    def __init__(self, *args: Any, services: list[tuple[str, str]], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        cast(forms.ChoiceField, self.fields["service"]).choices = services


class KnownErrorForm(TextCheckedForm):
    root_cause = forms.CharField(
        label=_("Root cause"), max_length=10000, widget=forms.Textarea(attrs={"rows": 3})
    )
    workaround = forms.CharField(
        label=_("Workaround"), max_length=10000, widget=forms.Textarea(attrs={"rows": 3})
    )


class StateForm(TextCheckedForm):
    state = forms.ChoiceField(label=_("New state"))

    def __init__(self, *args: Any, states: list[tuple[str, str]], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        cast(forms.ChoiceField, self.fields["state"]).choices = states


class WindowForm(TextCheckedForm):
    window_start = forms.CharField(
        label=_("Maintenance window starts"),
        widget=forms.TextInput(attrs={"type": "datetime-local"}),
    )
    window_end = forms.CharField(
        label=_("Maintenance window ends"),
        widget=forms.TextInput(attrs={"type": "datetime-local"}),
    )


class ChangeForm(WindowForm):
    service = forms.ChoiceField(label=_("Service"))
    kind = forms.ChoiceField(label=_("Kind"), choices=ChangeKind.choices)
    title = forms.CharField(label=_("What changes?"), max_length=200)
    description = forms.CharField(
        label=_("Description"), required=False, max_length=10000,
        widget=forms.Textarea(attrs={"rows": 3}),
    )  # fmt: skip
    fallback = forms.CharField(
        label=_("Fallback plan"), required=False, max_length=10000,
        widget=forms.Textarea(attrs={"rows": 2}),
    )  # fmt: skip

    def __init__(self, *args: Any, services: list[tuple[str, str]], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        cast(forms.ChoiceField, self.fields["service"]).choices = services
        self.order_fields(["service", "kind", "title", "description", "fallback"])
