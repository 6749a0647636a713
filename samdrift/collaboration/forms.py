"""Field shapes of the collaboration pages; the rules are in services and policy."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any, cast

from django import forms
from django.utils.translation import gettext_lazy as _

from samdrift.core.text import TextCheckedForm

from .choices import SECURITY_PROTECTED, Classification, Role

CLASS_CHOICES = [
    *[(str(c.value), c.label) for c in Classification],
    (SECURITY_PROTECTED, _("Security-protected information (not allowed in SAFOS)")),
]
MEMBER_ROLES = [(r.value, r.label) for r in Role if r != Role.OWNER]


class WorkspaceForm(TextCheckedForm):
    name = forms.CharField(label=_("Name"), max_length=200)
    description = forms.CharField(
        label=_("Description"), required=False, widget=forms.Textarea(attrs={"rows": 3})
    )
    classification = forms.ChoiceField(
        label=_("Confidentiality class (KLASSA)"), choices=CLASS_CHOICES, initial="1"
    )
    organisation = forms.TypedChoiceField(label=_("Owning agency"), coerce=int)

    def __init__(self, *args: Any, organisations: list[tuple[int, str]], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        cast(forms.ChoiceField, self.fields["organisation"]).choices = organisations


class ClassifyForm(TextCheckedForm):
    """A KLASSA level, or one of the owning agency's own labels mapped to one (ADR 0617)."""

    classification = forms.ChoiceField(label=_("Confidentiality class"), choices=CLASS_CHOICES)

    def __init__(self, *args: Any, labels: Sequence[Any] = (), **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        if labels:
            own = [(f"label:{label.id}", str(label)) for label in labels]
            cast(forms.ChoiceField, self.fields["classification"]).choices = [
                (_("The agency's own scale"), own),
                (_("KLASSA"), CLASS_CHOICES),
            ]


def class_initial(obj: Any) -> dict[str, str]:
    """The classify form's value for a workspace or document: its label, else its level."""
    if obj.scale_label_id:
        return {"classification": f"label:{obj.scale_label_id}"}
    return {"classification": str(obj.classification)}


LEVEL_CHOICES = [("", _("— choose a level —")), *[(str(c.value), c.label) for c in Classification]]
EXTRA_ROWS = 3


class ScaleForm(TextCheckedForm):
    """An agency's scale as rows of label names and levels: the existing labels, then a few
    empty rows for new ones. The rules (mapped, 0–3, in use) are the service's."""

    def __init__(
        self,
        *args: Any,
        labels: Sequence[Any] = (),
        uses: dict[int, int] | None = None,
        rows: int = 0,
        **kwargs: Any,
    ) -> None:
        super().__init__(*args, **kwargs)
        self.count = max(rows, len(labels) + EXTRA_ROWS)
        self.uses = [(uses or {}).get(label.id, 0) for label in labels]
        for i in range(self.count):
            label = labels[i] if i < len(labels) else None
            self.fields[f"id_{i}"] = forms.IntegerField(
                required=False, widget=forms.HiddenInput, initial=label.id if label else None
            )
            self.fields[f"sv_{i}"] = forms.CharField(
                label=_("Swedish name, row %(n)s") % {"n": i + 1}, required=False,
                max_length=200, initial=label.name_sv if label else "",
            )  # fmt: skip
            self.fields[f"en_{i}"] = forms.CharField(
                label=_("English name, row %(n)s") % {"n": i + 1}, required=False,
                max_length=200, initial=label.name_en if label else "",
            )  # fmt: skip
            # a plain text field with a list: an odd value reaches the service and its message
            self.fields[f"level_{i}"] = forms.CharField(
                label=_("KLASSA level, row %(n)s") % {"n": i + 1}, required=False,
                widget=forms.Select(choices=LEVEL_CHOICES),
                initial=str(label.level) if label else "",
            )  # fmt: skip
            if label is not None:
                self.fields[f"remove_{i}"] = forms.BooleanField(
                    label=_("Remove row %(n)s") % {"n": i + 1}, required=False
                )

    def table(self) -> list[dict[str, Any]]:
        return [
            {"id": self[f"id_{i}"], "sv": self[f"sv_{i}"], "en": self[f"en_{i}"],
             "level": self[f"level_{i}"],
             "remove": self[f"remove_{i}"] if f"remove_{i}" in self.fields else None,
             "uses": self.uses[i] if i < len(self.uses) else None}
            for i in range(self.count)
        ]  # fmt: skip

    def labels(self) -> list[dict[str, Any]]:
        """The rows for `services.scale_set`: removed and empty new rows left out."""
        data = self.cleaned_data
        out = []
        for i in range(self.count):
            if data.get(f"remove_{i}"):
                continue
            row = {"id": data.get(f"id_{i}"), "name_sv": data.get(f"sv_{i}", ""),
                   "name_en": data.get(f"en_{i}", ""), "level": data.get(f"level_{i}", "")}  # fmt: skip
            if row["id"] is None and not (row["name_sv"] or row["name_en"] or row["level"]):
                continue
            out.append(row)
        return out


class PublishingForm(TextCheckedForm):
    require_accessible_pdfs = forms.BooleanField(
        label=_("Require accessible PDFs before publishing"),
        help_text=_(
            "A PDF can then be published only when its current version passed the automatic "
            "accessibility check (PDF/UA-1)."
        ),
        required=False,
    )


class InviteForm(TextCheckedForm):
    email = forms.EmailField(label=_("E-mail address"))
    role = forms.ChoiceField(label=_("Role"), choices=MEMBER_ROLES, initial=Role.EDITOR)


class RoleForm(TextCheckedForm):
    role = forms.ChoiceField(label=_("Role"), choices=MEMBER_ROLES)


class FolderForm(TextCheckedForm):
    name = forms.CharField(label=_("Folder name"), max_length=255)


class UploadForm(TextCheckedForm):
    file = forms.FileField(label=_("File"), allow_empty_file=True)


class AcceptForm(TextCheckedForm):
    organisation = forms.TypedChoiceField(label=_("I act for"), coerce=int)

    def __init__(self, *args: Any, organisations: list[tuple[int, str]], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        cast(forms.ChoiceField, self.fields["organisation"]).choices = organisations


class ShareForm(TextCheckedForm):
    agencies = forms.TypedMultipleChoiceField(
        label=_("Agencies"),
        coerce=int,
        required=False,
        widget=forms.SelectMultiple(attrs={"size": 6}),
    )
    people = forms.CharField(
        label=_("People (e-mail addresses, one per line)"),
        required=False,
        widget=forms.Textarea(attrs={"rows": 3}),
    )
    days = forms.IntegerField(label=_("Valid for (days)"), min_value=1, max_value=365, initial=7)

    def __init__(self, *args: Any, organisations: list[tuple[int, str]], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        cast(forms.ChoiceField, self.fields["agencies"]).choices = organisations
