"""Federation in the generated homeserver configuration (ADR 0665); no Synapse needed here,
test_federation_engine.py federates three real ones with this same configuration."""

from __future__ import annotations

import json
import stat

import pytest
from cryptography import x509

from samdrift.chat import homeserver


@pytest.fixture
def chat_dir(settings, tmp_path):
    settings.CHAT_DIR = tmp_path / "chat"
    settings.CHAT_SERVER_NAME = "chat.myndighet.se"
    settings.CHAT_APPSERVICE_URL = "http://127.0.0.1:9/chat/appservice"
    return tmp_path / "chat"


def _config():
    return json.loads(homeserver.write_config(45678).read_text())


def test_no_allow_list_no_federation_listener_and_no_tls(chat_dir):
    config = _config()
    assert [listener["tls"] for listener in config["listeners"]] == [False]
    assert "tls_certificate_path" not in config
    assert not (chat_dir / "federation-tls.key").exists()


def test_an_allow_list_opens_a_tls_federation_listener_that_verifies_other_servers(
    chat_dir, settings
):
    settings.CHAT_FEDERATION_DOMAIN_WHITELIST = "trafikverket.se:8448"
    config = _config()
    client, federation = config["listeners"]
    assert (client["port"], client["tls"], client["bind_addresses"]) == (
        45678,
        False,
        ["127.0.0.1"],
    )
    assert federation == {
        "port": 8448, "bind_addresses": ["0.0.0.0"], "type": "http", "tls": True,  # noqa: S104
        "x_forwarded": False, "resources": [{"names": ["federation"], "compress": False}],
    }  # fmt: skip
    assert config["federation_verify_certificates"] is True
    assert config["federation_client_minimum_tls_version"] == "1.2"
    assert "ip_range_whitelist" not in config  # federation never reaches private addresses
    assert "federation_custom_ca_list" not in config
    assert config["federation_domain_whitelist"] == ["trafikverket.se:8448"]
    assert config["allow_public_rooms_over_federation"] is False
    # No certificate given: a self-signed one for the server name, its key owner-only.
    cert = x509.load_pem_x509_certificate((chat_dir / "federation-tls.crt").read_bytes())
    names = cert.extensions.get_extension_for_class(x509.SubjectAlternativeName).value
    assert names.get_values_for_type(x509.DNSName) == ["chat.myndighet.se"]
    key = chat_dir / "federation-tls.key"
    assert config["tls_private_key_path"] == str(key)
    assert stat.S_IMODE(key.stat().st_mode) == 0o600
    # Made once: a second write keeps it.
    before = key.read_bytes()
    _config()
    assert key.read_bytes() == before
    # A new server name gets a new one.
    settings.CHAT_SERVER_NAME = "chat.annan-myndighet.se"
    _config()
    assert key.read_bytes() != before


def test_a_certificate_a_port_addresses_and_authorities_from_the_settings(chat_dir, settings):
    settings.CHAT_FEDERATION_DOMAIN_WHITELIST = ["trafikverket.se", "skatteverket.se"]
    settings.CHAT_FEDERATION_PORT = 443
    settings.CHAT_FEDERATION_BIND_ADDRESSES = "10.0.0.5, ::"
    settings.CHAT_FEDERATION_TLS_CERTIFICATE = "/etc/samdrift/chat.crt"
    settings.CHAT_FEDERATION_TLS_KEY = "/etc/samdrift/chat.key"
    settings.CHAT_FEDERATION_CA_FILES = '["/etc/samdrift/myndighets-ca.pem"]'
    config = _config()
    federation = config["listeners"][1]
    assert (federation["port"], federation["bind_addresses"]) == (443, ["10.0.0.5", "::"])
    assert config["tls_certificate_path"] == "/etc/samdrift/chat.crt"
    assert config["tls_private_key_path"] == "/etc/samdrift/chat.key"
    assert config["federation_custom_ca_list"] == ["/etc/samdrift/myndighets-ca.pem"]
    assert not (chat_dir / "federation-tls.key").exists()


@pytest.mark.parametrize(
    ("names", "change", "message"),
    [
        (["localhost:8449"], {"CHAT_FEDERATION_PORT": 45678}, "must differ from the client port"),
        (["t.se"], {"CHAT_FEDERATION_TLS_KEY": "/k.pem"}, "Set both"),
        # Certificates unverified only between servers on the loopback: not for a real agency ...
        (["localhost:8449", "trafikverket.se"], {"CHAT_FEDERATION_LOOPBACK_INSECURE_TLS": True,
                                                 "CHAT_SERVER_NAME": "localhost:8448"},
         "only, not trafikverket.se /"),
        # ... nor when this server is not on the loopback itself.
        (["localhost:8449"], {"CHAT_FEDERATION_LOOPBACK_INSECURE_TLS": "1"},
         "not chat.myndighet.se"),
        (["127.0.0.1:8449"], {"CHAT_FEDERATION_LOOPBACK_INSECURE_TLS": True,
                              "CHAT_SERVER_NAME": "localhost:8448"}, "not 127.0.0.1:8449"),
    ],
)  # fmt: skip
def test_unsafe_or_inconsistent_federation_settings_are_refused(
    chat_dir, settings, names, change, message
):
    settings.CHAT_FEDERATION_DOMAIN_WHITELIST = names
    for name, value in change.items():
        setattr(settings, name, value)
    with pytest.raises(homeserver.HomeserverError, match=message):
        homeserver.write_config(45678)
    assert not (chat_dir / "homeserver.yaml").exists()


def test_loopback_federation_for_the_tests_turns_verification_off_and_allows_the_loopback(
    chat_dir, settings
):
    settings.CHAT_SERVER_NAME = "localhost:8448"
    settings.CHAT_FEDERATION_DOMAIN_WHITELIST = ["localhost:8449"]
    settings.CHAT_FEDERATION_LOOPBACK_INSECURE_TLS = True
    config = _config()
    assert config["federation_verify_certificates"] is False
    assert config["ip_range_whitelist"] == ["127.0.0.1", "::1"]
    cert = x509.load_pem_x509_certificate((chat_dir / "federation-tls.crt").read_bytes())
    names = cert.extensions.get_extension_for_class(x509.SubjectAlternativeName).value
    assert names.get_values_for_type(x509.DNSName) == ["localhost"]
    assert [str(a) for a in names.get_values_for_type(x509.IPAddress)] == ["127.0.0.1", "::1"]
