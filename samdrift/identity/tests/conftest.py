"""A real development OpenID provider process on loopback, and helpers to log in through it."""

from __future__ import annotations

import json
import subprocess
import sys
import urllib.parse
from dataclasses import dataclass
from pathlib import Path

import pytest
import requests
from joserfc.jwk import ECKey, KeySet

from samdrift.identity import loa, oidc
from samdrift.identity.models import IdentityProvider
from samdrift.tests.factories import OrganisationFactory, ProviderFactory, luhn_complete

REDIRECT_URI = "http://testserver/identity/callback/"
CLIENT_ID = "samdrift-test"

KNOWN_ORG = luhn_complete("202100300")
SECOND_ORG = luhn_complete("202100301")
UNKNOWN_ORG = luhn_complete("202100302")
PROVIDER_ORG = "202100-5521"

OFFICIALS = [
    {
        "uid": "anna",
        "given_name": "Anna",
        "family_name": "Ek",
        "org_number": KNOWN_ORG,
        "org_name": "Testverket",
    },
    {
        "uid": "bo",
        "given_name": "Bo",
        "family_name": "Lind",
        "org_number": KNOWN_ORG,
        "org_name": "Testverket",
    },
    {
        "uid": "cecilia",
        "given_name": "Cecilia",
        "family_name": "Holm",
        "org_number": UNKNOWN_ORG,
        "org_name": "Okända verket",
    },
    {
        "uid": "david",
        "given_name": "David",
        "family_name": "Berg",
        "org_number": PROVIDER_ORG,
        "org_name": "Försäkringskassan",
    },
]


def digits(org_number: str) -> str:
    return org_number.replace("-", "")


def official_key(uid: str) -> str:
    row = next(o for o in OFFICIALS if o["uid"] == uid)
    return f"{uid}@{digits(row['org_number'])}"


@dataclass
class DevIdp:
    issuer: str
    process: subprocess.Popen


@pytest.fixture(scope="session")
def rp_key_file(tmp_path_factory) -> Path:
    folder = tmp_path_factory.mktemp("identity")
    path = folder / "rp-key.json"
    key = ECKey.generate_key("P-256", parameters={"kid": "rp-test"})
    path.write_text(json.dumps(key.as_dict(private=True)))
    (folder / "rp-jwks.json").write_text(json.dumps(KeySet([key]).as_dict(private=False)))
    return path


@pytest.fixture(scope="session")
def dev_idp(rp_key_file) -> DevIdp:
    """The development provider as a real subprocess on a free loopback port, faults allowed."""
    officials = rp_key_file.parent / "officials.json"
    officials.write_text(json.dumps(OFFICIALS), encoding="utf-8")
    process = subprocess.Popen(
        [
            sys.executable,
            "-m",
            "samdrift.identity.devidp",
            "--port",
            "0",
            "--client-id",
            CLIENT_ID,
            "--redirect-uri",
            REDIRECT_URI,
            "--client-jwks",
            str(rp_key_file.parent / "rp-jwks.json"),
            "--officials",
            str(officials),
            "--allow-faults",
        ],
        stdout=subprocess.PIPE,
        text=True,
    )
    line = process.stdout.readline().strip()
    assert line.startswith("dev-idp listening on "), line
    issuer = line.rsplit(" ", 1)[1]
    yield DevIdp(issuer=issuer, process=process)
    process.terminate()
    process.wait(timeout=10)


@pytest.fixture(autouse=True)
def _rp_key(settings, rp_key_file):
    settings.SAMDRIFT_IDENTITY_RP_KEY = str(rp_key_file)
    oidc._key_cache.clear()


@pytest.fixture
def known_agency(db):
    return OrganisationFactory(name="Testverket", org_number=KNOWN_ORG)


@pytest.fixture
def fk(db):
    return ProviderFactory(name="Försäkringskassan", org_number=PROVIDER_ORG)


@pytest.fixture
def idp(db, dev_idp, known_agency):
    return IdentityProvider.objects.create(
        slug="dev",
        name="Dev IdP",
        issuer=dev_idp.issuer,
        client_id=CLIENT_ID,
        is_development=True,
    )


def authorize_params(response) -> dict[str, str]:
    assert response.status_code == 302, response.status_code
    query = urllib.parse.urlsplit(response["Location"]).query
    return dict(urllib.parse.parse_qsl(query))


def login_via(
    client, idp, *, uid="anna", acr=loa.LOA3, level=3, fault="", next_url="/identity/session/"
):
    """Drive one login like a browser: RP → provider's page (POST the form) → RP callback."""
    start = client.post(f"/identity/login/{idp.slug}/", {"level": level, "next": next_url})
    params = authorize_params(start)
    page = requests.get(start["Location"], timeout=10)
    assert page.status_code == 200
    answer = requests.post(
        idp.issuer + "/authorize",
        data={**params, "official": official_key(uid), "acr": acr, "fault": fault},
        allow_redirects=False,
        timeout=10,
    )
    assert answer.status_code == 302
    back = urllib.parse.urlsplit(answer.headers["Location"])
    assert f"http://{back.netloc}{back.path}" == REDIRECT_URI
    return client.get(f"{back.path}?{back.query}")
