"""Dates and numbers in Swedish formats in Swedish and English formats in English (ADR 0709)."""

from __future__ import annotations

import datetime
from typing import Any

import pytest
from django.conf import settings
from django.template import Context, Template
from django.test import Client
from django.utils import formats, translation

from tests.api.support import checklist_templates, open_case

pytestmark = pytest.mark.django_db

DAY = datetime.date(2026, 2, 4)
MOMENT = datetime.datetime(2026, 2, 4, 14, 5, tzinfo=datetime.UTC)


@pytest.mark.parametrize(
    ("language", "short_date", "long_date", "short_datetime", "number"),
    [
        ("sv", "2026-02-04", "4 februari 2026", "2026-02-04 14:05", "1\xa0234\xa0567,5"),
        ("en", "4 Feb 2026", "4 February 2026", "4 Feb 2026, 14:05", "1,234,567.5"),
    ],
)
def test_formats_per_language(language, short_date, long_date, short_datetime, number):
    with translation.override(language):
        assert formats.date_format(DAY, "SHORT_DATE_FORMAT") == short_date
        assert formats.date_format(DAY) == long_date
        assert formats.date_format(MOMENT, "SHORT_DATETIME_FORMAT") == short_datetime
        assert formats.number_format(1234567.5, decimal_pos=1, force_grouping=True) == number
        rendered = Template("{% load humanize %}{{ n|intcomma }} {{ f }}").render(
            Context({"n": 1234567, "f": 2.5})
        )
        assert rendered == f"{number[:-2]} {'2,5' if language == 'sv' else '2.5'}"


def _page(user: Any, path: str, language: str) -> str:
    client = Client()
    client.cookies[settings.LANGUAGE_COOKIE_NAME] = language
    client.force_login(user)
    return client.get(path).content.decode()


def test_pages_show_dates_in_the_readers_language(agency_contact, agency):
    checklist_templates()
    case = open_case(agency.id, [], scope="total", opened_on=DAY)
    assert "<td>2026-02-04</td>" in _page(agency_contact, "/connections/", "sv")
    assert "<td>4 Feb 2026</td>" in _page(agency_contact, "/connections/", "en")
    detail = _page(agency_contact, f"/connections/{case.pk}/", "en")
    assert "4 Feb 2026" in detail  # the lead times and the history's dates
