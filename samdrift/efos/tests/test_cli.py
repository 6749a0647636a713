"""`samdrift efos ca-cert | issue | revoke | publish-crl | register-client`."""

from __future__ import annotations

import io
import json

import pytest
from cryptography import x509
from cryptography.hazmat.primitives import serialization
from django.core.management import CommandError, call_command

from samdrift.efos.models import Credential, CrlPublication, IssuedCertificate

pytestmark = pytest.mark.django_db


def run(*args):
    out = io.StringIO()
    call_command("efos", *args, stdout=out)
    return out.getvalue()


def test_ca_cert_issue_revoke(ca, agency, tmp_path):
    run("ca-cert", "--out", str(tmp_path / "chain.pem"))
    chain = x509.load_pem_x509_certificates((tmp_path / "chain.pem").read_bytes())
    assert [c.subject for c in chain] == [ca.issuing_cert.subject, ca.root_cert.subject]

    out = run(
        "issue",
        "--agency",
        agency.org_number.replace("-", ""),
        "--given-name",
        "Dan",
        "--surname",
        "Dahl",
        "--out",
        str(tmp_path / "dan"),
    )
    cert = x509.load_pem_x509_certificate((tmp_path / "dan" / "cert.pem").read_bytes())
    key = serialization.load_pem_private_key(
        (tmp_path / "dan" / "key.pem").read_bytes(), password=None
    )
    assert cert.public_key() == key.public_key()
    assert (tmp_path / "dan" / "key.pem").stat().st_mode & 0o077 == 0
    serial = format(cert.serial_number, "x")
    assert serial in out
    assert Credential.objects.get().status == "active"

    run("revoke", serial, "--reason", "keyCompromise")
    assert IssuedCertificate.objects.get(serial=serial).revocation_reason == "key_compromise"
    assert Credential.objects.get().status == "revoked"
    run("publish-crl")
    assert CrlPublication.objects.exists()


@pytest.mark.parametrize(
    "args",
    [
        [
            "issue",
            "--agency",
            "0000000000",
            "--given-name",
            "A",
            "--surname",
            "B",
            "--out",
            "/tmp/x",
        ],
        ["revoke", "zz-not-hex", "--reason", "unspecified"],
        ["revoke", "abcdef", "--reason", "unspecified"],
    ],
)
def test_bad_cli_input_is_refused(ca, agency, args):
    with pytest.raises(CommandError) as info:
        run(*args)
    assert " / " in str(info.value)  # Swedish and English
    assert not IssuedCertificate.objects.exists()


def test_register_client(ca, tmp_path):
    from joserfc.jwk import ECKey

    key = ECKey.generate_key("P-256", auto_kid=True)
    (tmp_path / "jwks.json").write_text(json.dumps({"keys": [key.as_dict(private=False)]}))
    assert "safos" in run(
        "register-client",
        "--client-id",
        "safos",
        "--redirect-uri",
        "https://safos.example/cb",
        "--jwks",
        str(tmp_path / "jwks.json"),
    )
    (tmp_path / "bad.json").write_text(json.dumps({"keys": [key.as_dict(private=True)]}))
    with pytest.raises(CommandError):
        run(
            "register-client",
            "--client-id",
            "x2",
            "--redirect-uri",
            "https://a/cb",
            "--jwks",
            str(tmp_path / "bad.json"),
        )
