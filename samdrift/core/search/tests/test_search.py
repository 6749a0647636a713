"""The index on the database the suite runs on (SQLite FTS5, or PostgreSQL when DATABASE_URL
names one): correctness, Swedish letters, tenancy inside the query, stable paging, safe input."""

from __future__ import annotations

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import translation

from samdrift.core.search.models import SearchEntry
from samdrift.core.search.query import EmptyQuery, parse_query
from samdrift.core.search.selectors import Visibility, search
from samdrift.core.search.services import change_visibility, index_entry, remove_entry

pytestmark = pytest.mark.django_db


def _doc(object_id, text, *, key="ws:1", org=1, title=None, kind="document"):
    return index_entry(
        kind=kind,
        object_id=object_id,
        visibility_key=key,
        owner_org_id=org,
        title=title or f"Dokument {object_id}",
        text=text,
        language="sv",
    )


def _ids(page):
    return [hit.object_id for hit in page.hits]


def test_finds_words_and_prefixes_with_swedish_letters():
    # given
    _doc(1, "Årsredovisningen för Försäkringskassan är klar.")
    _doc(2, "Arsredovisning utan prickar, far och mor.")
    _doc(3, "Vi får se vad som händer på ön.")
    everyone = Visibility.all()
    # then: å/ä/ö are letters of their own, case-folded, and not folded to a/o
    assert _ids(search(query="årsredovisningen", visible=everyone)) == ["1"]
    assert _ids(search(query="ÅRSREDOVISNINGEN", visible=everyone)) == ["1"]
    assert _ids(search(query="arsredovisning", visible=everyone)) == ["2"]
    assert _ids(search(query="får", visible=everyone)) == ["3"]
    assert _ids(search(query="far", visible=everyone)) == ["2"]
    assert _ids(search(query="ön", visible=everyone)) == ["3"]
    # a word of three letters or more also finds longer words that begin with it
    assert _ids(search(query="försäkr", visible=everyone)) == ["1"]
    assert _ids(search(query="händ", visible=everyone)) == ["3"]


def test_all_words_must_match_and_phrases_keep_order():
    _doc(1, "avtal om drift av e-post")
    _doc(2, "drift av avtal")
    _doc(3, "avtal")
    everyone = Visibility.all()
    assert sorted(_ids(search(query="avtal drift", visible=everyone))) == ["1", "2"]
    assert _ids(search(query='"avtal om drift"', visible=everyone)) == ["1"]
    assert _ids(search(query='"drift avtal"', visible=everyone)) == []


def test_title_weighs_more_than_text():
    _doc(1, "ett ord om budget bland många andra ord i en lång text", title="Protokoll")
    _doc(2, "en text om annat", title="Budget 2027")
    assert _ids(search(query="budget", visible=Visibility.all())) == ["2", "1"]


def test_tenancy_is_applied_inside_the_query_keys_orgs_and_subquery():
    # given: 30 documents of agency 2 rank above agency 1's only one
    for number in range(30):
        _doc(100 + number, "sekretess " * 5, key="ws:2", org=2)
    _doc(1, "sekretess", key="ws:1", org=1)
    # when / then: the visible page is full of what the caller may see, not emptied by filtering
    assert _ids(search(query="sekretess", visible=Visibility(keys=["ws:1"]), limit=5)) == ["1"]
    assert _ids(search(query="sekretess", visible=Visibility(org_ids=[1]), limit=5)) == ["1"]
    keys = SearchEntry.objects.filter(owner_org_id=1).values("visibility_key")
    assert _ids(search(query="sekretess", visible=Visibility(keys=keys))) == ["1"]
    # nothing visible: nothing found, and no query run at all
    with CaptureQueriesContext(connection) as queries:
        page = search(query="sekretess", visible=Visibility(keys=[]))
    assert page.hits == []
    assert len(queries) == 0
    assert search(query="sekretess", visible=Visibility()).hits == []


def test_kinds_filter():
    _doc(1, "incident i nätet", kind="document")
    _doc(1, "incident i nätet", kind="incident")
    page = search(query="incident", visible=Visibility.all(), kinds=["incident"])
    assert [(hit.kind, hit.object_id) for hit in page.hits] == [("incident", "1")]


