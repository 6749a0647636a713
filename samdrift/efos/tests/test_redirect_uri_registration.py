"""Client registration compares redirect URIs by parsed host, not by prefix (issue 19 item 10)."""

from __future__ import annotations

import pytest
from joserfc.jwk import ECKey

from samdrift.core.actor import SYSTEM
from samdrift.core.exceptions import ValidationFailed
from samdrift.efos import services
from samdrift.efos.models import OidcClient

pytestmark = pytest.mark.django_db


def _register(uri: str) -> OidcClient:
    key = ECKey.generate_key("P-256", auto_kid=True)
    return services.register_client(
        actor=SYSTEM, client_id="probe-rp", name="Probe", redirect_uris=[uri],
        jwks={"keys": [key.as_dict(private=False)]},
    )  # fmt: skip


@pytest.mark.parametrize(
    "uri",
    [
        "http://127.0.0.1.evil.example/cb",  # the probe's finding: a prefix of loopback
        "http://localhost.evil.example/cb",
        "http://127.0.0.1@evil.example/cb",  # user info
        "http://evil.example/cb",
        "https://rp.example/cb#fragment",
        "https://rp.example/c b",
        "https://rp.example:99999/cb",
        "javascript:alert(1)",
        "https:///cb",
    ],
)
def test_look_alike_and_malformed_redirect_uris_are_refused(uri):
    with pytest.raises(ValidationFailed) as refused:
        _register(uri)
    assert "redirect_uris" in refused.value.errors
    assert not OidcClient.objects.filter(client_id="probe-rp").exists()


@pytest.mark.parametrize(
    "uri",
    [
        "https://rp.example/cb",
        "http://127.0.0.1:8711/cb",
        "http://localhost/cb",
        "http://[::1]:9/cb",
    ],
)
def test_https_and_real_loopback_are_accepted(uri):
    client = _register(uri)
    assert client.redirect_uris == [uri]
