"""EFOS test fixtures: one real CA per test session (in a temporary directory), officials with
software tokens, and helpers to present a client certificate the way the TLS proxy does."""

from __future__ import annotations

import base64
import hashlib
import secrets
from urllib.parse import quote

import pytest
from cryptography.hazmat.primitives import serialization

from samdrift.core.actor import SYSTEM
from samdrift.efos import services
from samdrift.efos.ca.authority import authority

PROXY_SECRET = "test-proxy-secret-" + "x" * 32


@pytest.fixture(scope="session")
def efos_ca_dir(tmp_path_factory):
    return tmp_path_factory.mktemp("efos-ca")


@pytest.fixture(autouse=True)
def efos_settings(settings, efos_ca_dir):
    settings.EFOS_CA_DIR = efos_ca_dir
    settings.EFOS_CA_PASSPHRASE = "test-passphrase"
    settings.EFOS_BASE_URL = "http://testserver"
    settings.EFOS_CRL_INTERVAL = 3600
    # The tests play the TLS proxy: from 127.0.0.1 with the shared secret (ADR 0307). The
    # default (off) and the refusals are tested in test_client_cert_proxy.py.
    settings.EFOS_CLIENT_CERT_PROXY = "secret"
    settings.EFOS_TRUSTED_PROXIES = "127.0.0.1,::1"
    settings.EFOS_PROXY_SECRET = PROXY_SECRET
    return settings


@pytest.fixture
def ca(efos_settings):
    return authority()


@pytest.fixture
def efos_admin(agency_contact):
    """Agency A's EFOS administrator (the contact role)."""
    return agency_contact


@pytest.fixture
def efos_operator(security_officer):
    return security_officer


def issue_token(organisation, given_name="Anna", surname="Andersson", user=None):
    """An official with an active e-ID: returns (official, credential, IssueResult)."""
    official = services.add_official(
        actor=SYSTEM,
        organisation_id=organisation.pk,
        given_name=given_name,
        surname=surname,
        user_id=user.pk if user else None,
    )
    credential = services.order_credential(actor=SYSTEM, official=official)
    credential = services.verify_identity(actor=SYSTEM, credential=credential, note="test")
    result = services.issue_credential(actor=SYSTEM, credential=credential)
    services.activate_credential(actor=SYSTEM, credential=result.credential)
    result.credential.refresh_from_db()
    return official, result.credential, result


def cert_header(cert) -> dict[str, str]:
    """What nginx passes on with `$ssl_client_escaped_cert`, from the trusted proxy address, with
    the shared secret the proxy adds."""
    pem = cert.public_bytes(serialization.Encoding.PEM).decode()
    return {
        "HTTP_X_SSL_CLIENT_CERT": quote(pem),
        "HTTP_X_SAMDRIFT_PROXY_SECRET": PROXY_SECRET,
        "REMOTE_ADDR": "127.0.0.1",
    }


def pkce_pair() -> tuple[str, str]:
    verifier = secrets.token_urlsafe(48)
    challenge = (
        base64.urlsafe_b64encode(hashlib.sha256(verifier.encode()).digest()).rstrip(b"=").decode()
    )
    return verifier, challenge
