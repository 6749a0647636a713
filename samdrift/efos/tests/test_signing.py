"""Signing through the pages: re-authentication at our own OP with the sign message shown, PAdES
B-T and B-LTA, validation by pyHanko and by poppler's pdfsig, a changed document reported."""

from __future__ import annotations

import io
import subprocess
from urllib.parse import urlparse

import pikepdf
import pytest

from samdrift.audit.models import AuditEvent
from samdrift.core.actor import SYSTEM
from samdrift.efos import services
from samdrift.efos.models import DocumentSignature, IssuedCertificate
from samdrift.efos.signing import validate_pdf

from .conftest import cert_header, issue_token

pytestmark = pytest.mark.django_db
MESSAGE = "Jag godkänner anslutningsavtalet för Myndighet A."


def simple_pdf(text: str = "Anslutningsavtal") -> bytes:
    pdf = pikepdf.new()
    pdf.add_blank_page(page_size=(595, 842))
    page = pdf.pages[0]
    font = pdf.make_indirect(
        pikepdf.Dictionary(
            Type=pikepdf.Name.Font, Subtype=pikepdf.Name.Type1, BaseFont=pikepdf.Name.Helvetica
        )
    )
    page.Resources = pikepdf.Dictionary(Font=pikepdf.Dictionary(F1=font))
    page.Contents = pdf.make_stream(f"BT /F1 18 Tf 72 760 Td ({text}) Tj ET".encode())
    out = io.BytesIO()
    pdf.save(out)
    return out.getvalue()


@pytest.fixture
def signer_setup(ca, agency, agency_member, efos_admin, client_for):
    official, _credential, result = issue_token(agency, "Sara", "Lind", user=agency_member)
    from samdrift.accounts.selectors import actor_for_user

    document = services.create_document(
        actor=actor_for_user(efos_admin),
        organisation_id=agency.pk,
        title="Anslutningsavtal",
        sign_message=MESSAGE,
        pdf=simple_pdf(),
    )
    return official, result.certificates["authentication"], document, client_for(agency_member)


def sign_through_pages(client, cert, document, level="PAdES-B-LTA", message=MESSAGE):
    response = client.post(f"/efos/documents/{document.pk}/sign/", {"level": level})
    assert response.status_code == 302
    location = urlparse(response["Location"])
    assert location.path == "/efos/authorize"
    # The OP shows the sign message and asks for approval; the card is presented again.
    response = client.get(f"{location.path}?{location.query}", **cert_header(cert))
    assert response.status_code == 200
    assert message in response.content.decode()
    response = client.post(
        "/efos/authorize",
        {"pending": response.context["pending_id"], "decision": "approve"},
        **cert_header(cert),
    )
    callback = urlparse(response["Location"])
    assert callback.path == "/efos/sign/callback"
    return client.get(f"{callback.path}?{callback.query}")


def pdfsig(tmp_path, data: bytes) -> str:
    path = tmp_path / "signed.pdf"
    path.write_bytes(data)
    proc = subprocess.run(
        ["pdfsig", "-nocert", str(path)], capture_output=True, text=True, timeout=60, check=False
    )
    return proc.stdout + proc.stderr


def test_sign_b_lta_through_pages_and_validate(signer_setup, tmp_path):
    official, cert, document, client = signer_setup
    response = sign_through_pages(client, cert, document)
    assert response.status_code == 302
    signature = DocumentSignature.objects.get()
    assert signature.official == official
    assert signature.acr == "http://id.swedenconnect.se/loa/1.0/uncertified-loa3"
    assert signature.sign_message == MESSAGE
    # the one-off certificate is known to OCSP/CRL like any other
    assert IssuedCertificate.objects.filter(
        serial=signature.certificate_serial, usage="one_off_signature"
    ).exists()
    report = validate_pdf(
        bytes(signature.signed_pdf), issuing_crl_der=bytes(services.current_crl().der)
    )
    kinds = [s.kind for s in report.signatures]
    assert kinds == ["signature", "timestamp"], report
    assert report.ok, [s.summary for s in report.signatures]
    assert report.signatures[0].timestamp_ok
    # poppler (NSS) as an independent validator: the signature bytes verify and cover the revision
    out = pdfsig(tmp_path, bytes(signature.signed_pdf))
    assert "Signature Validation: Signature is Valid." in out, out
    assert "Sara Lind" in out
    # the page shows the validation result
    page = client.get(f"/efos/documents/{document.pk}/")
    assert page.status_code == 200
    assert page.context["report"].ok
    assert AuditEvent.objects.filter(action="efos.document.sign").exists()


