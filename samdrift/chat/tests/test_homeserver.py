"""The homeserver's configuration generated from samdrift's settings (no Synapse needed here;
test_engine.py starts the real one with this same configuration)."""

from __future__ import annotations

import json
import stat

import pytest

from samdrift.chat import homeserver


@pytest.fixture
def chat_dir(settings, tmp_path):
    settings.CHAT_DIR = tmp_path / "chat"
    settings.CHAT_SERVER_NAME = "chat.myndighet.se"
    settings.CHAT_APPSERVICE_URL = "http://127.0.0.1:9/chat/appservice"
    return tmp_path / "chat"


def _config(chat_dir, port=45678):
    homeserver.write_config(port)
    return (
        json.loads((chat_dir / "homeserver.yaml").read_text()),
        json.loads((chat_dir / "appservice.yaml").read_text()),
    )


def test_the_defaults_are_closed_sqlite_loopback_no_registration_no_federation(chat_dir):
    config, registration = _config(chat_dir)
    assert config["server_name"] == "chat.myndighet.se"
    assert config["database"] == {
        "name": "sqlite3", "args": {"database": str(chat_dir / "homeserver.db")},
    }  # fmt: skip
    [listener] = config["listeners"]
    assert (listener["port"], listener["bind_addresses"]) == (45678, ["127.0.0.1"])
    assert listener["resources"][0]["names"] == ["client"]  # no federation resource
    assert config["enable_registration"] is False
    assert config["password_config"] == {"enabled": False}
    assert config["federation_domain_whitelist"] == []
    assert config["retention"] == {"enabled": False}  # samdrift archives, then purges
    assert config["media_store_path"] == str(chat_dir / "media")
    assert config["app_service_config_files"] == [str(chat_dir / "appservice.yaml")]
    assert registration["url"] == "http://127.0.0.1:9/chat/appservice"
    assert registration["namespaces"]["users"] == [
        {"exclusive": True, "regex": "@samdrift_.*:chat\\.myndighet\\.se"}
    ]


def test_federation_and_postgresql_follow_the_settings(chat_dir, settings):
    settings.CHAT_FEDERATION_DOMAIN_WHITELIST = "trafikverket.se, skatteverket.se"
    settings.CHAT_DATABASE_URL = "postgresql://synapse:hemligt@db.local:5433/synapse"
    config, _registration = _config(chat_dir)
    assert config["federation_domain_whitelist"] == ["trafikverket.se", "skatteverket.se"]
    assert config["listeners"][0]["resources"][0]["names"] == ["client", "federation"]
    assert config["database"]["name"] == "psycopg2"
    assert config["database"]["args"] | {"cp_min": 0} == {
        "user": "synapse", "password": "hemligt", "host": "db.local", "port": 5433,
        "database": "synapse", "cp_min": 0, "cp_max": 10,
    }  # fmt: skip
    assert config["retention"] == {"enabled": False}


def test_keys_and_secrets_are_made_once_owner_only_and_kept(chat_dir):
    config, registration = _config(chat_dir)
    key = chat_dir / "signing.key"
    algorithm, key_id, seed = key.read_text().split()
    assert algorithm == "ed25519" and key_id.startswith("a_") and len(seed) == 43
    assert registration["as_token"] != registration["hs_token"]
    for path in [key, *(chat_dir / "secrets").iterdir(), chat_dir / "homeserver.yaml"]:
        assert stat.S_IMODE(path.stat().st_mode) == 0o600, path
    again, registration_again = _config(chat_dir, port=45679)
    assert key.read_text().split()[2] == seed
    assert registration_again["hs_token"] == registration["hs_token"]
    assert again["macaroon_secret_key"] == config["macaroon_secret_key"]
    with pytest.raises(KeyError):
        homeserver.secret("../../etc/passwd")
