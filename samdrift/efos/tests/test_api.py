"""/api/v1/efos: tenancy and writes through the API."""

from __future__ import annotations

import pytest

from samdrift.efos.models import Credential

from .conftest import issue_token

pytestmark = pytest.mark.django_db


def test_api_tenancy_and_revoke(ca, agency, other_agency, efos_admin, client_for):
    mine, my_credential, _ = issue_token(agency, "Anna", "Ahl")
    theirs, their_credential, _ = issue_token(other_agency, "Bert", "Berg")
    client = client_for(efos_admin)
    listing = client.get("/api/v1/efos/officials").json()["items"]
    assert [o["id"] for o in listing] == [mine.pk]
    assert listing[0]["credentials"][0]["abilities"]["suspend"] is True
    assert client.get(f"/api/v1/efos/officials/{theirs.pk}").status_code == 404
    response = client.post(
        f"/api/v1/efos/credentials/{their_credential.pk}/revoke",
        {"reason": "key_compromise"},
        content_type="application/json",
    )
    assert response.status_code == 404
    assert Credential.objects.get(pk=their_credential.pk).status == "active"
    response = client.post(
        f"/api/v1/efos/credentials/{my_credential.pk}/revoke",
        {"reason": "nonsense"},
        content_type="application/json",
    )
    assert response.status_code == 422
    assert response.json()["message_sv"] != response.json()["message_en"]
    assert Credential.objects.get(pk=my_credential.pk).status == "active"
    response = client.post(f"/api/v1/efos/credentials/{my_credential.pk}/suspend")
    assert response.status_code == 200 and response.json()["status"] == "suspended"
    response = client.post(
        f"/api/v1/efos/credentials/{my_credential.pk}/revoke",
        {"reason": "key_compromise"},
        content_type="application/json",
    )
    assert response.json()["status"] == "revoked"
    assert all(c["revocation_reason"] == "key_compromise" for c in response.json()["certificates"])
