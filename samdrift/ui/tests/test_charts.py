"""The shared SVG charts: well-formed, named for assistive technology, one bar per value, signed
values on the right side of the axis, text escaped; and the pages that use them."""

from __future__ import annotations

import re
import xml.etree.ElementTree as ET

import pytest
from django.utils import timezone, translation

from samdrift.accounts.selectors import actor_for_user
from samdrift.billing.charts import recovery_chart
from samdrift.core.charts import (
    BACKGROUND,
    MIN_GRAPHIC_CONTRAST,
    PALETTE,
    Series,
    bar_chart,
    column_chart,
    contrast_ratio,
)
from samdrift.onboarding.charts import demand_chart
from samdrift.onboarding.selectors import demand_report
from samdrift.tests.factories import ServiceFactory, ServiceRequestFactory

SVG = "{http://www.w3.org/2000/svg}"
NASTY = 'R&D <"Säker"> tjänst'


def _parse(markup: str) -> ET.Element:
    root = ET.fromstring(markup)  # noqa: S314 - our own markup, not untrusted input
    assert root.tag == f"{SVG}svg"
    return root


def _ids(root: ET.Element) -> list[str]:
    return [el.get("id", "") for el in root.iter() if el.get("id")]


def _by_id(root: ET.Element, element_id: str) -> ET.Element:
    matches = [el for el in root.iter() if el.get("id") == element_id]
    assert len(matches) == 1, element_id
    return matches[0]


def _bars(root: ET.Element) -> list[ET.Element]:
    return [el for el in root.iter(f"{SVG}rect") if el.get("class") == "bar"]


def _axis(root: ET.Element) -> ET.Element:
    lines = list(root.iter(f"{SVG}line"))
    assert len(lines) == 1
    return lines[0]


def _texts(root: ET.Element) -> list[str]:
    return [el.text or "" for el in root.iter(f"{SVG}text")]


def _bar_chart(**overrides: object) -> ET.Element:
    arguments: dict[str, object] = {
        "title": "Demand",
        "description": "EFOS: 5 asked, 4 connected",
        "categories": ["EFOS", NASTY, "SAFOS"],
        "series": [Series("Asked", [5, 3, 0]), Series("Connected", [4, -2, 0])],
    }
    return _parse(bar_chart(**(arguments | overrides)))  # type: ignore[arg-type]


def _column_chart(**overrides: object) -> ET.Element:
    arguments: dict[str, object] = {
        "title": "Accumulated result",
        "description": "2020: 1.5; 2021: -0.8; 2022: 0",
        "categories": ["2020", "2021", "2022"],
        "series": [Series("Result", [15, -8, 0], negative_colour="#a4262c")],
    }
    return _parse(column_chart(**(arguments | overrides)))  # type: ignore[arg-type]


@pytest.mark.parametrize("make", [_bar_chart, _column_chart])
def test_chart_is_an_image_named_by_its_title_and_description(make):
    root = make(chart_id="sales")
    assert root.get("role") == "img"
    assert root.get("id") == "sales"
    labelled_by = root.get("aria-labelledby", "").split()
    assert labelled_by == ["sales-title", "sales-desc"]
    title, desc = (_by_id(root, element_id) for element_id in labelled_by)
    assert title.tag == f"{SVG}title" and desc.tag == f"{SVG}desc"
    assert title.text in ("Demand", "Accumulated result")
    assert desc.text in ("EFOS: 5 asked, 4 connected", "2020: 1.5; 2021: -0.8; 2022: 0")
    # The title comes first: it is what a PDF writer takes as the figure's alternative text.
    assert next(iter(root)) is title


def test_without_a_description_the_title_alone_names_the_chart():
    root = _bar_chart(chart_id="report", description="")
    assert root.get("aria-labelledby") == "report-title"
    assert root.find(f"{SVG}desc") is None


def test_two_charts_on_one_page_never_share_an_id():
    page = (
        f"<div>{bar_chart(title='a', description='b', categories=['x'], series=[Series('s', [1])])}"
    )
    page += f"{column_chart(title='a', description='b', categories=['x'], series=[Series('s', [1])])}</div>"
    root = ET.fromstring(page)  # noqa: S314 - our own markup, not untrusted input
    ids = _ids(root)
    assert len(ids) == 6  # svg, title, desc per chart
    assert len(set(ids)) == len(ids)
    for svg in root:
        for referenced in svg.get("aria-labelledby", "").split():
            assert referenced in _ids(svg)


