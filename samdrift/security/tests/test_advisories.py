"""Advisories out (issue 17 item 4, ADR 0967): the SOC publishes a vulnerability's advisory;
every agency it reaches gets a CSAF 2.0 document of its own (valid against the OASIS schema,
VEX when nothing is affected), only with what reaches it, and its contacts are told."""

from __future__ import annotations

import json

import pytest

from samdrift.audit.models import AuditEvent
from samdrift.core.exceptions import NotFound, ValidationFailed
from samdrift.core.i18n import in_both_languages
from samdrift.core.notifications.models import Notification
from samdrift.security import selectors, services
from samdrift.security.advisories import advisory_publish
from samdrift.security.advisory_document import schema_errors
from samdrift.security.models import Advisory, AdvisoryCopy, Finding
from samdrift.tests.factories import SecondProviderFactory

from .conftest import member_of, sample

pytestmark = pytest.mark.django_db

CVE = "CVE-2019-12900"  # critical in the Trivy sample


@pytest.fixture
def imported(soc, landscape):
    services.import_report(
        actor=soc, component_name="efos-web", data=sample("trivy/scheme_2_many_vulns.json")
    )
    return landscape


def publish(soc, **overrides):
    values = {"vulnerability_id": CVE, "title": "bzip2 i efos-web", "summary": "Uppdatera."}
    return advisory_publish(actor=soc, **{**values, **overrides})


def test_each_reached_agency_gets_its_own_valid_csaf_document(soc, imported):
    # given: contacts at A (reached through SAFOS), B (not reached) and C (EFOS directly)
    contact_a = member_of(imported["a"], "kontakt-a", role="contact")
    member_of(imported["b"], "kontakt-b", role="contact")
    # when
    published = publish(soc)
    # then: A and C, not B; a copy for each and one full copy for the provider
    assert published.agencies == sorted([imported["a"].id, imported["c"].id])
    copies = {c.organisation_id: c for c in AdvisoryCopy.objects.all()}
    assert set(copies) == {None, imported["a"].id, imported["c"].id}
    for copy in copies.values():
        assert schema_errors(copy.document) == []
        assert copy.category == "csaf_security_advisory"
        assert copy.document["vulnerabilities"][0]["cve"] == CVE
    # A's copy names the component through SAFOS only, and no other agency anywhere
    text_a = json.dumps(copies[imported["a"].id].document, ensure_ascii=False)
    assert "efos-web 3.17 (SAFOS)" in text_a
    assert "Myndighet C" not in text_a and "Myndighet B" not in text_a
    assert "efos-web 3.17 (EFOS)" in json.dumps(copies[imported["c"].id].document)
    status = copies[imported["a"].id].document["vulnerabilities"][0]["product_status"]
    assert list(status) == ["known_affected"]
    remediation = copies[imported["a"].id].document["vulnerabilities"][0]["remediations"][0]
    assert remediation["category"] in {"vendor_fix", "none_available"}
    assert "senast" in remediation["details"]
    # A's contact is told; B's is not
    told = Notification.objects.filter(kind="security_advisory")
    assert {n.recipient_id for n in told} == {contact_a.user_id}
    assert AuditEvent.objects.filter(action="security.advisory_published").count() == 1


def test_a_customer_reads_only_its_own_copy_and_another_agency_nothing(soc, imported):
    published = publish(soc)
    reader_a = member_of(imported["a"], "lasare-a")
    reader_b = member_of(imported["b"], "lasare-b")
    copy = selectors.advisory_copy(actor=reader_a, advisory_id=published.advisory.id)
    assert copy.organisation_id == imported["a"].id
    assert list(selectors.advisory_list(actor=reader_a)) == [published.advisory]
    assert list(selectors.advisory_list(actor=reader_b)) == []
    with pytest.raises(NotFound):
        selectors.advisory_copy(actor=reader_b, advisory_id=published.advisory.id)
    # the SOC reads the full copy
    assert (
        selectors.advisory_copy(actor=soc, advisory_id=published.advisory.id).organisation_id
        is None
    )


def test_publishing_again_is_a_new_revision_with_its_history(soc, imported):
    first = publish(soc).advisory
    Finding.objects.filter(vulnerability_id=CVE).update(status="fixed")
    second = publish(soc, title="bzip2 åtgärdad").advisory
    assert second.id == first.id and second.revision == 2
    document = AdvisoryCopy.objects.get(organisation_id=imported["a"].id).document
    tracking = document["document"]["tracking"]
    assert tracking["version"] == "2"
    assert [r["number"] for r in tracking["revision_history"]] == ["1", "2"]
    assert document["vulnerabilities"][0]["product_status"] == {
        "fixed": [f"CSAFPID-{imported['component'].id}"]
    }
    assert schema_errors(document) == []


def test_not_affected_everywhere_is_a_vex_document_with_its_justification(soc, imported):
    Finding.objects.filter(vulnerability_id=CVE).update(
        status="not_affected", justification="vulnerable_code_not_in_execute_path"
    )
    publish(soc)
    copy = AdvisoryCopy.objects.get(organisation_id=imported["a"].id)
    assert copy.category == "csaf_vex"
    vulnerability = copy.document["vulnerabilities"][0]
    assert vulnerability["flags"][0]["label"] == "vulnerable_code_not_in_execute_path"
    assert vulnerability["threats"][0]["category"] == "impact"
    assert schema_errors(copy.document) == []