def test_sign_b_t_and_pdfsig_whole_document(signer_setup, tmp_path):
    _official, cert, document, client = signer_setup
    sign_through_pages(client, cert, document, level="PAdES-B-T")
    signature = DocumentSignature.objects.get()
    report = validate_pdf(
        bytes(signature.signed_pdf), issuing_crl_der=bytes(services.current_crl().der)
    )
    assert [s.kind for s in report.signatures] == ["signature"]
    assert report.ok and report.signatures[0].timestamp_ok
    out = pdfsig(tmp_path, bytes(signature.signed_pdf))
    assert "Signature is Valid" in out and "Total document signed" in out, out


def test_changed_document_is_reported(signer_setup, tmp_path):
    _official, cert, document, client = signer_setup
    sign_through_pages(client, cert, document, level="PAdES-B-T")
    signed = bytes(DocumentSignature.objects.get().signed_pdf)
    crl = bytes(services.current_crl().der)

    # 1. bytes changed inside the signed range: the digest no longer matches
    tampered = signed.replace(b"/Type /Catalog >>", b"/Type /Catalog>> ", 1)  # same length
    assert tampered != signed
    report = validate_pdf(tampered, issuing_crl_der=crl)
    assert report.changed and not report.ok
    assert "Digest Mismatch" in pdfsig(tmp_path, tampered)

    # 2. content added after signing in an incremental update: reported as changed after signing
    pdf = pikepdf.open(io.BytesIO(signed))
    pdf.pages[0].Contents = pdf.make_stream(b"BT /F1 18 Tf 72 700 Td (Nytt pris: 0 kr) Tj ET")
    out = io.BytesIO()
    pdf.save(out)  # pikepdf rewrites the file: the old signature no longer covers it
    report = validate_pdf(out.getvalue(), issuing_crl_der=crl)
    assert not report.ok

    from pyhanko.pdf_utils import generic
    from pyhanko.pdf_utils.incremental_writer import IncrementalPdfFileWriter

    writer = IncrementalPdfFileWriter(io.BytesIO(signed))
    page = writer.root["/Pages"]["/Kids"][0].get_object()
    stream = generic.StreamObject(stream_data=b"BT /F1 18 Tf 72 700 Td (Nytt pris: 0 kr) Tj ET")
    page["/Contents"] = writer.add_object(stream)
    writer.update_container(page)
    updated = io.BytesIO()
    writer.write(updated)
    report = validate_pdf(updated.getvalue(), issuing_crl_der=crl)
    assert report.changed and not report.ok
    assert "not total document signed" in pdfsig(tmp_path, updated.getvalue()).lower()

    # and the validation page says so for an uploaded file
    from django.core.files.uploadedfile import SimpleUploadedFile

    page = client.post("/efos/validate/", {"pdf": SimpleUploadedFile("x.pdf", updated.getvalue())})
    assert page.status_code == 200
    assert page.context["report"].changed


def test_wrong_state_or_other_official_cannot_sign(
    signer_setup, agency, client_for, other_agency, other_agency_contact
):
    _official, _cert, document, client = signer_setup
    # someone else's card at the OP: the ID token names another official, so nothing is signed
    from samdrift.tests.factories import UserFactory

    intruder_user = UserFactory(username="intruder")
    _o, _c, other_result = issue_token(agency, "Ulf", "Annan", user=intruder_user)
    response = client.post(f"/efos/documents/{document.pk}/sign/", {"level": "PAdES-B-T"})
    location = urlparse(response["Location"])
    response = client.get(
        f"{location.path}?{location.query}",
        **cert_header(other_result.certificates["authentication"]),
    )
    response = client.post(
        "/efos/authorize",
        {"pending": response.context["pending_id"], "decision": "approve"},
        **cert_header(other_result.certificates["authentication"]),
    )
    callback = urlparse(response["Location"])
    client.get(f"{callback.path}?{callback.query}")
    assert not DocumentSignature.objects.exists()
    # a forged state: nothing signed
    client.get("/efos/sign/callback?state=forged&code=abc")
    assert not DocumentSignature.objects.exists()
    # another agency's administrator cannot even see the document
    other = client_for(other_agency_contact)
    assert other.get(f"/efos/documents/{document.pk}/").status_code == 404
    assert (
        other.post(f"/efos/documents/{document.pk}/sign/", {"level": "PAdES-B-T"}).status_code
        == 404
    )