def test_paging_is_stable_and_complete():
    for number in range(25):
        _doc(f"{number:03d}", "samma text om samma sak")  # every score ties
    seen = []
    offset = 0
    while True:
        page = search(query="samma", visible=Visibility.all(), limit=10, offset=offset)
        seen += _ids(page)
        if not page.has_next:
            break
        offset += 10
    assert seen == [f"{number:03d}" for number in range(25)]
    assert search(query="samma", visible=Visibility.all(), limit=10, offset=0).has_next is True


def test_snippets_are_escaped_and_mark_the_hits():
    _doc(1, 'Före <script>alert("x")</script> och efter: avgiften för & tjänsten höjs')
    hit = search(query="avgiften", visible=Visibility.all()).hits[0]
    assert "<mark>avgiften</mark>" in hit.snippet
    assert "<script>" not in hit.snippet
    assert "alert(&quot;x&quot;)" in hit.snippet  # PostgreSQL's headline drops the tags
    assert "&amp;" in hit.snippet


def test_marker_characters_in_a_document_are_not_taken_for_hits():
    _doc(1, "text \ue000inte en träff\ue001 och ordet")
    hit = search(query="ordet", visible=Visibility.all()).hits[0]
    assert hit.snippet.count("<mark>") == 1


@pytest.mark.parametrize(
    "raw",
    [
        "'; DROP TABLE search_searchentry; --",
        'avtal" OR "1"="1',
        "avtal* NEAR(drift) NOT title:x ^y {a b}",
        "avtal & !drift | (x <-> y):*",
        r"avt.*al[a-z]+ \d{3} $^",
        "a" * 10_000,
        "avtal " * 2_000,
    ],
)
def test_hostile_input_is_only_words(raw):
    _doc(1, "avtal om drift")
    page = search(query=raw, visible=Visibility.all())  # no error from the engine
    assert SearchEntry.objects.filter(object_id="1").exists()
    assert page.hits == [] or _ids(page) == ["1"]


def test_operators_are_not_operators():
    _doc(1, "avtal om drift")
    _doc(2, "avtal")
    # NOT and OR are words here, not operators of FTS5 or to_tsquery
    assert _ids(search(query="avtal NOT drift", visible=Visibility.all())) == []
    assert _ids(search(query="avtal -drift", visible=Visibility.all())) == ["1"]


@pytest.mark.parametrize("raw", ["", "   ", None, "!!! ??? *** \"\" ''", "-- ; ()"])
def test_empty_query_is_a_clear_error_in_both_languages(raw):
    with pytest.raises(EmptyQuery) as caught:
        search(query=raw, visible=Visibility.all())
    assert caught.value.code == "empty_query"
    with translation.override("sv"):
        assert str(caught.value) == "Skriv minst ett ord att söka efter."
    with translation.override("en"):
        assert str(caught.value) == "Type at least one word to search for."


def test_parse_caps_terms_and_length():
    parsed = parse_query(" ".join(f"ord{number}" for number in range(100)))
    assert len(parsed.terms) == 12
    assert parse_query("x" * 10_000).words == ("x" * 64,)


def test_query_count_is_one_whatever_the_number_of_documents():
    counts = []
    for total in (5, 200):
        SearchEntry.objects.all().delete()
        for number in range(total):
            _doc(number, f"gemensamt ord nummer {number}", key=f"ws:{number % 3}")
        with CaptureQueriesContext(connection) as queries:
            page = search(query="gemensamt", visible=Visibility(keys=["ws:0", "ws:1"]), limit=20)
        counts.append(len(queries))
        assert len(page.hits) == min(20, len([n for n in range(total) if n % 3 != 2]))
    assert counts == [1, 1]


def test_reindex_remove_and_move():
    _doc(1, "gammal text")
    _doc(1, "ny text")
    assert SearchEntry.objects.count() == 1
    assert _ids(search(query="gammal", visible=Visibility.all())) == []
    assert _ids(search(query="ny", visible=Visibility.all())) == ["1"]
    assert change_visibility(kind="document", object_id=1, visibility_key="ws:9", owner_org_id=9)
    assert _ids(search(query="ny", visible=Visibility(keys=["ws:1"]))) == []
    assert _ids(search(query="ny", visible=Visibility(keys=["ws:9"]))) == ["1"]
    assert remove_entry(kind="document", object_id=1) is True
    assert remove_entry(kind="document", object_id=1) is False
    assert _ids(search(query="ny", visible=Visibility.all())) == []
