"""Domain errors, mapped once to HTTP by the page and API layers.

Every message is a lazy translation so the user reads it in their own language.
"""

from __future__ import annotations

from typing import Any


class DomainError(Exception):
    """Base of all rule violations a user can cause; carries a stable code."""

    code = "error"
    http_status = 400

    def __init__(self, message: Any, *, code: str | None = None, **params: Any) -> None:
        self.message = message
        self.params = params
        if code:
            self.code = code
        super().__init__(str(message))

    def __str__(self) -> str:
        text = str(self.message)
        return text % self.params if self.params else text


class NotFound(DomainError):
    """Missing and forbidden look the same from outside (tenancy rule)."""

    code = "not_found"
    http_status = 404

    def __init__(self, message: Any = None, *, code: str | None = None, **params: Any) -> None:
        # Selectors name what is missing with a plain word ("case"); the user reads one sentence
        # whatever is missing, so a 404 tells nothing about other agencies' data.
        from django.utils.translation import gettext_lazy as _

        self.what = message if isinstance(message, str) else ""
        if message is None or isinstance(message, str):
            message = _("Not found: it does not exist or is not yours to see.")
        super().__init__(message, code=code, **params)


class PermissionDenied(DomainError):
    """The actor can see the object but may not do this to it."""

    code = "forbidden"
    http_status = 403


class BusinessRuleViolation(DomainError):
    """The request is well formed but breaks a rule of the domain."""

    code = "rule_violation"
    http_status = 409


class ValidationFailed(DomainError):
    """The input is malformed; `errors` maps field names to messages."""

    code = "invalid"
    http_status = 422

    def __init__(
        self, message: Any, *, errors: dict[str, list[str]] | None = None, **params: Any
    ) -> None:
        # Params stay apart from the lazy message so it can be rendered in each language.
        super().__init__(message, **params)
        self.errors = errors or {}


class ConcurrentUpdate(BusinessRuleViolation):
    """Someone else changed the object first; the loser is told and nothing is written."""

    code = "concurrent_update"


def field_refusal(field: str, message: Any, **params: Any) -> ValidationFailed:
    """A refusal of one field: the message (with its parameters) as that field's error too."""
    text = str(message) % params if params else str(message)
    return ValidationFailed(message, errors={field: [text]}, **params)


def error_text(error: DomainError) -> str:
    """A refusal as one line for a page's message: the field messages when there are any."""
    if isinstance(error, ValidationFailed) and error.errors:
        return " ".join(text for texts in error.errors.values() for text in texts)
    return str(error)


def errors_onto_form(form: Any, error: DomainError) -> None:
    """A service's refusal shown on the form that asked for it: each message on its field (or on
    the form when the form has no such field), else the refusal as the form's error."""
    if isinstance(error, ValidationFailed) and error.errors:
        for field, texts in error.errors.items():
            for text in texts:
                form.add_error(field if field in form.fields else None, text)
    else:
        form.add_error(None, str(error))


def submit_form(form: Any, call: Any) -> bool:
    """Run `call` (the service) for a valid form; a refusal lands on the form, a `NotFound`
    goes on to the page's 404. True when it ran."""
    if not form.is_valid():
        return False
    try:
        call()
    except NotFound:
        raise
    except DomainError as error:
        errors_onto_form(form, error)
        return False
    return True
