"""Searching within what the caller may see, in one query (ADRs 0081, 0083).

`search(query=..., visible=...)` has no default for `visible`: the caller's own selector says
what the person may see — a list of visibility keys or agency ids, or a subquery (a Django
queryset of one column) — and the kernel puts it in the WHERE clause of the full-text query. No
row the person may not see is ever read into Python, ranking and paging are over the visible
rows only, and the number of queries is one whatever the size of the index or the result.
"""

from __future__ import annotations

import html
import json
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from typing import Any

from django.db import connection
from django.db.models import QuerySet
from django.utils.safestring import SafeString, mark_safe

from .query import MARK_END, MARK_START, ParsedQuery, fts5_match, parse_query, tsquery

MAX_LIMIT = 100
SNIPPET_WORDS = 16
HEADLINE_CHARS = 100_000  # PostgreSQL highlights hits within the first 100,000 characters


@dataclass(frozen=True)
class Visibility:
    """What the caller may see: entries whose `visibility_key` is among `keys`, or whose
    `owner_org_id` is among `org_ids`. Each is a list or a one-column queryset (run as a subquery
    inside the search); `everything` is for the system and superusers only."""

    keys: Iterable[str] | QuerySet[Any] | None = None
    org_ids: Iterable[int] | QuerySet[Any] | None = None
    everything: bool = False

    @classmethod
    def all(cls) -> Visibility:
        return cls(everything=True)


@dataclass(frozen=True)
class SearchHit:
    kind: str
    object_id: str
    title: str
    snippet: SafeString  # HTML: escaped text with hits in <mark>
    score: float
    visibility_key: str
    owner_org_id: int | None
    language: str


@dataclass(frozen=True)
class SearchPage:
    hits: list[SearchHit]
    offset: int
    limit: int
    has_next: bool
    terms: tuple[str, ...] = field(default=())


def highlight(raw: str) -> SafeString:
    """Escape the snippet, then turn the engine's private-use markers into `<mark>` elements."""
    escaped = html.escape(raw, quote=True)
    marked = escaped.replace(MARK_START, "<mark>").replace(MARK_END, "</mark>")
    return mark_safe(marked)  # noqa: S308 (every character of the text was escaped above)


def _set_sql(column: str, values: Iterable[Any] | QuerySet[Any]) -> tuple[str, list[Any]] | None:
    if isinstance(values, QuerySet):
        sql, params = values.query.sql_with_params()
        return f"{column} IN ({sql})", list(params)
    items = list(values)
    if not items:
        return None
    if connection.vendor == "postgresql":
        return f"{column} = ANY(%s)", [items]
    # (column is one of ours; the values are one bound parameter)
    return f"{column} IN (SELECT value FROM json_each(%s))", [json.dumps(items)]  # noqa: S608


def _visibility_sql(visible: Visibility) -> tuple[str, list[Any]] | None:
    """None when nothing is visible (no query is run at all)."""
    if visible.everything:
        return "1 = 1", []
    clauses: list[str] = []
    params: list[Any] = []
    for column, values in (("e.visibility_key", visible.keys), ("e.owner_org_id", visible.org_ids)):
        if values is None:
            continue
        part = _set_sql(column, values)
        if part is not None:
            clauses.append(part[0])
            params.extend(part[1])
    if not clauses:
        return None
    return "(" + " OR ".join(clauses) + ")", params


def _kinds_sql(kinds: Sequence[str] | None) -> tuple[str, list[Any]]:
    if not kinds:
        return "", []
    return " AND e.kind IN (" + ", ".join(["%s"] * len(kinds)) + ")", list(kinds)


def _sqlite_sql(
    parsed: ParsedQuery, where: str, where_params: list[Any], limit: int, offset: int
) -> tuple[str, list[Any]]:
    sql = (
        "SELECT e.kind, e.object_id, e.title,"  # noqa: S608 (our clauses; values are bound)
        f" snippet(search_fts, 1, '{MARK_START}', '{MARK_END}', '…', {SNIPPET_WORDS}),"
        " bm25(search_fts, 5.0, 1.0) AS score, e.visibility_key, e.owner_org_id, e.language"
        " FROM search_fts JOIN search_searchentry e ON e.id = search_fts.rowid"
        f" WHERE search_fts MATCH %s AND {where}"
        " ORDER BY score, e.kind, e.object_id LIMIT %s OFFSET %s"
    )
    return sql, [fts5_match(parsed), *where_params, limit, offset]


def _postgres_sql(
    parsed: ParsedQuery, where: str, where_params: list[Any], limit: int, offset: int
) -> tuple[str, list[Any]]:
    options = f"StartSel={MARK_START}, StopSel={MARK_END}, MaxWords=24, MinWords=8, MaxFragments=2"
    sql = (
        "WITH q AS (SELECT to_tsquery('simple', %s) AS query),"  # noqa: S608 (as above)
        " ranked AS (SELECT e.id, ts_rank_cd(e.document, q.query) AS score"
        " FROM search_searchentry e, q"
        f" WHERE e.document @@ q.query AND {where}"
        " ORDER BY score DESC, e.kind, e.object_id LIMIT %s OFFSET %s)"
        " SELECT e.kind, e.object_id, e.title,"
        f" ts_headline('simple', left(e.body, {HEADLINE_CHARS}), q.query, %s),"
        " -r.score, e.visibility_key, e.owner_org_id, e.language"
        " FROM ranked r JOIN search_searchentry e ON e.id = r.id, q"
        " ORDER BY r.score DESC, e.kind, e.object_id"
    )
    return sql, [tsquery(parsed), *where_params, limit, offset, options]


def search(
    *,
    query: str | None,
    visible: Visibility,
    kinds: Sequence[str] | None = None,
    limit: int = 20,
    offset: int = 0,
) -> SearchPage:
    """One page of hits, best first (ties by kind and object id, so paging is stable).

    Raises `EmptyQuery` (422, both languages) when the input has no word in it. Higher `score`
    is better on both engines (SQLite's bm25 and PostgreSQL's ts_rank_cd are turned that way).
    """
    parsed = parse_query(query)
    limit = max(1, min(int(limit), MAX_LIMIT))
    offset = max(0, int(offset))
    visibility = _visibility_sql(visible)
    if visibility is None:
        return SearchPage(hits=[], offset=offset, limit=limit, has_next=False, terms=parsed.words)
    where, params = visibility
    kinds_where, kinds_params = _kinds_sql(kinds)
    where += kinds_where
    params += kinds_params
    build = _postgres_sql if connection.vendor == "postgresql" else _sqlite_sql
    # one row more than the page tells whether there is a next page, without counting them all
    sql, all_params = build(parsed, where, params, limit + 1, offset)
    with connection.cursor() as cursor:
        cursor.execute(sql, all_params)
        rows = cursor.fetchall()
    hits = [
        SearchHit(
            kind=row[0],
            object_id=row[1],
            title=row[2],
            snippet=highlight(row[3] or ""),
            score=-float(row[4]),
            visibility_key=row[5],
            owner_org_id=row[6],
            language=row[7],
        )
        for row in rows[:limit]
    ]
    return SearchPage(
        hits=hits, offset=offset, limit=limit, has_next=len(rows) > limit, terms=parsed.words
    )
