"""Logging in as a relying party against the real development provider process."""

from __future__ import annotations

import pytest
from django.contrib.auth import get_user_model

from samdrift.audit.models import AuditEvent
from samdrift.audit.tests.security_log import latest, refused
from samdrift.identity import loa
from samdrift.identity.models import ExternalIdentity, UsedIdToken
from samdrift.identity.stepup import SESSION_KEY
from samdrift.organisations.models import Membership, Organisation

from .conftest import login_via

pytestmark = pytest.mark.django_db(transaction=True)
User = get_user_model()


@pytest.mark.parametrize(
    ("level", "acr"),
    [(1, loa.LOA1), (2, loa.LOA2), (3, loa.LOA3), (4, loa.LOA4), (3, loa.EIDAS_SUB)],
)
def test_login_at_each_level(client, idp, known_agency, level, acr):
    # when
    response = login_via(client, idp, acr=acr, level=level)
    # then
    assert response.status_code == 302
    assert response["Location"] == "/identity/session/"
    session = client.session[SESSION_KEY]
    assert session["acr"] == acr
    assert session["rank"] == loa.rank(acr)
    user = User.objects.get(pk=int(client.session["_auth_user_id"]))
    assert (user.first_name, user.last_name) == ("Anna", "Ek")
    assert not user.has_usable_password()
    assert list(Membership.objects.filter(user=user).values_list("organisation", "role")) == [
        (known_agency.pk, "member")
    ]
    assert ExternalIdentity.objects.get(user=user).org_affiliation.startswith("anna@")
    event = AuditEvent.objects.get(action="identity.login")
    assert event.organisation_id == known_agency.pk
    assert event.after["acr"] == acr
    assert client.get("/identity/session/").status_code == 200


def test_second_login_reuses_the_user(client, idp, known_agency):
    login_via(client, idp)
    client.logout()
    login_via(client, idp, acr=loa.LOA4, level=4)
    assert User.objects.filter(username__startswith="eid-").count() == 1
    assert Membership.objects.filter(organisation=known_agency).count() == 1


def test_level_the_provider_cannot_meet_is_surfaced(client, idp):
    # The page wants level 3; the official picks level 2, which was not among the values.
    response = login_via(client, idp, acr=loa.LOA2, level=3)
    assert response.status_code == 403
    assert response.context["code"] == "unmet_authentication_requirements"
    assert "_auth_user_id" not in client.session
    assert latest("identity.login_refused").detail["reason"] == (
        "unmet_authentication_requirements"
    )


def test_uncertified_level_counts_only_from_a_provider_trusted_for_it(client, idp):
    response = login_via(client, idp, acr=loa.UNCERTIFIED_LOA3, level=3, fault="ignore_acr")
    assert response.status_code == 403
    assert response.context["code"] == "acr_too_low"
    idp.allow_uncertified = True
    idp.save()
    response = login_via(client, idp, acr=loa.UNCERTIFIED_LOA3, level=3)
    assert response.status_code == 302
    assert client.session[SESSION_KEY]["rank"] == 3


@pytest.mark.parametrize(
    ("fault", "acr", "reason"),
    [
        ("ignore_acr", loa.LOA2, "acr_too_low"),
        ("ignore_acr", loa.LOA1, "acr_too_low"),
        ("tamper", loa.LOA3, "bad_signature"),
        ("expired", loa.LOA3, "expired_token"),
        ("unknown_kid", loa.LOA3, "unknown_kid"),
        ("wrong_aud", loa.LOA3, "wrong_audience"),
        ("wrong_iss", loa.LOA3, "wrong_issuer"),
        ("unsigned", loa.LOA3, "unsigned_token"),
        ("malformed", loa.LOA3, "malformed_token"),
        ("wrong_nonce", loa.LOA3, "nonce_mismatch"),
    ],
)
def test_bad_id_token_is_refused_audited_and_changes_nothing(client, idp, fault, acr, reason):
    # given
    users_before = User.objects.count()
    orgs_before = Organisation.objects.count()
    # when
    response = login_via(client, idp, acr=acr, level=3, fault=fault)
    # then
    assert response.status_code == 403
    assert response.context["code"] == reason
    assert "_auth_user_id" not in client.session
    assert SESSION_KEY not in client.session
    assert User.objects.count() == users_before
    assert Organisation.objects.count() == orgs_before
    assert not ExternalIdentity.objects.exists()
    assert not Membership.objects.exists()
    refusal = latest("identity.login_refused")
    assert refusal.detail["reason"] == reason
    assert refusal.detail["provider"] == "dev"
    assert not AuditEvent.objects.filter(action="identity.login").exists()
    assert "Reason code" in response.content.decode() or "Orsakskod" in response.content.decode()


