"""Issue 19 item 11, ADR 0307: the client certificate header is believed only from the proxy the
configuration names — never by default, never without the shared secret, and the secret is
compared in constant time. The requests go through the real `/efos/authorize` view with a real
certificate from the test CA: a header that is believed gives the redirect with a code, one that
is ignored gives 401 `login_required`."""

from __future__ import annotations

import hmac
from unittest import mock

import pytest
from django.core.exceptions import ImproperlyConfigured
from joserfc.jwk import ECKey

from samdrift.core.actor import SYSTEM
from samdrift.efos import conf, services
from samdrift.efos.oidc import provider
from tests.hardening.test_deploy_check import deploy_check, production_env

from .conftest import PROXY_SECRET, cert_header, issue_token, pkce_pair
from .test_oidc import REDIRECT, authorize

pytestmark = pytest.mark.django_db


@pytest.fixture
def rp(ca):
    key = ECKey.generate_key("P-256", auto_kid=True)
    return services.register_client(
        actor=SYSTEM,
        client_id="safos",
        name="SAFOS",
        redirect_uris=[REDIRECT],
        jwks={"keys": [key.as_dict(private=False)]},
    )


@pytest.fixture
def holder(ca, agency):
    official, credential, result = issue_token(agency, "Karin", "Berg")
    return official, credential, result.certificates["authentication"]


def _authorize(client, cert, headers):
    _verifier, challenge = pkce_pair()
    return authorize(client, cert, challenge=challenge, headers=headers)


def _logged_in(response) -> bool:
    if response.status_code == 401:
        return False
    assert response.status_code == 302, response.content[:300]
    assert "code=" in response["Location"]
    return True


def test_header_is_believed_with_the_secret_from_the_listed_proxy(client, rp, holder):
    assert _logged_in(_authorize(client, holder[2], cert_header(holder[2])))


def test_header_is_ignored_when_nothing_is_configured(client, rp, holder, settings):
    """The default is off: even 127.0.0.1 with the right secret gets no login."""
    del settings.EFOS_CLIENT_CERT_PROXY
    del settings.EFOS_TRUSTED_PROXIES
    assert conf.client_cert_proxy() == "off"
    assert conf.trusted_proxies() == frozenset()
    assert not _logged_in(_authorize(client, holder[2], cert_header(holder[2])))


@pytest.mark.parametrize(
    "secret",
    [None, "", "wrong", PROXY_SECRET[:-1], PROXY_SECRET + "x", PROXY_SECRET.upper()],
    ids=["absent", "empty", "wrong", "prefix", "longer", "case"],
)
def test_header_is_ignored_without_the_secret(client, rp, holder, secret):
    headers = cert_header(holder[2])
    if secret is None:
        del headers["HTTP_X_SAMDRIFT_PROXY_SECRET"]
    else:
        headers["HTTP_X_SAMDRIFT_PROXY_SECRET"] = secret
    assert not _logged_in(_authorize(client, holder[2], headers))


def test_header_is_ignored_from_an_unlisted_address_even_with_the_secret(client, rp, holder):
    headers = {**cert_header(holder[2]), "REMOTE_ADDR": "10.9.8.7"}
    assert not _logged_in(_authorize(client, holder[2], headers))


def test_the_secret_is_compared_in_constant_time(client, rp, holder):
    """The comparison is `hmac.compare_digest` on the presented and the configured bytes (a spy
    around the real function: the answer still comes from it)."""
    headers = {**cert_header(holder[2]), "HTTP_X_SAMDRIFT_PROXY_SECRET": "guess"}
    with mock.patch.object(provider.hmac, "compare_digest", wraps=hmac.compare_digest) as spy:
        assert not _logged_in(_authorize(client, holder[2], headers))
        assert _logged_in(_authorize(client, holder[2], cert_header(holder[2])))
    calls = [call.args for call in spy.call_args_list]
    assert (b"guess", PROXY_SECRET.encode()) in calls
    assert (PROXY_SECRET.encode(), PROXY_SECRET.encode()) in calls


def test_secret_mode_refuses_to_run_with_a_short_or_missing_secret(settings):
    settings.EFOS_PROXY_SECRET = "short"
    with pytest.raises(ImproperlyConfigured, match="EFOS_PROXY_SECRET"):
        provider.proxy_is_trusted({"REMOTE_ADDR": "127.0.0.1"})
    settings.EFOS_PROXY_SECRET = ""
    with pytest.raises(ImproperlyConfigured, match="EFOS_PROXY_SECRET"):
        provider.proxy_is_trusted({"REMOTE_ADDR": "127.0.0.1"})


def test_an_unknown_mode_is_a_configuration_error(settings):
    settings.EFOS_CLIENT_CERT_PROXY = "yes"
    with pytest.raises(ImproperlyConfigured, match="EFOS_CLIENT_CERT_PROXY"):
        provider.proxy_is_trusted({"REMOTE_ADDR": "127.0.0.1"})


def test_unix_mode_believes_only_the_socket(client, rp, holder, settings):
    """Mode "unix": gunicorn bound to a Unix socket gives an empty REMOTE_ADDR; any TCP peer
    (loopback included) is ignored. A configured secret is still demanded."""
    settings.EFOS_CLIENT_CERT_PROXY = "unix"
    settings.EFOS_PROXY_SECRET = ""
    over_socket = {**cert_header(holder[2]), "REMOTE_ADDR": ""}
    assert _logged_in(_authorize(client, holder[2], over_socket))
    assert not _logged_in(_authorize(client, holder[2], cert_header(holder[2])))
    settings.EFOS_PROXY_SECRET = PROXY_SECRET
    assert _logged_in(_authorize(client, holder[2], over_socket))
    without = {**over_socket, "HTTP_X_SAMDRIFT_PROXY_SECRET": "wrong"}
    assert not _logged_in(_authorize(client, holder[2], without))


@pytest.mark.slow
def test_production_refuses_secret_mode_without_its_secret(tmp_path):
    """`config/settings/prod.py` names the missing secret; with it, production starts."""
    refused = deploy_check(production_env(tmp_path, SAMDRIFT_EFOS_CLIENT_CERT_PROXY="secret"))
    assert refused.returncode != 0
    assert "SAMDRIFT_EFOS_PROXY_SECRET" in refused.stderr
    started = deploy_check(
        production_env(
            tmp_path,
            SAMDRIFT_EFOS_CLIENT_CERT_PROXY="secret",
            SAMDRIFT_EFOS_PROXY_SECRET=PROXY_SECRET,
            SAMDRIFT_EFOS_TRUSTED_PROXIES="127.0.0.1",
        )
    )
    assert "SAMDRIFT_EFOS_PROXY_SECRET" not in started.stderr, started.stderr
