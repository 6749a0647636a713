"""Messages in both of our languages, for places without a user language (CLI, API bodies)."""

from __future__ import annotations

from typing import Any

from django.utils import translation


def in_both_languages(message: Any, params: dict[str, Any] | None = None) -> dict[str, str]:
    """Render a lazy message once in Swedish and once in English."""
    rendered = {}
    for language in ("sv", "en"):
        with translation.override(language):
            text = str(message)
            rendered[language] = text % params if params else text
    return rendered


def bilingual_line(message: Any, params: dict[str, Any] | None = None) -> str:
    both = in_both_languages(message, params)
    return both["sv"] if both["sv"] == both["en"] else f"{both['sv']} / {both['en']}"


def page_language() -> str:
    """The request's interface language as one of ours ("sv" unless English): what a document
    made for the page (a PDF, a report) is written in, so the document and its frame never mix."""
    return "en" if (translation.get_language() or "sv").startswith("en") else "sv"