def test_replayed_id_token_is_refused(client, client_for, idp):
    # given a completed login whose ID token an attacker captured
    assert login_via(client, idp).status_code == 302
    other = client_for()
    # when the provider (or a man in the middle) hands the same token to a new login
    response = login_via(other, idp, fault="replay")
    # then
    assert response.status_code == 403
    assert response.context["code"] == "nonce_mismatch"
    assert "_auth_user_id" not in other.session
    assert refused("identity.login_refused") == 1


def test_replayed_callback_is_refused(client, idp):
    start = client.post("/identity/login/dev/", {"level": 3, "next": "/identity/session/"})
    import urllib.parse

    import requests

    from .conftest import official_key

    params = dict(urllib.parse.parse_qsl(urllib.parse.urlsplit(start["Location"]).query))
    answer = requests.post(
        idp.issuer + "/authorize",
        data={**params, "official": official_key("anna"), "acr": loa.LOA3},
        allow_redirects=False,
        timeout=10,
    )
    back = urllib.parse.urlsplit(answer.headers["Location"])
    assert client.get(f"{back.path}?{back.query}").status_code == 302
    again = client.get(f"{back.path}?{back.query}")
    assert again.status_code == 403
    assert again.context["code"] in {"state_unknown", "state_used"}
    assert UsedIdToken.objects.count() == 1


def test_callback_with_forged_state_is_refused(client, idp):
    response = client.get("/identity/callback/?state=forged&code=abc")
    assert response.status_code == 403
    assert response.context["code"] == "state_unknown"
    assert latest("identity.login_refused").detail["reason"] == "state_unknown"


def test_provider_bound_to_an_agency_vouches_only_for_its_officials(client, idp, other_agency):
    idp.organisation = other_agency
    idp.save()
    response = login_via(client, idp)
    assert response.status_code == 403
    assert response.context["code"] == "wrong_agency"
    assert not User.objects.filter(username__startswith="eid-").exists()


def test_next_cannot_point_to_another_site(client, idp):
    response = login_via(client, idp, next_url="https://evil.example/")
    assert response.status_code == 302
    assert response["Location"] == "/"


def test_refusal_is_explained_in_swedish_and_english(client, idp):
    response = login_via(client, idp, acr=loa.LOA2, level=3, fault="ignore_acr")
    assert "Inloggningens tillitsnivå är för låg för den här sidan." in response.content.decode()
    client.cookies["django_language"] = "en"
    response = login_via(client, idp, acr=loa.LOA2, level=3, fault="ignore_acr")
    assert "The login's level of assurance is too low for this page." in (
        response.content.decode().replace("&#x27;", "'")
    )


def _answer(idp, params, acr=loa.LOA3):
    import requests

    from .conftest import official_key

    return requests.post(
        idp.issuer + "/authorize",
        data={**params, "official": official_key("anna"), "acr": acr},
        allow_redirects=False,
        timeout=10,
    )


def test_signed_request_object_wins_over_a_tampered_query(client, idp):
    import json
    import urllib.parse

    from .conftest import authorize_params

    params = authorize_params(client.post("/identity/login/dev/", {"level": 3, "next": "/"}))
    assert params["request"].count(".") == 2
    # the browser lowers the level in the query string …
    lowered = json.loads(params["claims"])
    lowered["id_token"]["acr"]["values"] = [loa.LOA2]
    params["claims"] = json.dumps(lowered)
    answer = _answer(idp, params, acr=loa.LOA2)
    # … but the provider follows the signed request object, which asks for level 3
    query = dict(urllib.parse.parse_qsl(urllib.parse.urlsplit(answer.headers["Location"]).query))
    assert query["error"] == "unmet_authentication_requirements"


def test_forged_request_object_is_refused(client, idp):
    import urllib.parse

    from joserfc import jwt
    from joserfc.jwk import ECKey

    from .conftest import authorize_params

    params = authorize_params(client.post("/identity/login/dev/", {"level": 3, "next": "/"}))
    stranger = ECKey.generate_key("P-256", parameters={"kid": "rp-test"})
    forged = dict(
        params,
        request=jwt.encode(
            {"alg": "ES256", "kid": "rp-test"},
            {"iss": "samdrift-test", "aud": idp.issuer},
            stranger,
        ),
    )
    answer = _answer(idp, forged)
    back = urllib.parse.urlsplit(answer.headers["Location"])
    assert dict(urllib.parse.parse_qsl(back.query))["error"] == "invalid_request_object"
    response = client.get(f"{back.path}?{back.query}")
    assert response.status_code == 403
    assert response.context["code"] == "provider_error"
    assert not User.objects.filter(username__startswith="eid-").exists()
