"""Officials of unknown agencies ask for access; provider staff see the requests; no leaks."""

from __future__ import annotations

import pytest
from django.contrib.auth import get_user_model

from samdrift.audit.models import AuditEvent
from samdrift.audit.tests.security_log import latest
from samdrift.identity import loa
from samdrift.identity.models import AccessRequest, IdentityProvider
from samdrift.organisations.models import Organisation

from .conftest import UNKNOWN_ORG, login_via

pytestmark = pytest.mark.django_db(transaction=True)
User = get_user_model()


def test_unknown_agency_gets_the_access_page_and_no_agency_is_created(client, idp):
    orgs_before = Organisation.objects.count()
    response = login_via(client, idp, uid="cecilia", acr=loa.LOA3, level=3)
    assert response.status_code == 302
    assert response["Location"] == "/identity/access/"
    page = client.get("/identity/access/")
    assert page.status_code == 200
    assert "Cecilia Holm" in page.content.decode()
    assert Organisation.objects.count() == orgs_before
    assert not User.objects.filter(first_name="Cecilia").exists()
    assert "_auth_user_id" not in client.session
    refusal = latest("identity.login_refused")
    assert refusal.detail["reason"] == "agency_unknown"
    # bad input: nothing written
    bad = client.post("/identity/access/", {"email": "not-an-address"})
    assert bad.status_code == 422
    assert not AccessRequest.objects.exists()
    # a proper request is recorded and audited
    done = client.post("/identity/access/", {"email": "cecilia@okanda.se", "message": "Hej"})
    assert done.status_code == 200
    request = AccessRequest.objects.get()
    assert (request.org_number, request.org_name, request.name) == (
        UNKNOWN_ORG,
        "Okända verket",
        "Cecilia Holm",
    )
    assert AuditEvent.objects.filter(action="identity.access_requested").count() == 1
    assert Organisation.objects.count() == orgs_before
    # the pending login is gone: the page cannot be reused
    assert client.get("/identity/access/").status_code == 404


def test_access_page_without_a_login_is_not_found(client, db):
    assert client.get("/identity/access/").status_code == 404
    assert client.post("/identity/access/", {"email": "x@example.se"}).status_code == 404
    assert not AccessRequest.objects.exists()


@pytest.fixture
def stored_request(db):
    provider = IdentityProvider.objects.create(
        slug="fed", name="Federation", issuer="http://127.0.0.1:9/fed", client_id="c"
    )
    return AccessRequest.objects.create(
        provider=provider,
        subject="s",
        name="Erik Sten",
        org_number="202100-3029",
        org_name="Annat verk",
        email="erik@annat.se",
    )


@pytest.mark.parametrize(
    ("actor_fixture", "expected"),
    [
        ("agency_contact", 404),
        ("other_agency_contact", 404),
        ("agency_member", 404),
        ("account_manager", 200),
        ("provider_admin", 200),
    ],
)
def test_access_request_list_is_for_provider_staff_only(
    request, client_for, stored_request, actor_fixture, expected
):
    client = client_for(request.getfixturevalue(actor_fixture))
    response = client.get("/identity/access-requests/")
    assert response.status_code == expected
    assert ("Erik Sten" in response.content.decode()) is (expected == 200)


@pytest.mark.parametrize(
    ("actor_fixture", "expected"),
    [("agency_contact", 404), ("other_agency_contact", 404), ("account_manager", 404)],
)
def test_provider_page_is_hidden_from_everyone_but_provider_admins(
    request, client_for, stored_request, actor_fixture, expected
):
    client = client_for(request.getfixturevalue(actor_fixture))
    response = client.get("/identity/providers/")
    assert response.status_code == expected
    assert b"http://127.0.0.1:9/fed" not in response.content


def test_provider_admin_without_e_id_level_is_asked_to_step_up(client_for, provider_admin):
    response = client_for(provider_admin).get("/identity/providers/")
    assert response.status_code == 302
    assert response["Location"] == "/identity/step-up/?level=3&next=%2Fidentity%2Fproviders%2F"


def test_jwks_publishes_only_the_public_key(client, db):
    keys = client.get("/identity/jwks.json").json()["keys"]
    assert len(keys) == 1
    assert keys[0]["kty"] == "EC" and keys[0]["crv"] == "P-256"
    assert "d" not in keys[0]
