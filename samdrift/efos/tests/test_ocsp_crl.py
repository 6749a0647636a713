"""OCSP over real HTTP, checked with `openssl ocsp` as an independent client; the CRL; refusals."""

from __future__ import annotations

import subprocess

import pytest
import requests
from cryptography import x509
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.x509 import ocsp

from samdrift.audit.tests.security_log import refused
from samdrift.core.actor import SYSTEM
from samdrift.efos import services

from .conftest import issue_token


def _write(path, cert):
    path.write_bytes(cert.public_bytes(serialization.Encoding.PEM))
    return str(path)


def _openssl_ocsp(tmp_path, ca, cert, url):
    issuer = _write(tmp_path / "issuer.pem", ca.issuing_cert)
    target = _write(tmp_path / "cert.pem", cert)
    chain = tmp_path / "chain.pem"
    chain.write_bytes(ca.chain_pem())
    return subprocess.run(
        [
            "openssl",
            "ocsp",
            "-issuer",
            issuer,
            "-cert",
            target,
            "-url",
            url,
            "-CAfile",
            str(chain),
            "-resp_text",
        ],
        capture_output=True,
        text=True,
        timeout=30,
        check=False,
    )


@pytest.mark.django_db(transaction=True)
def test_openssl_ocsp_sees_good_then_suspended_then_revoked(
    ca, agency, live_server, settings, tmp_path
):
    settings.EFOS_BASE_URL = live_server.url
    _official, credential, result = issue_token(agency)
    cert = result.certificates["authentication"]
    url = f"{live_server.url}/efos/ocsp"

    proc = _openssl_ocsp(tmp_path, ca, cert, url)
    assert "Response verify OK" in proc.stderr, proc.stderr
    assert f"{tmp_path}/cert.pem: good" in proc.stdout, proc.stdout

    services.suspend_credential(actor=SYSTEM, credential=credential)
    proc = _openssl_ocsp(tmp_path, ca, cert, url)
    assert "cert.pem: revoked" in proc.stdout
    assert "Reason: certificateHold" in proc.stdout

    services.revoke_credential(actor=SYSTEM, credential=credential, reason="key_compromise")
    proc = _openssl_ocsp(tmp_path, ca, cert, url)
    assert "Response verify OK" in proc.stderr
    assert "cert.pem: revoked" in proc.stdout
    assert "Reason: keyCompromise" in proc.stdout

    # The CRL published after the revocation lists it, and openssl verifies its signature.
    crl_der = requests.get(f"{live_server.url}/efos/crl", timeout=10).content
    crl = x509.load_der_x509_crl(crl_der)
    assert crl.get_revoked_certificate_by_serial_number(cert.serial_number) is not None
    assert crl.is_signature_valid(ca.issuing_cert.public_key())
    (tmp_path / "crl.der").write_bytes(crl_der)
    proc = subprocess.run(
        [
            "openssl",
            "crl",
            "-inform",
            "DER",
            "-in",
            str(tmp_path / "crl.der"),
            "-CAfile",
            str(tmp_path / "chain.pem"),
            "-noout",
        ],
        capture_output=True,
        text=True,
        timeout=30,
        check=False,
    )
    assert "verify OK" in (proc.stdout + proc.stderr)


@pytest.mark.django_db(transaction=True)
def test_openssl_ocsp_unknown_serial(ca, live_server, settings, tmp_path):
    from samdrift.efos.ca.authority import now
    from samdrift.efos.ca.keys import new_ec
    from samdrift.efos.ca.profiles import official_builder, official_subject

    settings.EFOS_BASE_URL = live_server.url
    key = new_ec()
    subject = official_subject(
        organisation_name="X", org_number="2021005521", given_name="A", surname="B", uid="ab"
    )
    # Signed by our CA but never recorded: the responder must say "unknown", not "good".
    cert = ca.issue(
        official_builder(
            subject=subject,
            public_key=key.public_key(),
            usage="authentication",
            not_before=now(),
            not_after=now().replace(year=now().year + 1),
        )
    )
    proc = _openssl_ocsp(tmp_path, ca, cert, f"{live_server.url}/efos/ocsp")
    assert "cert.pem: unknown" in proc.stdout, proc.stdout


@pytest.mark.django_db
def test_garbled_and_foreign_requests_are_refused_and_audited(ca, agency, client):
    response = client.post(
        "/efos/ocsp", data=b"\x30\x03garbage", content_type="application/ocsp-request"
    )
    assert response.status_code == 200
    assert (
        ocsp.load_der_ocsp_response(response.content).response_status
        == ocsp.OCSPResponseStatus.MALFORMED_REQUEST
    )
    assert refused("efos.refused.ocsp") == 1

    # A certificate from another CA: the responder is not authoritative for it.
    import tempfile
    from pathlib import Path

    from samdrift.efos.ca.authority import Authority, create_ca

    other_dir = Path(tempfile.mkdtemp())
    create_ca(other_dir, b"other")
    other = Authority(other_dir, b"other")
    request = (
        ocsp.OCSPRequestBuilder()
        .add_certificate(other.ocsp_cert, other.issuing_cert, hashes.SHA1())  # noqa: S303
        .build()
    )
    response = client.post(
        "/efos/ocsp",
        data=request.public_bytes(serialization.Encoding.DER),
        content_type="application/ocsp-request",
    )
    assert (
        ocsp.load_der_ocsp_response(response.content).response_status
        == ocsp.OCSPResponseStatus.UNAUTHORIZED
    )
    assert refused("efos.refused.ocsp") == 2


