"""Forms of the agency pages. They validate shape; the services enforce the rules."""

from __future__ import annotations

from typing import Any

from django import forms
from django.utils.translation import gettext_lazy as _

from samdrift.core.text import TextCheckedForm


class InviteForm(TextCheckedForm):
    email = forms.EmailField(label=_("E-mail address"), max_length=254)
    role = forms.ChoiceField(label=_("Role"))

    def __init__(self, *args: Any, roles: list[tuple[str, Any]], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["role"].choices = roles  # type: ignore[attr-defined]
        # The least a customer role grants, so an administrator's role is never a default.
        if "member" in dict(roles):
            self.fields["role"].initial = "member"
