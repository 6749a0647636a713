"""A kind's subject and text in one language, from its plain-text templates."""

from __future__ import annotations

import functools
import re
from dataclasses import dataclass
from typing import Any

from django.conf import settings
from django.template import Context, Engine, Template
from django.utils import translation

SUBJECT_MAX = 300


@dataclass(frozen=True)
class Rendered:
    subject: str
    body: str


@functools.cache
def _engine() -> Engine:
    # Plain text for e-mail: no HTML escaping (an agency called "A & B" stays "A & B"); the inbox
    # page escapes the stored text when it shows it.
    return Engine(app_dirs=True, autoescape=False)


@functools.cache
def _template(kind: str, part: str, language: str) -> Template:
    return _engine().get_template(f"notifications/kinds/{kind}/{part}.{language}.txt")


def render(kind: str, language: str, context: dict[str, Any]) -> Rendered:
    """Missing templates fail loudly (TemplateDoesNotExist): a kind without its texts is a bug."""
    with translation.override(language):
        subject = str(_template(kind, "subject", language).render(Context(context)))
        body = str(_template(kind, "body", language).render(Context(context)))
    # One line (a header cannot hold a newline) and at most what the column holds.
    one_line = re.sub(r"\s+", " ", subject).strip()[:SUBJECT_MAX]
    return Rendered(subject=one_line, body=body.strip() + "\n")


def absolute(link: str) -> str:
    """E-mail needs a whole address; the inbox keeps the path."""
    if not link or "://" in link:
        return link
    return settings.SAMDRIFT_BASE_URL.rstrip("/") + link
