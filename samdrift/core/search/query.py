"""User input to a safe full-text query (ADR 0082).

Whatever is typed — quotes, SQL, regex or FTS operators, 10,000 characters — becomes a list of
plain word terms and quoted phrases of word characters only, capped in length and number. The
terms are then written in each engine's own syntax by the engine (`backends`), always as one
bound parameter: nothing the user typed reaches SQL or the FTS grammar as an operator.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from django.utils.translation import gettext_lazy as _

from samdrift.core.exceptions import ValidationFailed

MAX_INPUT_CHARS = 500  # what is read of the input; the rest is ignored, not an error
MAX_TERMS = 12
MAX_TERM_CHARS = 64
MARK_START = "\ue000"  # private-use characters marking a hit in a snippet; never indexed
MARK_END = "\ue001"
PREFIX_FROM = 3  # a term this long or longer also matches words that begin with it

EMPTY_QUERY = _("Type at least one word to search for.")

_WORD = re.compile(r"[^\W_]+", re.UNICODE)  # letters and digits; `_` separates like FTS5 does
_PHRASE = re.compile(r'"([^"]*)"')


class EmptyQuery(ValidationFailed):
    code = "empty_query"

    def __init__(self) -> None:
        super().__init__(EMPTY_QUERY, errors={"q": [str(EMPTY_QUERY)]})


@dataclass(frozen=True)
class Term:
    """One word, or a phrase of several words that must follow each other."""

    words: tuple[str, ...]

    @property
    def prefix(self) -> bool:
        """Only the last word of a lone word is matched as a prefix ("avta" finds "avtal")."""
        return len(self.words) == 1 and len(self.words[0]) >= PREFIX_FROM


@dataclass(frozen=True)
class ParsedQuery:
    terms: tuple[Term, ...]

    @property
    def words(self) -> tuple[str, ...]:
        return tuple(word for term in self.terms for word in term.words)


def _words(text: str) -> list[str]:
    return [word[:MAX_TERM_CHARS].lower() for word in _WORD.findall(text)]


def parse_query(raw: str | None) -> ParsedQuery:
    """Terms in order of appearance, duplicates dropped; `EmptyQuery` if no word is left."""
    text = (raw or "")[:MAX_INPUT_CHARS]
    terms: list[Term] = []
    seen: set[tuple[str, ...]] = set()
    position = 0
    pieces: list[tuple[str, bool]] = []
    for match in _PHRASE.finditer(text):
        pieces.append((text[position : match.start()], False))
        pieces.append((match.group(1), True))
        position = match.end()
    pieces.append((text[position:], False))
    for piece, is_phrase in pieces:
        words = _words(piece)
        groups = [tuple(words)] if is_phrase and len(words) > 1 else [(word,) for word in words]
        for group in groups:
            if group and group not in seen:
                seen.add(group)
                terms.append(Term(group))
    if not terms:
        raise EmptyQuery()
    return ParsedQuery(tuple(terms[:MAX_TERMS]))


def fts5_match(query: ParsedQuery) -> str:
    """FTS5 MATCH syntax: every term a double-quoted string (only word characters inside, so no
    quote to escape), prefixed terms with `*`, terms joined by implicit AND."""
    parts = []
    for term in query.terms:
        quoted = '"' + " ".join(term.words) + '"'
        parts.append(quoted + ("*" if term.prefix else ""))
    return " ".join(parts)


def tsquery(query: ParsedQuery) -> str:
    """`to_tsquery` syntax: each word single-quoted (word characters only), phrases with `<->`,
    prefixes with `:*`, terms joined by `&`."""
    parts = []
    for term in query.terms:
        words = [f"'{word}'" for word in term.words]
        if len(words) > 1:
            parts.append("(" + " <-> ".join(words) + ")")
        else:
            parts.append(words[0] + (":*" if term.prefix else ""))
    return " & ".join(parts)
