"""Importing a scanner report from the page (issue 17 items 2 and 6): the SOC chooses one of
its components and sends the file; the same report again changes nothing; a broken file, a
file over the limit, another provider's component or no SOC role is refused and nothing of it
is stored. A large upload lands in a temporary file and is streamed from there (ADR 0971)."""

from __future__ import annotations

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile

from samdrift.security import parsers
from samdrift.security.models import Finding, ImportRun
from samdrift.tests.factories import MembershipFactory, UserFactory

from .conftest import sample

pytestmark = pytest.mark.django_db


def _upload(name="trivy.json", data=None):
    return SimpleUploadedFile(name, data or sample("trivy/scheme_2_many_vulns.json"))


def _stored():
    return Finding.objects.count(), ImportRun.objects.count()


def test_the_soc_imports_and_the_same_report_again_changes_nothing(
    landscape, security_officer, client_for
):
    client = client_for(security_officer)
    page = client.get("/security/imports/")
    assert page.status_code == 200 and '<option value="efos-web">efos-web 3.17</option>' in (
        page.content.decode()
    )
    sent = client.post("/security/imports/", {"component": "efos-web", "file": _upload()})
    assert sent.status_code == 302 and sent["Location"] == "/security/imports/"
    assert _stored() == (5, 1)
    listed = client.get("/security/imports/").content.decode()
    assert "Importerad: 5 fynd listade, 5 nya, 0 sedda igen" in listed
    assert "trivy.json" in listed  # the imported reports, with the file's name
    again = client.post("/security/imports/", {"component": "efos-web", "file": _upload()})
    assert again.status_code == 302 and _stored() == (5, 1)
    assert "redan importerad" in client.get("/security/imports/").content.decode()


@pytest.mark.parametrize(
    ("name", "data", "says"),
    [
        ("trasig.json", b'{"SchemaVersion": 2, "Results": [', "inte giltig JSON"),
        ("tom.json", b"", "Filen är tom."),
        ("okand.json", b'{"hello": "world"}', "ingen rapport som samdrift känner igen"),
    ],
)
def test_a_file_that_cannot_be_read_is_refused_and_nothing_stored(
    landscape, security_officer, client_for, name, data, says
):
    client = client_for(security_officer)
    answer = client.post(
        "/security/imports/", {"component": "efos-web", "file": SimpleUploadedFile(name, data)}
    )
    assert answer.status_code == 422 and says in answer.content.decode()
    assert _stored() == (0, 0)


def test_a_file_over_the_limit_is_refused_and_points_to_the_command_line(
    landscape, security_officer, client_for, settings
):
    settings.SAMDRIFT_FILES_MAX_BYTES = 1024
    client = client_for(security_officer)
    answer = client.post("/security/imports/", {"component": "efos-web", "file": _upload()})
    assert answer.status_code == 422
    assert "samdrift security import" in answer.content.decode()
    assert _stored() == (0, 0)


def test_a_large_upload_is_streamed_from_its_temporary_file(
    landscape, security_officer, client_for, settings, monkeypatch
):
    settings.FILE_UPLOAD_MAX_MEMORY_SIZE = 0  # every upload to a temporary file
    monkeypatch.setattr(parsers, "READ_WHOLE_UP_TO", 0)  # and every file streamed
    streamed = []
    real = parsers.ReportStream
    monkeypatch.setattr(
        parsers, "ReportStream", lambda *a, **k: streamed.append(a) or real(*a, **k)
    )
    client = client_for(security_officer)
    sent = client.post("/security/imports/", {"component": "efos-web", "file": _upload()})
    assert sent.status_code == 302 and _stored() == (5, 1) and streamed


def test_only_the_soc_imports_and_only_for_its_own_components(
    landscape, client_for, security_officer
):
    member = UserFactory(username="anna")
    MembershipFactory(user=member, organisation=landscape["a"], role="member")
    customer = client_for(member)
    assert customer.get("/security/imports/").status_code == 404
    refused = customer.post("/security/imports/", {"component": "efos-web", "file": _upload()})
    assert refused.status_code == 404
    unknown = client_for(security_officer).post(
        "/security/imports/", {"component": "någon-annans", "file": _upload()}
    )
    assert unknown.status_code == 422 and "Välj en av era komponenter." in (
        unknown.content.decode()
    )
    assert _stored() == (0, 0)


def test_the_api_imports_lists_and_refuses_as_the_page_does(
    landscape, security_officer, client_for
):
    client = client_for(security_officer)
    first = client.post("/api/v1/security/imports", {"component": "efos-web", "file": _upload()})
    assert first.status_code == 201
    body = first.json()
    assert body["already_imported"] is False and body["run"]["created"] == 5
    assert body["run"]["file_name"] == "trivy.json" and body["run"]["format"] == "trivy"
    again = client.post("/api/v1/security/imports", {"component": "efos-web", "file": _upload()})
    assert again.status_code == 200 and again.json()["already_imported"] is True
    assert again.json()["run"]["id"] == body["run"]["id"]
    broken = client.post(
        "/api/v1/security/imports",
        {"component": "efos-web", "file": SimpleUploadedFile("x.json", b"{")},
    )
    assert broken.status_code == 422 and "JSON" in broken.json()["message_en"]
    unknown = client.post("/api/v1/security/imports", {"component": "nope", "file": _upload()})
    assert unknown.status_code == 422 and "nope" in unknown.json()["message_en"]
    listed = client.get("/api/v1/security/imports").json()["items"]
    assert [run["id"] for run in listed] == [body["run"]["id"]]
    member = UserFactory(username="anna")
    MembershipFactory(user=member, organisation=landscape["a"], role="member")
    customer = client_for(member)
    assert customer.get("/api/v1/security/imports").json()["items"] == []
    refused = customer.post(
        "/api/v1/security/imports", {"component": "efos-web", "file": _upload()}
    )
    assert refused.status_code == 404
    assert _stored() == (5, 1)
