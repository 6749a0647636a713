"""Step-up: an official at a lower level is sent to log in again and comes back to the page."""

from __future__ import annotations

import urllib.parse

import pytest
from django.contrib.auth import get_user_model
from django.http import HttpResponse
from django.test import RequestFactory

from samdrift.audit.models import AuditEvent
from samdrift.identity import loa
from samdrift.identity.stepup import SESSION_KEY, requires_loa, session_rank
from samdrift.tests.factories import MembershipFactory

from .conftest import authorize_params, login_via, official_key

pytestmark = pytest.mark.django_db(transaction=True)
User = get_user_model()


@pytest.fixture
def provider_idp(idp, fk):
    return idp


def _make_provider_admin(client, fk):
    user = User.objects.get(pk=int(client.session["_auth_user_id"]))
    MembershipFactory(user=user, organisation=fk, role="provider_admin")
    return user


def test_step_up_returns_to_the_page(client, provider_idp, fk):
    # given an official logged in at level 2 who administers the provider
    assert login_via(client, provider_idp, uid="david", acr=loa.LOA2, level=2).status_code == 302
    user = _make_provider_admin(client, fk)
    # when they open a page that needs level 3
    response = client.get("/identity/providers/")
    # then they are asked to step up, and come back to the page afterwards
    assert response.status_code == 302
    target = urllib.parse.urlsplit(response["Location"])
    assert target.path == "/identity/step-up/"
    query = dict(urllib.parse.parse_qsl(target.query))
    assert query == {"level": "3", "next": "/identity/providers/"}
    page = client.get(response["Location"])
    assert page.status_code == 200
    assert b'name="level" value="3"' in page.content
    back = login_via(
        client, provider_idp, uid="david", acr=loa.LOA3, level=3, next_url=query["next"]
    )
    assert back.status_code == 302
    assert back["Location"] == "/identity/providers/"
    assert client.session[SESSION_KEY]["rank"] == 3
    assert int(client.session["_auth_user_id"]) == user.pk
    assert client.get("/identity/providers/").status_code == 200
    step_up = AuditEvent.objects.filter(action="identity.login").order_by("id").last()
    assert step_up.after["step_up"] is True


def test_step_up_as_another_person_is_refused(client, idp):
    assert login_via(client, idp, uid="anna", acr=loa.LOA2, level=2).status_code == 302
    anna = int(client.session["_auth_user_id"])
    response = login_via(client, idp, uid="bo", acr=loa.LOA3, level=3)
    assert response.status_code == 403
    assert response.context["code"] == "wrong_person"
    assert int(client.session["_auth_user_id"]) == anna
    assert client.session[SESSION_KEY]["rank"] == 2
    assert not User.objects.filter(first_name="Bo").exists()


def test_password_login_holds_no_level(client_for, agency_contact):
    client = client_for(agency_contact)
    response = client.get("/identity/session/")
    assert response.status_code == 200
    assert response.context["rank"] == 0


def test_anonymous_is_sent_to_the_e_id_login_with_the_level(client):
    response = client.get("/identity/providers/")
    assert response.status_code == 302
    assert response["Location"].startswith("/accounts/login/")


def test_requires_loa_decorator(rf: RequestFactory, agency_contact):
    @requires_loa(3)
    def view(request):
        return HttpResponse("ok")

    request = rf.get("/somewhere/?x=1")
    request.user = agency_contact
    request.session = {SESSION_KEY: {"user_id": agency_contact.pk, "rank": 2}}
    response = view(request)
    assert response.status_code == 302
    assert response["Location"] == "/identity/step-up/?level=3&next=%2Fsomewhere%2F%3Fx%3D1"
    request.session = {SESSION_KEY: {"user_id": agency_contact.pk, "rank": 3}}
    assert view(request).status_code == 200
    # a level remembered for another user counts for nothing
    request.session = {SESSION_KEY: {"user_id": -1, "rank": 4}}
    assert session_rank(request) == 0
    assert view.required_loa == 3


@pytest.mark.parametrize("bad", [0, 5])
def test_requires_loa_rejects_levels_outside_one_to_four(bad):
    with pytest.raises(ValueError):
        requires_loa(bad)


def test_login_page_lists_providers(client, idp):
    response = client.get("/identity/login/?level=4&next=/identity/session/")
    assert response.status_code == 200
    body = response.content.decode()
    assert 'action="/identity/login/dev/"' in body
    assert 'name="level" value="4"' in body


