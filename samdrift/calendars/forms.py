"""Forms of the calendar pages: what a person types, checked before a service is called."""

from __future__ import annotations

from typing import Any

from django import forms
from django.utils.translation import gettext_lazy as _

from samdrift.core.text import TextCheckedForm

from .addons import EventAddon
from .choices import TaskStatus
from .ical import HOME_ZONE

END_BEFORE = _("The end must not be before the start.")


class EventForm(TextCheckedForm):
    summary = forms.CharField(label=_("Title"), max_length=500)
    start = forms.DateTimeField(
        label=_("Starts"), widget=forms.DateTimeInput(attrs={"type": "datetime-local"})
    )
    end = forms.DateTimeField(
        label=_("Ends"), widget=forms.DateTimeInput(attrs={"type": "datetime-local"})
    )
    location = forms.CharField(label=_("Place or meeting room"), max_length=500, required=False)

    def __init__(self, *args: Any, addons: list[EventAddon] | None = None, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.addons = addons or []
        for addon in self.addons:  # e.g. "hold it as a video meeting" (ADR 0649)
            self.fields[f"addon_{addon.key}"] = forms.BooleanField(
                label=addon.label, help_text=addon.help_text, required=False
            )

    def addon_fields(self) -> list[forms.BoundField]:
        return [self[f"addon_{addon.key}"] for addon in self.addons]

    def chosen_addon(self) -> EventAddon | None:
        return next((a for a in self.addons if self.cleaned_data.get(f"addon_{a.key}")), None)

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        start, end = data.get("start"), data.get("end")
        if start and end:
            data["start"], data["end"] = (v.astimezone(HOME_ZONE) for v in (start, end))
            if data["end"] < data["start"]:
                self.add_error("end", END_BEFORE)
        return data


class TaskForm(TextCheckedForm):
    summary = forms.CharField(label=_("Task"), max_length=500)
    due = forms.DateTimeField(
        label=_("Due"),
        required=False,
        widget=forms.DateTimeInput(attrs={"type": "datetime-local"}),
    )
    priority = forms.TypedChoiceField(
        label=_("Priority"),
        coerce=int,
        initial=0,
        choices=[(0, _("none")), (1, _("high")), (5, _("medium")), (9, _("low"))],
    )
    description = forms.CharField(
        label=_("Description"),
        required=False,
        max_length=10000,
        widget=forms.Textarea(attrs={"rows": 3}),
    )
    assignees = forms.MultipleChoiceField(
        label=_("Assigned to"), required=False, widget=forms.CheckboxSelectMultiple
    )
    documents = forms.TypedMultipleChoiceField(
        label=_("Linked documents"), required=False, coerce=int, widget=forms.SelectMultiple
    )

    def __init__(
        self,
        *args: Any,
        members: list[tuple[str, str]],
        documents: list[tuple[int, str]],
        **kwargs: Any,
    ) -> None:
        super().__init__(*args, **kwargs)
        self.fields["assignees"].choices = members  # type: ignore[attr-defined]
        self.fields["documents"].choices = documents  # type: ignore[attr-defined]
        if not members:
            del self.fields["assignees"]
        if not documents:
            del self.fields["documents"]


class ChecklistItemForm(TextCheckedForm):
    parent = forms.CharField(max_length=255, widget=forms.HiddenInput)
    item = forms.CharField(label=_("Checklist item"), max_length=500)


class MoveForm(TextCheckedForm):
    href = forms.CharField(max_length=255, widget=forms.HiddenInput)
    etag = forms.CharField(max_length=80, widget=forms.HiddenInput)
    status = forms.ChoiceField(label=_("Move to"), choices=TaskStatus.choices)


class ImportForm(TextCheckedForm):
    file = forms.FileField(label=_("iCalendar file (.ics)"))
