"""Service-level rules: a token is accepted once; the CLI; the demo loader; purging."""

from __future__ import annotations

import datetime
import io
import json
import os
import subprocess
import sys
import time

import pytest
import requests
from django.core.management import CommandError, call_command
from django.utils import timezone

from samdrift.audit.models import AuditEvent
from samdrift.identity import loa
from samdrift.identity.models import IdentityProvider, LoginTransaction, UsedIdToken
from samdrift.identity.oidc import ORG_AFFILIATION, LoginRefused
from samdrift.identity.services import login_begin, login_finish, purge_expired

from .conftest import KNOWN_ORG, OFFICIALS

pytestmark = pytest.mark.django_db


@pytest.fixture
def provider(known_agency):
    return IdentityProvider.objects.create(
        slug="p", name="P", issuer="http://127.0.0.1:9/p", client_id="c"
    )


def _claims(**extra):
    now = int(time.time())
    return {
        "iss": "http://127.0.0.1:9/p",
        "sub": "sub-1",
        "aud": "c",
        "exp": now + 300,
        "iat": now,
        "auth_time": now,
        "nonce": "n",
        "acr": loa.LOA3,
        "jti": "token-1",
        ORG_AFFILIATION: f"anna@{KNOWN_ORG.replace('-', '')}",
        "given_name": "Anna",
        "family_name": "Ek",
        **extra,
    }


def test_the_same_id_token_is_accepted_only_once(provider):
    first = login_begin(provider=provider, min_rank=3, next_url="/", step_up_user=None)
    result = login_finish(pending=first, id_token="a.b.c", claims=_claims())
    assert result.rank == 3
    second = login_begin(provider=provider, min_rank=3, next_url="/", step_up_user=None)
    with pytest.raises(LoginRefused) as refused:
        login_finish(pending=second, id_token="a.b.c", claims=_claims())
    assert refused.value.code == "replayed_token"
    assert AuditEvent.objects.filter(action="identity.login").count() == 1


@pytest.mark.parametrize(
    "claims",
    [
        {ORG_AFFILIATION: "no-at-sign"},
        {ORG_AFFILIATION: "anna@123"},
        {
            ORG_AFFILIATION: f"anna@{KNOWN_ORG.replace('-', '')}",
            "https://id.oidc.se/claim/orgNumber": "2021009999",
        },
    ],
)
def test_missing_or_inconsistent_organisation_claims_are_refused(provider, claims):
    pending = login_begin(provider=provider, min_rank=3, next_url="/", step_up_user=None)
    with pytest.raises(LoginRefused) as refused:
        login_finish(pending=pending, id_token="x.y.z", claims=_claims(**claims))
    assert refused.value.code == "missing_claims"
    assert not AuditEvent.objects.filter(action="identity.login").exists()


def test_purge_forgets_expired_state(provider):
    old = login_begin(provider=provider, min_rank=2, next_url="/", step_up_user=None)
    LoginTransaction.objects.filter(pk=old.pk).update(
        created_at=timezone.now() - datetime.timedelta(days=2)
    )
    UsedIdToken.objects.create(
        provider=provider, token_id="t", expires_at=timezone.now() - datetime.timedelta(hours=1)
    )
    fresh = login_begin(provider=provider, min_rank=2, next_url="/", step_up_user=None)
    assert purge_expired() == 2
    assert list(LoginTransaction.objects.values_list("pk", flat=True)) == [fresh.pk]


def test_add_provider_command(known_agency):
    out = io.StringIO()
    call_command(
        "identity",
        "add-provider",
        "--slug",
        "verket",
        "--name",
        "Verkets IdP",
        "--issuer",
        "https://idp.verket.example",
        "--client-id",
        "samdrift",
        "--agency",
        KNOWN_ORG,
        stdout=out,
    )
    provider = IdentityProvider.objects.get(slug="verket")
    assert provider.organisation == known_agency
    assert AuditEvent.objects.filter(action="identity.provider_created").count() == 1
    with pytest.raises(CommandError):
        call_command(
            "identity",
            "add-provider",
            "--slug",
            "verket",
            "--name",
            "Again",
            "--issuer",
            "https://other.example",
            "--client-id",
            "x",
            stdout=out,
        )
    with pytest.raises(CommandError):
        call_command(
            "identity",
            "add-provider",
            "--slug",
            "x",
            "--name",
            "X",
            "--issuer",
            "https://x",
            "--client-id",
            "x",
            "--agency",
            "999999-9999",
            stdout=out,
        )
    assert IdentityProvider.objects.count() == 1
    assert AuditEvent.objects.filter(action="identity.provider_created").count() == 1