@pytest.mark.django_db
def test_ocsp_get_and_nonce(ca, agency, client):
    import base64

    _official, _credential, result = issue_token(agency)
    cert = result.certificates["signature"]
    request = (
        ocsp.OCSPRequestBuilder()
        .add_certificate(cert, ca.issuing_cert, hashes.SHA256())
        .add_extension(x509.OCSPNonce(b"0123456789abcdef"), critical=False)
        .build()
    )
    encoded = base64.b64encode(request.public_bytes(serialization.Encoding.DER)).decode()
    response = client.get(f"/efos/ocsp/{encoded}")
    parsed = ocsp.load_der_ocsp_response(response.content)
    assert parsed.certificate_status == ocsp.OCSPCertStatus.GOOD
    assert parsed.serial_number == cert.serial_number
    assert (
        parsed.extensions.get_extension_for_class(x509.OCSPNonce).value.nonce == b"0123456789abcdef"
    )
    # Signed by the delegated responder, which the issuing CA certified for OCSP signing only.
    responder = parsed.certificates[0]
    responder.verify_directly_issued_by(ca.issuing_cert)
    assert (
        parsed.responder_key_hash
        == x509.SubjectKeyIdentifier.from_public_key(responder.public_key()).digest
    )


@pytest.mark.django_db
def test_crl_is_republished_on_schedule(ca, agency, client, settings):
    import datetime as dt

    from samdrift.efos.models import CrlPublication

    first = client.get("/efos/crl")
    assert first.status_code == 200
    assert CrlPublication.objects.count() == 1
    client.get("/efos/crl")
    assert CrlPublication.objects.count() == 1  # still fresh
    CrlPublication.objects.update(this_update=dt.datetime(2020, 1, 1, tzinfo=dt.UTC))
    client.get("/efos/crl")
    assert CrlPublication.objects.count() == 2
    crl = x509.load_der_x509_crl(client.get("/efos/crl").content)
    assert crl.extensions.get_extension_for_class(x509.CRLNumber).value.crl_number == 2


@pytest.mark.django_db
def test_presigned_responses_never_outlive_a_status_change(ca, agency, client):
    _official, credential, result = issue_token(agency)
    cert = result.certificates["authentication"]
    der = (
        ocsp.OCSPRequestBuilder()
        .add_certificate(cert, ca.issuing_cert, hashes.SHA256())
        .build()
        .public_bytes(serialization.Encoding.DER)
    )

    def ask() -> bytes:
        return client.post("/efos/ocsp", data=der, content_type="application/ocsp-request").content

    first, second = ask(), ask()
    assert first == second  # no nonce: the pre-signed response is reused
    assert ocsp.load_der_ocsp_response(first).certificate_status == ocsp.OCSPCertStatus.GOOD
    services.suspend_credential(actor=SYSTEM, credential=credential)
    held = ocsp.load_der_ocsp_response(ask())
    assert held.certificate_status == ocsp.OCSPCertStatus.REVOKED
    assert held.revocation_reason == x509.ReasonFlags.certificate_hold
    credential.refresh_from_db()
    services.resume_credential(actor=SYSTEM, credential=credential)
    assert ocsp.load_der_ocsp_response(ask()).certificate_status == ocsp.OCSPCertStatus.GOOD


@pytest.mark.django_db
def test_lean_ocsp_responder_answers_like_the_page_stack(ca, agency):
    import base64
    import io

    from samdrift.efos.ocsp_wsgi import application

    _official, credential, result = issue_token(agency)
    cert = result.certificates["authentication"]
    der = (
        ocsp.OCSPRequestBuilder()
        .add_certificate(cert, ca.issuing_cert, hashes.SHA1())  # noqa: S303
        .add_extension(x509.OCSPNonce(b"n" * 16), critical=False)
        .build()
        .public_bytes(serialization.Encoding.DER)
    )

    def call(method, path="/", body=b""):
        seen = {}

        def start_response(status, headers):
            seen["status"], seen["headers"] = status, dict(headers)

        environ = {
            "REQUEST_METHOD": method,
            "PATH_INFO": path,
            "CONTENT_LENGTH": str(len(body)),
            "wsgi.input": io.BytesIO(body),
        }
        return seen, b"".join(application(environ, start_response))

    seen, body = call("POST", "/efos/ocsp", der)
    assert (
        seen["status"] == "200 OK"
        and seen["headers"]["Content-Type"] == "application/ocsp-response"
    )
    assert ocsp.load_der_ocsp_response(body).certificate_status == ocsp.OCSPCertStatus.GOOD
    services.revoke_credential(actor=SYSTEM, credential=credential, reason="key_compromise")
    _seen, body = call("GET", "/" + base64.b64encode(der).decode())
    assert ocsp.load_der_ocsp_response(body).certificate_status == ocsp.OCSPCertStatus.REVOKED
    _seen, body = call("POST", "/", b"garbage")
    assert (
        ocsp.load_der_ocsp_response(body).response_status
        == ocsp.OCSPResponseStatus.MALFORMED_REQUEST
    )
    seen, _body = call("DELETE")
    assert seen["status"].startswith("405")
