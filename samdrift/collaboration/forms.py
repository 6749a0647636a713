"""Field shapes of the collaboration pages; the rules are in services and policy."""

from __future__ import annotations

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
    classification = forms.ChoiceField(label=_("Confidentiality class"), choices=CLASS_CHOICES)


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