def test_request_carries_the_explicit_acceptable_list(client, idp):
    start = client.post("/identity/login/dev/", {"level": 4, "next": "/"})
    params = authorize_params(start)
    import json

    claims = json.loads(params["claims"])
    assert claims["id_token"]["acr"] == {
        "essential": True,
        "values": [loa.LOA4, loa.LOA4_NONRESIDENT, loa.EIDAS_NF_HIGH, loa.EIDAS_HIGH],
    }
    assert "acr_values" not in params
    assert params["code_challenge_method"] == "S256"
    assert params["prompt"] == "login"
    assert len(params["state"]) >= 43 and len(params["nonce"]) >= 43
    assert official_key("anna").startswith("anna@")


def test_max_age_asks_for_a_fresh_login(rf: RequestFactory, agency_contact):
    import time

    @requires_loa(2, max_age=300)
    def view(request):
        return HttpResponse("ok")

    request = rf.get("/sign/")
    request.user = agency_contact
    request.session = {
        SESSION_KEY: {"user_id": agency_contact.pk, "rank": 4, "auth_time": int(time.time()) - 60}
    }
    assert view(request).status_code == 200
    request.session[SESSION_KEY]["auth_time"] = int(time.time()) - 3600
    assert view(request).status_code == 302


def test_service_declares_its_level(rf: RequestFactory, agency_contact):
    from samdrift.identity.models import AssuranceRequirement
    from samdrift.identity.stepup import ensure_service_loa
    from samdrift.tests.factories import ServiceFactory

    plain, strict = ServiceFactory(), ServiceFactory()
    AssuranceRequirement.objects.create(service=strict, min_rank=4)
    request = rf.get("/catalogue/x/")
    request.user = agency_contact
    request.session = {SESSION_KEY: {"user_id": agency_contact.pk, "rank": 3}}
    assert ensure_service_loa(request, plain.pk) is None
    response = ensure_service_loa(request, strict.pk)
    assert response["Location"] == "/identity/step-up/?level=4&next=%2Fcatalogue%2Fx%2F"


def test_rotated_provider_key_is_fetched_again(client, idp):
    from joserfc.jwk import ECKey, KeySet

    from samdrift.identity import oidc

    # given a cached key set that no longer holds the provider's signing key
    oidc.provider_keys(idp.issuer)
    stale = KeySet([ECKey.generate_key("P-256", parameters={"kid": "old"})])
    oidc._jwks_cache[idp.issuer] = oidc._Cached(stale, oidc._jwks_cache[idp.issuer].fetched_at)
    # when an official logs in, then the key set is reloaded once and the login succeeds
    assert login_via(client, idp).status_code == 302
    assert client.session[SESSION_KEY]["rank"] == 3


def test_unreachable_provider_gives_a_clear_page(client, idp):
    import socket

    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        closed = sock.getsockname()[1]
    idp.issuer = f"http://127.0.0.1:{closed}"
    idp.save()
    response = client.post("/identity/login/dev/", {"level": 3, "next": "/"})
    assert response.status_code == 502
    assert response.context["code"] == "provider_unreachable"


@pytest.mark.parametrize("bad", ["0", "5", "9", "three", "-1"])
def test_login_start_with_a_bad_level_is_refused_and_writes_nothing(client, idp, bad):
    from samdrift.identity.models import LoginTransaction

    response = client.post("/identity/login/dev/", {"level": bad, "next": "/"})
    assert response.status_code == 422
    assert response.context["code"] == "invalid_level"
    assert not LoginTransaction.objects.exists()


def test_unknown_provider_is_not_found(client, idp):
    from samdrift.identity.models import LoginTransaction

    assert client.post("/identity/login/nope/", {"level": 3}).status_code == 404
    idp.is_active = False
    idp.save()
    assert client.post("/identity/login/dev/", {"level": 3}).status_code == 404
    assert not LoginTransaction.objects.exists()


def test_login_choices_tag_for_the_accounts_login_page(rf, idp):
    from django.template import Context, Template

    request = rf.get("/accounts/login/?next=/catalogue/")
    html = Template("{% load identity %}{% identity_login_choices %}").render(
        Context({"request": request, "csrf_token": "tok"})
    )
    assert 'action="/identity/login/dev/"' in html
    assert 'name="next" value="/catalogue/"' in html
    assert 'value="tok"' in html