@pytest.mark.parametrize(
    ("overrides", "field"),
    [
        ({"vulnerability_id": "CVE-1999-0001"}, "vulnerability_id"),
        ({"vulnerability_id": ""}, "vulnerability_id"),
        ({"title": ""}, "title"),
        ({"title": "x" * 301}, "title"),
        ({"summary": " "}, "summary"),
    ],
)
def test_bad_input_is_refused_in_both_languages_and_nothing_is_stored(
    soc, imported, overrides, field
):
    with pytest.raises(ValidationFailed) as refused:
        publish(soc, **overrides)
    assert field in refused.value.errors
    rendered = in_both_languages(refused.value.message, refused.value.params)
    assert rendered["sv"] != rendered["en"]
    assert not Advisory.objects.exists() and not AdvisoryCopy.objects.exists()
    assert not Notification.objects.filter(kind="security_advisory").exists()


def test_only_the_soc_of_the_components_provider_may_publish(soc, imported):
    customer = member_of(imported["a"], "kund-a", role="contact")
    with pytest.raises(NotFound):
        publish(customer)
    other = SecondProviderFactory()
    other_soc = member_of(other, "annan-soc", role="security")
    with pytest.raises((NotFound, ValidationFailed)):
        publish(other_soc)
    assert not Advisory.objects.exists()


# --- pages, API and CLI -------------------------------------------------------------------------


def _user_of(actor):
    from django.contrib.auth import get_user_model

    return get_user_model().objects.get(pk=actor.user_id)


def _form(**overrides):
    return {
        "vulnerability_id": CVE,
        "title": "bzip2 i efos-web",
        "summary": "Uppdatera.",
        **overrides,
    }


def test_the_soc_publishes_on_the_page_and_a_customer_downloads_its_csaf(
    imported, security_officer, client_for
):
    contact = member_of(imported["a"], "kontakt-sida", role="contact")
    soc_client = client_for(security_officer)
    answer = soc_client.post("/security/advisories/", _form())
    assert answer.status_code == 302
    advisory = Advisory.objects.get()
    assert answer["Location"] == f"/security/advisories/{advisory.id}/"
    page = soc_client.get(answer["Location"]).content.decode()
    assert "efos-web 3.17 (EFOS, SAFOS)" in page
    # the customer's page and download hold its own copy only
    customer = client_for(_user_of(contact))
    listed = customer.get("/security/advisories/").content.decode()
    assert CVE in listed and "Publicera ett säkerhetsmeddelande" not in listed
    own = customer.get(f"/security/advisories/{advisory.id}/").content.decode()
    assert "efos-web 3.17 (SAFOS)" in own and "(EFOS)" not in own
    download = customer.get(f"/security/advisories/{advisory.id}/csaf.json")
    assert download.status_code == 200 and "attachment" in download["Content-Disposition"]
    document = json.loads(download.content)
    assert schema_errors(document) == []
    assert document["document"]["tracking"]["id"].endswith(f"-{imported['a'].id}")
    # a customer cannot publish: the form is not there and a POST is 404
    assert customer.post("/security/advisories/", _form()).status_code == 404
    assert Advisory.objects.get().revision == 1


def test_a_refused_publication_on_the_page_says_why_and_stores_nothing(
    imported, security_officer, client_for
):
    answer = client_for(security_officer).post(
        "/security/advisories/", _form(vulnerability_id="CVE-1999-0001")
    )
    assert answer.status_code == 422
    assert "Ingen av era komponenter har något fynd av CVE-1999-0001." in answer.content.decode()
    assert not Advisory.objects.exists()


def test_the_api_publishes_lists_and_serves_each_audience_its_copy(
    imported, security_officer, client_for
):
    soc_client = client_for(security_officer)
    created = soc_client.post(
        "/api/v1/security/advisories", data=_form(), content_type="application/json"
    )
    assert created.status_code == 201, created.content
    assert created.json()["agencies"] == 2 and created.json()["revision"] == 1
    advisory_id = created.json()["id"]
    items = soc_client.get("/api/v1/security/advisories").json()["items"]
    assert [i["vulnerability_id"] for i in items] == [CVE]
    full = soc_client.get(f"/api/v1/security/advisories/{advisory_id}/csaf").json()
    assert {p["name"] for p in full["product_tree"]["full_product_names"]} == {
        "efos-web 3.17 (EFOS, SAFOS)"
    }
    outsider = client_for(_user_of(member_of(imported["b"], "bertil-api")))
    assert outsider.get("/api/v1/security/advisories").json()["items"] == []
    assert outsider.get(f"/api/v1/security/advisories/{advisory_id}/csaf").status_code == 404
    refused = soc_client.post(
        "/api/v1/security/advisories",
        data=_form(title=""),
        content_type="application/json",
    )
    assert refused.status_code == 422


def test_the_cli_publishes_and_prints_the_csaf(imported, security_officer):
    from io import StringIO

    from django.core.management import call_command

    out = StringIO()
    call_command(
        "security", "advisories", "--publish", CVE, "--title", "bzip2", "--summary", "Uppdatera.",
        "--as", security_officer.username, stdout=out,
    )  # fmt: skip
    assert "version 1: 2 agencies" in out.getvalue()
    advisory = Advisory.objects.get()
    printed = StringIO()
    call_command(
        "security", "advisories", "--csaf", str(advisory.id), "--as", security_officer.username,
        stdout=printed,
    )  # fmt: skip
    assert schema_errors(json.loads(printed.getvalue())) == []