def test_an_id_that_is_not_a_plain_name_is_refused():
    with pytest.raises(ValueError, match="chart id"):
        _bar_chart(chart_id='x" onload="alert(1)')


def test_bar_chart_draws_one_bar_per_value_and_prints_it():
    root = _bar_chart()
    bars = _bars(root)
    assert len(bars) == 3 * 2  # categories × series
    texts = _texts(root)
    for value in ("5", "3", "0", "4", "-2"):
        assert value in texts
    # Longer value, longer bar; the same scale for both series.
    widths = [float(bar.get("width", "")) for bar in bars]
    assert widths[0] > widths[2] > widths[3] > 0  # 5 > 4 > 2 (asked EFOS, connected EFOS, |−2|)
    assert widths[4] == widths[5] == 0


def test_bar_chart_draws_negative_values_left_of_the_axis():
    root = _bar_chart()
    axis_x = float(_axis(root).get("x1", ""))
    bars = _bars(root)
    negative = bars[3]  # connected, second category: -2
    assert float(negative.get("x", "")) + float(negative.get("width", "")) == pytest.approx(
        axis_x, abs=0.1
    )
    assert float(negative.get("x", "")) < axis_x
    for positive in (bars[0], bars[1], bars[2]):
        assert float(positive.get("x", "")) == pytest.approx(axis_x, abs=0.1)


def test_column_chart_draws_negative_values_below_the_axis():
    root = _column_chart()
    zero_y = float(_axis(root).get("y1", ""))
    above, below, nothing = _bars(root)
    assert float(above.get("y", "")) + float(above.get("height", "")) == pytest.approx(
        zero_y, abs=0.1
    )
    assert float(above.get("y", "")) < zero_y
    assert float(below.get("y", "")) == pytest.approx(zero_y, abs=0.1)
    assert float(below.get("height", "")) > 0
    assert float(nothing.get("height", "")) == 0
    assert below.get("fill") == "#a4262c" and above.get("fill") == PALETTE[0]
    # With values below zero the axis is marked 0, and every value is printed.
    assert {"0", "15", "-8"} <= set(_texts(root))


def test_column_chart_without_negative_values_stands_on_the_bottom_axis():
    root = _column_chart(series=[Series("Result", [15, 8, 3])])
    zero_y = float(_axis(root).get("y1", ""))
    for bar in _bars(root):
        assert float(bar.get("y", "")) + float(bar.get("height", "")) == pytest.approx(
            zero_y, abs=0.1
        )
    assert "0" not in _texts(root)


def test_stacked_columns_pile_segments_and_print_each_total():
    root = _column_chart(
        stacked=True,
        series=[Series("Single", [1, 2, -1]), Series("Total", [3, 0, -2])],
    )
    bars = _bars(root)
    assert len(bars) == 3 * 2
    first, second = bars[0], bars[1]  # category 2020: 1 then 3 on top of it
    assert float(second.get("y", "")) + float(second.get("height", "")) == pytest.approx(
        float(first.get("y", "")), abs=0.1
    )
    zero_y = float(_axis(root).get("y1", ""))
    assert float(bars[4].get("y", "")) == pytest.approx(zero_y, abs=0.1)  # -1 hangs from zero
    assert float(bars[5].get("y", "")) == pytest.approx(  # -2 hangs below -1
        float(bars[4].get("y", "")) + float(bars[4].get("height", "")), abs=0.1
    )
    texts = _texts(root)
    assert {"4", "2", "-3"} <= set(texts)  # the totals
    assert [el.text for el in root.iter(f"{SVG}text") if el.get("font-weight") == "bold"]


def test_legend_names_each_series_only_when_there_are_several():
    several = _bar_chart()
    assert len([r for r in several.iter(f"{SVG}rect") if r.get("class") == "swatch"]) == 2
    assert {"Asked", "Connected"} <= set(_texts(several))
    single = _column_chart()
    assert not [r for r in single.iter(f"{SVG}rect") if r.get("class") == "swatch"]


