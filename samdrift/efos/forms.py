"""Forms of the EFOS pages. They check shape only; the rules are in `services`."""

from __future__ import annotations

from typing import Any

from django import forms
from django.utils.translation import gettext_lazy as _

from samdrift.core.text import TextCheckedForm

from .choices import CredentialStatus, RevocationReason, SignatureLevel


class OfficialForm(TextCheckedForm):
    organisation = forms.TypedChoiceField(label=_("Agency"), coerce=int)
    given_name = forms.CharField(label=_("Given name"), max_length=100)
    surname = forms.CharField(label=_("Surname"), max_length=100)
    uid = forms.CharField(
        label=_("User identifier"),
        max_length=64,
        required=False,
        help_text=_("The part before @ in orgAffiliation. Leave empty to have one suggested."),
    )
    email = forms.EmailField(label=_("Email"), required=False)
    order = forms.BooleanField(label=_("Order an e-ID now"), required=False, initial=True)

    def __init__(self, *args: Any, organisations: list[tuple[int, str]], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["organisation"].choices = organisations  # type: ignore[attr-defined]


class OfficialFilterForm(TextCheckedForm):
    q = forms.CharField(label=_("Search"), required=False)
    status = forms.ChoiceField(
        label=_("E-ID status"),
        required=False,
        choices=[("", _("All")), *list(CredentialStatus.choices)],
    )


class VerifyForm(TextCheckedForm):
    note = forms.CharField(label=_("How the identity was verified"), max_length=200)


class IssueForm(TextCheckedForm):
    authentication = forms.CharField(
        label=_("Certificate request for authentication (PEM)"),
        required=False,
        widget=forms.Textarea(attrs={"rows": 4}),
    )
    signature = forms.CharField(
        label=_("Certificate request for signature (PEM)"),
        required=False,
        widget=forms.Textarea(attrs={"rows": 4}),
    )


class RevokeForm(TextCheckedForm):
    reason = forms.ChoiceField(label=_("Reason"), choices=RevocationReason.choices)


class DocumentForm(TextCheckedForm):
    organisation = forms.TypedChoiceField(label=_("Agency"), coerce=int)
    title = forms.CharField(label=_("Title"), max_length=200)
    sign_message = forms.CharField(
        label=_("Sign message"), widget=forms.Textarea(attrs={"rows": 3})
    )
    pdf = forms.FileField(label=_("PDF document"))

    def __init__(self, *args: Any, organisations: list[tuple[int, str]], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["organisation"].choices = organisations  # type: ignore[attr-defined]


class SignForm(TextCheckedForm):
    level = forms.ChoiceField(
        label=_("Signature level"),
        choices=SignatureLevel.choices,
        initial=SignatureLevel.PADES_B_LTA,
    )


class ValidateForm(TextCheckedForm):
    pdf = forms.FileField(label=_("Signed PDF document"))


class ClientForm(TextCheckedForm):
    client_id = forms.CharField(label=_("Client id"), max_length=200)
    name = forms.CharField(label=_("Name"), max_length=200)
    redirect_uris = forms.CharField(
        label=_("Redirect URIs"),
        widget=forms.Textarea(attrs={"rows": 2}),
        help_text=_("One per line; matched exactly."),
    )
    jwks = forms.CharField(
        label=_("Public keys (JWK set, JSON)"),
        widget=forms.Textarea(attrs={"rows": 5}),
        help_text=_("The client authenticates with private_key_jwt signed by one of these keys."),
    )