def test_not_a_pdf_is_refused(ca, agency):
    from samdrift.core.exceptions import ValidationFailed

    with pytest.raises(ValidationFailed) as info:
        services.create_document(
            actor=SYSTEM, organisation_id=agency.pk, title="x", sign_message="y", pdf=b"hello"
        )
    assert "pdf" in info.value.errors


def test_tsa_endpoint_answers_openssl(ca, client, tmp_path):
    data = tmp_path / "data.txt"
    data.write_bytes(b"hello")
    query = tmp_path / "q.tsq"
    subprocess.run(
        ["openssl", "ts", "-query", "-data", str(data), "-sha256", "-cert", "-out", str(query)],
        check=True,
        capture_output=True,
        timeout=30,
    )
    response = client.post(
        "/efos/tsa", data=query.read_bytes(), content_type="application/timestamp-query"
    )
    reply = tmp_path / "r.tsr"
    reply.write_bytes(response.content)
    chain = tmp_path / "chain.pem"
    chain.write_bytes(ca.chain_pem())
    proc = subprocess.run(
        ["openssl", "ts", "-verify", "-data", str(data), "-in", str(reply), "-CAfile", str(chain)],
        capture_output=True,
        text=True,
        timeout=30,
        check=False,
    )
    assert "Verification: OK" in proc.stdout, proc.stdout + proc.stderr
    garbled = client.post(
        "/efos/tsa", data=b"\x00garbage", content_type="application/timestamp-query"
    )
    (tmp_path / "bad.tsr").write_bytes(garbled.content)
    proc = subprocess.run(
        ["openssl", "ts", "-reply", "-in", str(tmp_path / "bad.tsr"), "-text"],
        capture_output=True,
        text=True,
        timeout=30,
        check=False,
    )
    assert "Status: Rejected." in proc.stdout, proc.stdout + proc.stderr
    assert "wrong format" in proc.stdout


def test_b_lta_passes_the_ades_lta_engine(signer_setup):
    """ETSI EN 319 102-1 style validation of the archival signature, our root the only anchor."""
    from pyhanko.pdf_utils.reader import PdfFileReader
    from pyhanko.sign.ades.report import AdESPassed
    from pyhanko.sign.validation import ades
    from pyhanko.sign.validation.policy_decl import (
        PdfSignatureValidationSpec,
        RevinfoOnlineFetchingRule,
        RevocationInfoGatheringSpec,
        SignatureValidationSpec,
    )
    from pyhanko_certvalidator.context import CertValidationPolicySpec
    from pyhanko_certvalidator.policy_decl import (
        CertRevTrustPolicy,
        RevocationCheckingPolicy,
        RevocationCheckingRule,
    )
    from pyhanko_certvalidator.registry import SimpleTrustManager

    from samdrift.efos.ca.authority import authority
    from samdrift.efos.tsa import asn1_cert

    _official, cert, document, client = signer_setup
    sign_through_pages(client, cert, document, level="PAdES-B-LTA")
    signed = bytes(DocumentSignature.objects.get().signed_pdf)
    policy = CertValidationPolicySpec(
        trust_manager=SimpleTrustManager.build(trust_roots=[asn1_cert(authority().root_cert)]),
        revinfo_policy=CertRevTrustPolicy(
            RevocationCheckingPolicy(
                ee_certificate_rule=RevocationCheckingRule.CRL_OR_OCSP_REQUIRED,
                intermediate_ca_cert_rule=RevocationCheckingRule.CRL_OR_OCSP_REQUIRED,
            )
        ),
    )
    spec = PdfSignatureValidationSpec(
        SignatureValidationSpec(
            cert_validation_policy=policy,
            revinfo_gathering_policy=RevocationInfoGatheringSpec(
                online_fetching_rule=RevinfoOnlineFetchingRule.LOCAL_ONLY
            ),
        )
    )
    reader = PdfFileReader(io.BytesIO(signed))
    import asyncio

    result = asyncio.run(ades.ades_lta_validation(reader.embedded_signatures[0], spec))
    assert result.ades_subindic == AdESPassed.OK, result.ades_subindic
