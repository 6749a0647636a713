from __future__ import annotations

import pytest

from samdrift.audit.models import AuditEvent
from samdrift.reporting.models import ReportText

pytestmark = pytest.mark.django_db

PAGES = [
    "/reports/",
    "/reports/government/2021/",
    "/reports/government/2021/pdf/",
    "/reports/government/2021/text/",
]


def test_report_page_shows_every_section(world, provider_admin, client_for):
    response = client_for(provider_admin).get(
        "/reports/government/2021/", HTTP_ACCEPT_LANGUAGE="en"
    )
    assert response.status_code == 200
    html = response.content.decode()
    for expected in (
        "chart-connections",
        "chart-services",
        "Domstolsverket",
        "Sjöfartsverket",
        'id="fn-1"',
        'id="fn-2"',
    ):
        assert expected in html
    assert 'href="/reports/government/2021/pdf/"' in html
    assert 'href="/reports/government/2021/text/"' in html


def test_account_manager_reads_but_gets_no_edit_link_and_403_on_the_form(
    world, account_manager, client_for
):
    client = client_for(account_manager)
    html = client.get("/reports/government/2021/").content.decode()
    assert "/reports/government/2021/text/" not in html
    assert client.get("/reports/government/2021/text/").status_code == 403
    assert client.post("/reports/government/2021/text/", {"summary_sv": "x"}).status_code == 403
    assert not ReportText.objects.exists()


def test_pdf_download(world, provider_admin, client_for):
    response = client_for(provider_admin).get("/reports/government/2021/pdf/")
    assert response.status_code == 200
    assert response["Content-Type"] == "application/pdf"
    assert "regeringsrapport-2021.pdf" in response["Content-Disposition"]
    assert response.content.startswith(b"%PDF-")
    export = AuditEvent.objects.get(action="read", object_type="reporting.governmentreport")
    assert (export.object_id, export.after["access"]) == ("2021", "export")


@pytest.mark.parametrize("url", PAGES)
@pytest.mark.parametrize(
    "fixture_name", ["agency_contact", "other_agency_contact", "agency_member"]
)
def test_customers_get_404_on_every_page(world, request, client_for, url, fixture_name):
    client = client_for(request.getfixturevalue(fixture_name))
    assert client.get(url).status_code == 404


def test_customer_post_to_the_form_is_404_and_writes_nothing(world, agency_contact, client_for):
    response = client_for(agency_contact).post(
        "/reports/government/2021/text/", {"summary_sv": "Kapad"}
    )
    assert response.status_code == 404
    assert not ReportText.objects.exists()


def test_anonymous_is_sent_to_login(client_for):
    response = client_for().get("/reports/government/2021/")
    assert response.status_code == 302 and "/accounts/" in response["Location"]


@pytest.mark.parametrize(
    "url",
    [
        "/reports/government/1999/",
        "/reports/government/1999/pdf/",
        "/reports/government/2200/text/",
    ],
)
def test_years_outside_the_range_are_404(provider_admin, client_for, url):
    assert client_for(provider_admin).get(url).status_code == 404


def test_edit_form_saves_and_redirects(world, provider_admin, client_for):
    client = client_for(provider_admin)
    assert client.get("/reports/government/2021/text/").status_code == 200
    data = {
        "summary_sv": "Sammanfattning.",
        "summary_en": "",
        "background_sv": "Bakgrund.",
        "background_en": "",
    }
    response = client.post("/reports/government/2021/text/", data)
    assert response.status_code == 302 and response["Location"] == "/reports/government/2021/"
    row = ReportText.objects.get(year=2021)
    assert (row.summary_sv, row.version) == ("Sammanfattning.", 1)
    page = client.get("/reports/government/2021/").content.decode()
    assert "Sammanfattning." in page


def test_edit_form_shows_errors_and_writes_nothing(world, provider_admin, client_for):
    client = client_for(provider_admin)
    response = client.post("/reports/government/2021/text/", {"summary_sv": "x" * 20_001})
    assert response.status_code == 200
    assert 'class="error-summary"' in response.content.decode()
    assert not ReportText.objects.exists()


def test_edit_form_refuses_a_stale_version(world, provider_admin, client_for):
    client = client_for(provider_admin)
    client.post("/reports/government/2021/text/", {"summary_sv": "Ett"})
    client.post("/reports/government/2021/text/", {"summary_sv": "Två", "version": "1"})
    response = client.post("/reports/government/2021/text/", {"summary_sv": "Tre", "version": "1"})
    assert response.status_code == 200 and 'class="error-summary"' in response.content.decode()
    assert ReportText.objects.get(year=2021).summary_sv == "Två"


def test_index_lists_the_years_with_links(world, provider_admin, client_for):
    from samdrift.accounts.selectors import actor_for_user
    from samdrift.reporting.services import report_text_save

    report_text_save(actor=actor_for_user(provider_admin), year=2019, texts={"summary_sv": "Text."})
    html = client_for(provider_admin).get("/reports/").content.decode()
    assert 'href="/reports/government/2019/"' in html
    from django.utils import timezone

    assert f'href="/reports/government/{timezone.localdate().year}/"' in html
