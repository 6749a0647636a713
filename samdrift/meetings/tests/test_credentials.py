"""The formats of what a browser is handed for one room: the Janus token, and TURN credentials in
coturn's REST API scheme — checked against `openssl`, not against our own code."""

from __future__ import annotations

import base64
import re
import subprocess

from samdrift.meetings.credentials import janus_token, turn_credential


def test_a_janus_token_is_random_url_safe_and_long():
    tokens = {janus_token() for _ in range(200)}
    assert len(tokens) == 200
    for token in tokens:
        assert re.fullmatch(r"[A-Za-z0-9_-]{43}", token)


def test_a_turn_credential_is_expiry_colon_person_and_hmac_sha1_of_it_as_openssl_computes():
    secret = "delad-hemlighet-för-coturn"
    turn = turn_credential(
        secret=secret, person="u42", expires=1_796_000_000, urls=["turn:127.0.0.1:3478"]
    )
    assert turn.username == "1796000000:u42"
    mac = subprocess.run(
        ["openssl", "dgst", "-sha1", "-hmac", secret, "-binary"],
        input=turn.username.encode(),
        capture_output=True,
        check=True,
    ).stdout
    assert len(mac) == 20
    assert turn.credential == base64.b64encode(mac).decode()
    assert turn.ice_server() == {
        "urls": ["turn:127.0.0.1:3478"],
        "username": "1796000000:u42",
        "credential": turn.credential,
    }


def test_another_expiry_or_person_gives_another_credential():
    base = turn_credential(secret="s", person="u1", expires=100, urls=[])
    assert (
        base.credential != turn_credential(secret="s", person="u1", expires=101, urls=[]).credential
    )
    assert (
        base.credential != turn_credential(secret="s", person="u2", expires=100, urls=[]).credential
    )
    assert (
        base.credential != turn_credential(secret="t", person="u1", expires=100, urls=[]).credential
    )
