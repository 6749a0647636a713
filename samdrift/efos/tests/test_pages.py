"""EFOS pages: the agency administrator sees and manages only their own officials; the operator
sees all; every refused write changes nothing."""

from __future__ import annotations

import io
import json
import zipfile

import pytest
from cryptography import x509

from samdrift.audit.models import AuditEvent
from samdrift.efos.models import Credential, Official

from .conftest import issue_token

pytestmark = pytest.mark.django_db


@pytest.fixture
def two_agencies(ca, agency, other_agency):
    mine = issue_token(agency, "Anna", "Ahl")
    theirs = issue_token(other_agency, "Bert", "Berg")
    return mine, theirs


def test_admin_sees_only_own_officials(two_agencies, efos_admin, client_for):
    (mine, _c, _r), (theirs, their_credential, _r2) = two_agencies
    client = client_for(efos_admin)
    page = client.get("/efos/officials/")
    assert page.status_code == 200
    html = page.content.decode()
    assert "Anna Ahl" in html and "Bert Berg" not in html
    assert client.get(f"/efos/officials/{mine.pk}/").status_code == 200
    assert client.get(f"/efos/officials/{theirs.pk}/").status_code == 404
    # opening an official's credentials is a recorded read; the refused one records nothing
    reads = AuditEvent.objects.filter(action="read", object_type="efos.official")
    assert [(r.object_id, r.after["access"]) for r in reads] == [(str(mine.pk), "open")]
    status = their_credential.status
    for action in ("suspend", "revoke", "renew", "verify", "issue", "activate", "resume"):
        response = client.post(
            f"/efos/credentials/{their_credential.pk}/{action}/", {"reason": "unspecified"}
        )
        assert response.status_code == 404
    assert Credential.objects.get(pk=their_credential.pk).status == status
    assert Credential.objects.filter(official=theirs).count() == 1
    # and cannot add officials to the other agency
    response = client.post(
        "/efos/officials/new/",
        {"organisation": theirs.organisation_id, "given_name": "X", "surname": "Y", "order": "on"},
    )
    assert response.status_code == 200  # the form refuses the choice
    assert not Official.objects.filter(given_name="X").exists()
    home = client.get("/efos/")
    assert home.status_code == 200


def test_operator_sees_all(two_agencies, efos_operator, client_for):
    client = client_for(efos_operator)
    html = client.get("/efos/officials/").content.decode()
    assert "Anna Ahl" in html and "Bert Berg" in html


def test_user_without_efos_role_is_refused(two_agencies, agency_member, client_for):
    client = client_for(agency_member)
    assert client.get("/efos/officials/").status_code == 403
    mine = two_agencies[0][0]
    assert client.get(f"/efos/officials/{mine.pk}/").status_code == 403


def test_anonymous_is_sent_to_login(ca, client):
    assert client.get("/efos/officials/").status_code == 302


def test_workflow_through_pages(ca, agency, efos_admin, efos_operator, client_for):
    admin, operator = client_for(efos_admin), client_for(efos_operator)
    response = admin.post(
        "/efos/officials/new/",
        {"organisation": agency.pk, "given_name": "Cecilia", "surname": "Carlsson", "order": "on"},
    )
    official = Official.objects.get(given_name="Cecilia")
    assert response.status_code == 302
    credential = official.credentials.get()
    # the admin cannot verify; the operator can
    admin.post(f"/efos/credentials/{credential.pk}/verify/", {"note": "x"})
    assert Credential.objects.get(pk=credential.pk).status == "ordered"
    operator.post(f"/efos/credentials/{credential.pk}/verify/", {"note": "ID card, in person"})
    assert Credential.objects.get(pk=credential.pk).status == "verified"
    response = operator.post(f"/efos/credentials/{credential.pk}/issue/", {})
    assert response["Content-Type"] == "application/zip"
    archive = zipfile.ZipFile(io.BytesIO(response.content))
    assert set(archive.namelist()) == {"cert.pem", "key.pem", "sign-cert.pem", "sign-key.pem"}
    cert = x509.load_pem_x509_certificate(archive.read("cert.pem"))
    cert.verify_directly_issued_by(ca.issuing_cert)
    admin.post(f"/efos/credentials/{credential.pk}/activate/")
    admin.post(f"/efos/credentials/{credential.pk}/suspend/")
    assert Credential.objects.get(pk=credential.pk).status == "suspended"
    admin.post(f"/efos/credentials/{credential.pk}/revoke/", {"reason": "nonsense"})
    assert Credential.objects.get(pk=credential.pk).status == "suspended"
    admin.post(f"/efos/credentials/{credential.pk}/revoke/", {"reason": "affiliation_changed"})
    assert Credential.objects.get(pk=credential.pk).status == "revoked"
    page = admin.get(f"/efos/officials/{official.pk}/")
    assert page.status_code == 200


def test_documents_are_per_agency(
    ca, agency, other_agency, efos_admin, other_agency_contact, client_for
):
    from samdrift.accounts.selectors import actor_for_user
    from samdrift.efos import services

    from .test_signing import simple_pdf

    document = services.create_document(
        actor=actor_for_user(efos_admin),
        organisation_id=agency.pk,
        title="Avtal A",
        sign_message="ok",
        pdf=simple_pdf(),
    )
    assert "Avtal A" in client_for(efos_admin).get("/efos/documents/").content.decode()
    other = client_for(other_agency_contact)
    assert "Avtal A" not in other.get("/efos/documents/").content.decode()
    assert other.get(f"/efos/documents/{document.pk}/").status_code == 404


def test_operator_registers_clients_admin_cannot(ca, efos_operator, efos_admin, client_for):
    from joserfc.jwk import ECKey

    from samdrift.efos.models import OidcClient

    key = ECKey.generate_key("P-256", auto_kid=True)
    good = {
        "client_id": "safos",
        "name": "SAFOS",
        "redirect_uris": "https://safos.example/cb",
        "jwks": json.dumps({"keys": [key.as_dict(private=False)]}),
    }
    assert client_for(efos_admin).post("/efos/clients/", good).status_code == 403
    assert not OidcClient.objects.exists()
    operator = client_for(efos_operator)
    bad = {**good, "jwks": json.dumps({"keys": [key.as_dict(private=True)]})}
    response = operator.post("/efos/clients/", bad)
    assert response.status_code == 200 and response.context["form"].errors["jwks"]
    assert not OidcClient.objects.exists()
    assert operator.post("/efos/clients/", good).status_code == 302
    assert OidcClient.objects.get().redirect_uris == ["https://safos.example/cb"]
    assert "safos" in operator.get("/efos/clients/").content.decode()
