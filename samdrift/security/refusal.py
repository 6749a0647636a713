"""The one refusal of an imported file (ADR 0951): a `ValidationFailed` whose message names the
problem in Swedish and English; nothing of the file is stored."""

from __future__ import annotations

from typing import Any

from samdrift.core.exceptions import ValidationFailed


class ReportRefused(ValidationFailed):
    """The file is not a report samdrift can import; nothing of it is stored."""


def refuse(message: Any, **params: Any) -> ReportRefused:
    text_ = str(message) % params if params else str(message)
    return ReportRefused(message, errors={"file": [text_]}, **params)


def text(value: Any, limit: int) -> str:
    return str(value or "").strip()[:limit]
