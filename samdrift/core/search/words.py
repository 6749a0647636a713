"""Words for the site-wide search's plain lookups (ADR 0702).

The search box's text is reduced to words by the same parser as the full-text index
(`query.parse_query`, ADR 0082): no quote, SQL, LIKE wildcard (`%`, `_`, `\\`), regex or
control character survives as anything but a separator. Apps search their own tables for those
words with `all_words`: every word must match one of the fields (Django escapes the LIKE
pattern and binds it as a parameter).
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence

from django.db.models import Q

from .query import parse_query


def search_words(raw: str | None) -> tuple[str, ...]:
    """The query's words, lowercased, duplicates dropped, at most 12 of at most 64 characters;
    `EmptyQuery` (422, in Swedish and English) when no word is left."""
    words: list[str] = []
    for word in parse_query(raw).words:
        if word not in words:
            words.append(word)
    return tuple(words)


def all_words(words: Sequence[str], fields: Iterable[str], lookup: str = "icontains") -> Q:
    """Every word in at least one of the fields."""
    names = list(fields)
    condition = Q()
    for word in words:
        either = Q()
        for name in names:
            either |= Q(**{f"{name}__{lookup}": word})
        condition &= either
    return condition


def or_number(word: str, condition: Q, field: str = "id") -> Q:
    """`condition`, or the object with that number when the word is a whole number (an id typed
    into the box), bounded to a database integer."""
    if word.isdigit() and len(word) <= 9:
        return condition | Q(**{field: int(word)})
    return condition