def test_dev_idp_command_starts_on_loopback(tmp_path, rp_key_file):
    officials = tmp_path / "officials.json"
    officials.write_text(json.dumps(OFFICIALS), encoding="utf-8")
    env = dict(
        os.environ, DJANGO_SETTINGS_MODULE="config.settings.test", SAMDRIFT_DATA_DIR=str(tmp_path)
    )
    process = subprocess.Popen(
        [
            sys.executable,
            "-m",
            "samdrift.cli",
            "identity",
            "dev-idp",
            "--port",
            "0",
            "--officials",
            str(officials),
        ],
        stdout=subprocess.PIPE,
        text=True,
        env=env,
    )
    try:
        line = process.stdout.readline().strip()
        assert line.startswith("dev-idp listening on http://127.0.0.1:")
        issuer = line.rsplit(" ", 1)[1]
        warning = process.stdout.readline()
        assert "DEVELOPMENT TOOL" in warning
        meta = requests.get(issuer + "/.well-known/openid-configuration", timeout=10).json()
        assert meta["issuer"] == issuer
        # without a JWKS file given, the command publishes samdrift's own key for the client
        assert (tmp_path / "identity" / "rp-jwks.json").exists()
    finally:
        process.terminate()
        process.wait(timeout=10)


def test_dev_idp_refuses_to_listen_beyond_loopback():
    from samdrift.identity import devidp

    with pytest.raises(ValueError):
        devidp.make_server(
            host="0.0.0.0",  # noqa: S104
            port=0,
            officials=[],
            client=devidp.Client(client_id="c", redirect_uris=[], jwks_source="x"),
        )


def test_demo_load_is_idempotent_and_links_demo_users(fk):
    from samdrift.identity import demo
    from samdrift.identity.devidp import pairwise_subject
    from samdrift.identity.models import ExternalIdentity
    from samdrift.tests.factories import MembershipFactory, UserFactory

    admin = UserFactory(username="admin", first_name="Alva", last_name="Administratör")
    MembershipFactory(user=admin, organisation=fk, role="provider_admin")
    demo.load(stdout=io.StringIO())
    demo.load(stdout=io.StringIO())
    assert IdentityProvider.objects.filter(slug=demo.DEV_IDP_SLUG).count() == 1
    link = ExternalIdentity.objects.get()
    assert link.user == admin
    assert link.subject == pairwise_subject(demo.DEV_CLIENT_ID, "admin@2021005521")
    officials = demo.demo_officials()
    assert officials[0]["uid"] == "admin"
    assert officials[-1] == demo.UNKNOWN_AGENCY_OFFICIAL
    assert AuditEvent.objects.filter(action="identity.demo_loaded").count() == 1


def test_rp_key_is_created_once_even_when_workers_race(tmp_path, settings):
    import threading

    from samdrift.identity import oidc

    path = tmp_path / "k" / "rp-key.json"
    settings.SAMDRIFT_IDENTITY_RP_KEY = str(path)
    start = threading.Barrier(8)
    contents: list[str] = []

    def worker():
        start.wait()
        oidc._create_key_file(path)  # no lock here: as in separate server processes
        contents.append(path.read_text())

    threads = [threading.Thread(target=worker) for _ in range(8)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert len(set(contents)) == 1
    assert oidc.rp_key().as_dict(private=True) == json.loads(contents[0])
    assert oct(path.stat().st_mode & 0o777) == "0o600"
    assert [p.name for p in path.parent.iterdir()] == ["rp-key.json"]
