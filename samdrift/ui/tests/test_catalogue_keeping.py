"""The catalogue pages for keeping it (ADR 0220): forms with field errors in Swedish and English,
the lifecycle and dependency forms, the dependency graph (SVG and its table), and the CLI."""

from __future__ import annotations

import datetime
import io
from xml.etree import ElementTree

import pytest
from django.core.management import call_command
from django.core.management.base import CommandError
from django.utils import timezone

from samdrift.audit.models import AuditEvent
from samdrift.catalogue.models import Service, ServiceDependency
from samdrift.identity.selectors import required_rank_for_service
from samdrift.tests.factories import CategoryFactory, ServiceFactory, SubscriptionFactory

pytestmark = pytest.mark.django_db

FORM = {
    "code": "LAGRING",
    "name_sv": "Lagring",
    "name_en": "Storage",
    "category": "infrastructure",
    "availability_target": "99.7",
    "support_hours": "24x7",
    "rto_hours": "8",
    "rpo_hours": "2",
    "display_order": "100",
    "min_rank": "3",
}


@pytest.fixture
def manager(client_for, service_manager, provider):
    CategoryFactory()
    return client_for(service_manager)


def test_a_manager_creates_a_service_from_the_page(manager, provider):
    page = manager.get("/catalogue/new/")
    assert page.status_code == 200 and 'name="availability_target"' in page.content.decode()
    response = manager.post("/catalogue/new/", {**FORM, "provider": provider.id})
    assert response.status_code == 302 and response["Location"] == "/catalogue/LAGRING/"
    service = Service.objects.get(code="LAGRING")
    assert service.lifecycle == "draft" and required_rank_for_service(service_id=service.id) == 3


@pytest.mark.parametrize(
    ("language", "message"),
    [
        ("sv", "Kontrollera att detta värde är mindre än eller lika med 100."),
        ("en", "Ensure this value is less than or equal to 100."),
    ],
)
def test_a_field_error_is_shown_at_the_field_in_each_language(manager, provider, language, message):
    manager.cookies["django_language"] = language
    response = manager.post(
        "/catalogue/new/", {**FORM, "provider": provider.id, "availability_target": "120"}
    )
    html = response.content.decode()
    assert response.status_code == 200
    assert 'id="id_availability_target-error"' in html and message in html
    assert not Service.objects.exists()


def test_a_code_in_use_is_a_field_error(manager, provider):
    ServiceFactory(code="LAGRING", provider=provider)
    response = manager.post("/catalogue/new/", {**FORM, "provider": provider.id})
    assert response.status_code == 200 and 'id="id_code-error"' in response.content.decode()


def test_a_customer_has_no_new_service_page(client_for, agency_contact):
    assert client_for(agency_contact).get("/catalogue/new/").status_code == 404


def test_editing_with_a_stale_version_says_so_and_changes_nothing(manager, provider):
    service = ServiceFactory(code="LAGRING", provider=provider)
    manager.cookies["django_language"] = "en"
    form = {**FORM, "version": "1"}
    assert manager.post("/catalogue/LAGRING/edit/", {**form, "rto_hours": "4"}).status_code == 302
    stale = manager.post("/catalogue/LAGRING/edit/", {**form, "rto_hours": "1"})
    assert stale.status_code == 200 and "Someone else changed" in stale.content.decode()
    service.refresh_from_db()
    assert (service.rto_hours, service.version) == (4, 2)


def test_the_detail_page_offers_the_lifecycle_and_retiring_ends_subscriptions(
    manager, provider, agency
):
    service = ServiceFactory(code="LAGRING", provider=provider)
    subscription = SubscriptionFactory(organisation=agency, service=service)
    page = manager.get("/catalogue/LAGRING/").content.decode()
    assert 'action="/catalogue/LAGRING/lifecycle/"' in page and 'name="retirement_date"' in page
    date = (timezone.localdate() + datetime.timedelta(days=30)).isoformat()
    response = manager.post(
        "/catalogue/LAGRING/lifecycle/",
        {"to": "retiring", "version": "1", "retirement_date": date},
        follow=True,
    )
    assert response.status_code == 200
    subscription.refresh_from_db()
    assert subscription.end_date.isoformat() == date
    assert Service.objects.get(code="LAGRING").lifecycle == "retiring"


def test_a_refused_step_is_explained_on_the_page(manager, provider):
    ServiceFactory(code="LAGRING", provider=provider)
    response = manager.post(
        "/catalogue/LAGRING/lifecycle/", {"to": "retired", "version": "1"}, follow=True
    )
    assert (
        "cannot become" in response.content.decode() or "kan inte bli" in response.content.decode()
    )
    assert Service.objects.get(code="LAGRING").lifecycle == "active"