def test_names_with_markup_characters_are_escaped():
    markup = bar_chart(
        title="Tjänster <b>&</b>",
        description='Värden för "R&D"',
        categories=["EFOS", NASTY, "SAFOS"],
        series=[Series("A <i>", [5, 3, 0]), Series("B & C", [4, 2, 0])],
        chart_id="escaped",
    )
    assert "<b>" not in markup and "<i>" not in markup
    root = _parse(markup)  # well-formed despite the names
    assert _by_id(root, "escaped-title").text == "Tjänster <b>&</b>"
    assert _by_id(root, "escaped-desc").text == 'Värden för "R&D"'
    texts = _texts(root)
    assert NASTY in texts and "A <i>" in texts and "B & C" in texts


def test_series_colours_must_stand_out_from_the_background():
    for colour in PALETTE:
        assert contrast_ratio(colour, BACKGROUND) >= MIN_GRAPHIC_CONTRAST
    assert contrast_ratio("#000000", "#ffffff") == pytest.approx(21)
    with pytest.raises(ValueError, match=r"1\.4\.11"):
        Series("pale", [1], colour="#cccccc")
    with pytest.raises(ValueError, match=r"1\.4\.11"):
        Series("pale", [1], negative_colour="#ff9999")
    with pytest.raises(ValueError, match="#rrggbb"):
        Series("named", [1], colour="red")


def test_series_must_have_one_value_per_category():
    with pytest.raises(ValueError, match="2 values for 3 categories"):
        _bar_chart(series=[Series("Asked", [1, 2])])


def test_recovery_chart_shows_msek_per_year_with_deficits_below_zero():
    root = _parse(recovery_chart([(2020, 150_000_000), (2021, -80_000_000)]))
    assert root.get("aria-labelledby") == "recovery-chart-title recovery-chart-desc"
    assert _by_id(root, "recovery-chart-desc").text == "2020: 1.5; 2021: -0.8"
    zero_y = float(_axis(root).get("y1", ""))
    surplus, deficit = _bars(root)
    assert float(surplus.get("y", "")) < zero_y
    assert float(deficit.get("y", "")) == pytest.approx(zero_y, abs=0.1)
    assert {"1.5", "-0.8", "2020", "2021"} <= set(_texts(root))
    assert recovery_chart([]) == ""


@pytest.mark.django_db
def test_demand_chart_draws_the_demand_report(provider_admin, agency):
    year = timezone.localdate().year
    service = ServiceFactory(code="SDK", name_sv=NASTY, name_en=NASTY)
    ServiceRequestFactory(organisation=agency, service=service)
    report = demand_report(actor=actor_for_user(provider_admin), year=year, basis=None)
    with translation.override("en"):
        root = _parse(demand_chart(report))
    assert root.get("aria-labelledby") == "demand-chart-title demand-chart-desc"
    assert _by_id(root, "demand-chart-title").text == f"Demand and connections per service, {year}"
    row = next(r for r in report.rows if r.service == service)
    assert f"{NASTY}: {row.requested} asked, {row.connected} connected" in (
        _by_id(root, "demand-chart-desc").text or ""
    )
    assert len(_bars(root)) == 2 * len(report.rows)


@pytest.mark.django_db
@pytest.mark.parametrize("url", ["/overview/", "/connections/demand/?year=2021&basis=all"])
def test_dashboard_and_demand_page_show_the_chart_next_to_its_table(
    provider_admin, agency, client_for, url
):
    service = ServiceFactory(code="SDK", name_sv=NASTY, name_en=NASTY)
    ServiceRequestFactory(organisation=agency, service=service)
    response = client_for(provider_admin).get(url, HTTP_ACCEPT_LANGUAGE="en")
    assert response.status_code == 200
    html = response.content.decode()
    charts = re.findall(r"<svg\b.*?</svg>", html, flags=re.S)
    assert len(charts) == 1
    root = _parse(charts[0])
    assert root.get("aria-labelledby") == "demand-chart-title demand-chart-desc"
    assert NASTY in _texts(root)
    page_ids = re.findall(r'\bid="([^"]+)"', html)
    assert len(page_ids) == len(set(page_ids))
    # The same figures are in a table right before or after the figure.
    assert re.search(
        r"</svg>\s*<figcaption>[^<]*</figcaption>\s*</figure>\s*<div class=\"table-wrap\">\s*<table>"
        r"|</table>\s*</div>\s*<figure class=\"chart\"><svg",
        html,
    )
