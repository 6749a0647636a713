"""Every text field of every form refuses control characters (issue 19 item 3, ADR 0070).

The walk finds every `forms.Form` of samdrift (each app's forms modules and whatever the URL
configuration imports), so a new form that does not derive from `TextCheckedForm`, or a text
field it does not check, fails here.
"""

from __future__ import annotations

import importlib
import pkgutil
from typing import Any

import pytest
from django import forms

import samdrift
from samdrift.core.text import TextCheckedForm

ESC = "a\u001bb"


def _all_forms() -> list[type[forms.Form]]:
    importlib.import_module("config.urls")
    for module in pkgutil.walk_packages(samdrift.__path__, "samdrift."):
        if module.name.rsplit(".", 1)[-1] == "forms" and ".tests" not in module.name:
            importlib.import_module(module.name)
    found: list[type[forms.Form]] = []
    pending: list[type[Any]] = [forms.Form]
    while pending:
        cls = pending.pop()
        for sub in cls.__subclasses__():
            pending.append(sub)
            if sub.__module__.startswith("samdrift.") and ".tests" not in sub.__module__:
                found.append(sub)
    return sorted(set(found), key=lambda c: f"{c.__module__}.{c.__qualname__}")


FORMS = _all_forms()


def test_the_walk_finds_the_forms():
    assert len(FORMS) > 30


@pytest.mark.parametrize("form_class", FORMS, ids=lambda c: f"{c.__module__}.{c.__qualname__}")
def test_every_form_checks_its_text(form_class):
    assert issubclass(form_class, TextCheckedForm) or form_class is TextCheckedForm


def _bound(form_class: type[forms.Form], data: dict[str, str]) -> forms.Form:
    try:
        return form_class(data=data)
    except TypeError:  # a form that needs its context (choices, a user): bind its own fields
        form = form_class.__new__(form_class)
        forms.Form.__init__(form, data=data)
        return form


@pytest.mark.django_db
@pytest.mark.parametrize("form_class", FORMS, ids=lambda c: f"{c.__module__}.{c.__qualname__}")
def test_every_text_field_refuses_esc(form_class):
    texts = [
        (name, field)
        for name, field in form_class.base_fields.items()
        if isinstance(field, forms.CharField)
    ]
    for name, field in texts:
        form = _bound(form_class, {name: ESC})
        form.is_valid()
        assert name in form.errors, f"{form_class.__qualname__}.{name} took ESC"
        if isinstance(field.widget, forms.Textarea):
            ok = _bound(form_class, {name: "rad 1\r\nrad 2\tslut"})
            ok.is_valid()
            assert "control_characters" not in {
                e.code for e in ok.errors.as_data().get(name, [])
            }, f"{form_class.__qualname__}.{name} refused a newline"