def test_dependencies_are_added_and_a_cycle_is_refused_on_the_page(manager, provider):
    for code in ("AAA", "BBB", "CCC"):
        ServiceFactory(code=code, provider=provider)
    manager.post("/catalogue/AAA/dependencies/", {"depends_on": "BBB"})
    manager.post("/catalogue/BBB/dependencies/", {"depends_on": "CCC"})
    page = manager.post("/catalogue/CCC/dependencies/", {"depends_on": "AAA"}, follow=True)
    assert "CCC → AAA → BBB → CCC" in page.content.decode()
    assert ServiceDependency.objects.count() == 2
    manager.post("/catalogue/AAA/dependencies/BBB/remove/")
    assert ServiceDependency.objects.count() == 1


def test_the_graph_is_an_svg_with_a_text_alternative_of_the_same_edges(
    client_for, agency_contact, provider
):
    efos = ServiceFactory(code="EFOS", provider=provider, name_sv="Tjänstelegitimation")
    safos = ServiceFactory(code="SAFOS", provider=provider)
    draft = ServiceFactory(code="HEMLIG", provider=provider, lifecycle="draft")
    ServiceDependency.objects.create(service=safos, depends_on=efos, reason_sv="Inloggning")
    ServiceDependency.objects.create(service=draft, depends_on=efos)
    html = client_for(agency_contact).get("/catalogue/graph/").content.decode()
    svg = html[html.index("<svg") : html.index("</svg>") + 6]
    tree = ElementTree.fromstring(svg)  # noqa: S314 - our own page
    ns = "{http://www.w3.org/2000/svg}"
    assert tree.get("role") == "img" and tree.find(f"{ns}title") is not None
    labels = {t.text for t in tree.iter(f"{ns}text")}
    assert {"EFOS", "SAFOS"} <= labels and "HEMLIG" not in labels  # a draft is hidden
    assert len(list(tree.iter(f"{ns}line"))) == 1
    table = html[html.index("<table") : html.index("</table>")]
    assert "SAFOS" in table and "EFOS" in table and "Inloggning" in table and "HEMLIG" not in table
    # SAFOS needs EFOS: it is drawn right of EFOS
    x = {t.text: float(t.get("x")) for t in tree.iter(f"{ns}text")}
    assert x["SAFOS"] > x["EFOS"]


def test_categories_page_saves_for_the_owner_only(manager, client_for, agency_contact, provider):
    ServiceFactory(code="EFOS", provider=provider, in_total_commitment=True)
    assert (
        'name="name_sv"'
        not in client_for(agency_contact).get("/catalogue/categories/").content.decode()
    )
    response = manager.post(
        "/catalogue/categories/", {"code": "sakerhet", "name_sv": "Säkerhet", "name_en": "Security"}
    )
    assert response.status_code == 302
    refused = client_for(agency_contact).post(
        "/catalogue/categories/", {"code": "x", "name_sv": "X", "name_en": "X"}
    )
    assert refused.status_code == 200
    assert "Bara katalogägarens tjänsteförvaltare" in refused.content.decode()


# --- the CLI ------------------------------------------------------------------------------------


def _cli(*args: str) -> str:
    out = io.StringIO()
    call_command("catalogue", *args, stdout=out)
    return out.getvalue()


def test_the_cli_keeps_a_service_from_draft_to_retiring(service_manager, provider):
    CategoryFactory()
    as_manager = ("--as", service_manager.username)
    assert "LAGRING created as draft" in _cli(
        "create",
        "lagring",
        "--name-sv",
        "Lagring",
        "--name-en",
        "Storage",
        "--category",
        "infrastructure",
        "--rto",
        "8",
        "--loa",
        "3",
        *as_manager,
    )
    _cli("update", "LAGRING", "--at-version", "1", "--rpo", "2", *as_manager)
    _cli("transition", "LAGRING", "--to", "active", "--at-version", "2", *as_manager)
    ServiceFactory(code="BAS", provider=provider)
    assert "LAGRING -> BAS" in _cli("depend", "LAGRING", "--on", "bas", *as_manager)
    assert "LAGRING -> BAS" in _cli("graph")
    shown = _cli("show", "LAGRING")
    assert "rto=8h rpo=2h loa=3" in shown and "lifecycle=active version=4" in shown
    assert AuditEvent.objects.filter(action__startswith="catalogue.").count() == 4


def test_the_cli_refuses_in_both_languages_and_writes_nothing(service_manager, provider):
    CategoryFactory()
    for code in ("AAA", "BBB"):
        ServiceFactory(code=code, provider=provider)
    _cli("depend", "AAA", "--on", "BBB")
    with pytest.raises(CommandError) as refused:
        _cli("depend", "BBB", "--on", "AAA")
    assert "BBB → AAA → BBB" in str(refused.value) and " / " in str(refused.value)
    with pytest.raises(CommandError, match="at-version"):
        _cli("update", "AAA", "--rto", "1")
    assert ServiceDependency.objects.count() == 1
