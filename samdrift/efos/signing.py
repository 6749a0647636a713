"""PAdES signing and validation with pyHanko (identity reference §9; ADR 0306).

Federated-signing model: after the official re-authenticates and approves the sign message, the
server makes a one-off key, the issuing CA certifies it for this one signature (subject of the
official, recorded like any certificate so OCSP and the CRL know it), pyHanko signs PAdES B-T
with our own TSA, and B-LTA adds the revocation data and a document timestamp for archiving.
Validation always uses explicit trust roots (our root) and no network.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import io
from dataclasses import dataclass, field
from typing import Any

from asn1crypto import crl as asn1_crl
from asn1crypto import keys as asn1_keys
from cryptography import x509
from cryptography.hazmat.primitives import serialization
from pyhanko.pdf_utils.incremental_writer import IncrementalPdfFileWriter
from pyhanko.pdf_utils.reader import PdfFileReader
from pyhanko.sign import fields, signers
from pyhanko.sign.general import SigningError
from pyhanko.sign.validation import validate_pdf_signature, validate_pdf_timestamp
from pyhanko.sign.validation.settings import KeyUsageConstraints
from pyhanko_certvalidator import ValidationContext
from pyhanko_certvalidator.registry import SimpleCertificateStore

from .ca.authority import Authority, authority, now
from .ca.keys import new_rsa
from .ca.profiles import official_builder, official_subject
from .ca.revocation import build_root_crl
from .tsa import asn1_cert, timestamper

ONE_OFF_VALIDITY = dt.timedelta(days=365 * 3)


class SigningFailed(Exception):
    pass


def sha256_hex(data: bytes) -> str:
    return hashlib.sha256(data).hexdigest()


def is_pdf(data: bytes) -> bool:
    if not data.startswith(b"%PDF-"):
        return False
    try:
        PdfFileReader(io.BytesIO(data))
    except Exception:  # any parse failure means "not a usable PDF"
        return False
    return True


def validation_context(ca: Authority, issuing_crl_der: bytes) -> ValidationContext:
    return ValidationContext(
        trust_roots=[asn1_cert(ca.root_cert)],
        other_certs=[asn1_cert(ca.issuing_cert)],
        crls=[
            asn1_crl.CertificateList.load(issuing_crl_der),
            asn1_crl.CertificateList.load(build_root_crl(ca)),
        ],
        allow_fetching=False,
        revocation_mode="hard-fail",
    )


@dataclass
class Signer:
    given_name: str
    surname: str
    uid: str
    organisation_name: str
    org_number: str


def one_off_certificate(ca: Authority, signer: Signer) -> tuple[x509.Certificate, Any]:
    key = new_rsa(2048)
    start = now() - dt.timedelta(minutes=5)
    subject = official_subject(
        organisation_name=signer.organisation_name,
        org_number=signer.org_number,
        given_name=signer.given_name,
        surname=signer.surname,
        uid=signer.uid,
    )
    cert = ca.issue(
        official_builder(
            subject=subject,
            public_key=key.public_key(),
            usage="one_off_signature",
            not_before=start,
            not_after=start + ONE_OFF_VALIDITY,
        )
    )
    return cert, key


def sign_pdf(
    pdf: bytes,
    *,
    cert: x509.Certificate,
    key: Any,
    level: str,
    issuing_crl_der: bytes,
    reason: str = "",
    ca: Authority | None = None,
) -> bytes:
    ca = ca or authority()
    key_der = key.private_bytes(
        serialization.Encoding.DER, serialization.PrivateFormat.PKCS8, serialization.NoEncryption()
    )
    signer = signers.SimpleSigner(
        signing_cert=asn1_cert(cert),
        signing_key=asn1_keys.PrivateKeyInfo.load(key_der),
        cert_registry=SimpleCertificateStore.from_certs(
            [asn1_cert(ca.issuing_cert), asn1_cert(ca.root_cert)]
        ),
    )
    lta = level == "PAdES-B-LTA"
    writer = IncrementalPdfFileWriter(io.BytesIO(pdf), strict=False)
    existing = len(list(fields.enumerate_sig_fields(writer)))
    meta = signers.PdfSignatureMetadata(
        field_name=f"Signature{existing + 1}",
        md_algorithm="sha256",
        subfilter=fields.SigSeedSubFilter.PADES,
        reason=reason[:200] or None,
        embed_validation_info=lta,
        use_pades_lta=lta,
        validation_context=validation_context(ca, issuing_crl_der) if lta else None,
    )
    output = io.BytesIO()
    try:
        signers.PdfSigner(meta, signer=signer, timestamper=timestamper(ca)).sign_pdf(
            writer, output=output
        )
    except SigningError as exc:
        raise SigningFailed(str(exc)) from exc
    return output.getvalue()


@dataclass
class SignatureReport:
    field_name: str
    kind: str  # "signature" | "timestamp"
    signer: str = ""
    intact: bool = False
    valid: bool = False
    trusted: bool = False
    revoked: bool = False
    coverage: str = ""
    modification_level: str = ""
    signing_time: dt.datetime | None = None
    timestamp_ok: bool | None = None
    changed_after_signing: bool = False
    summary: str = ""

    @property
    def ok(self) -> bool:
        return self.intact and self.valid and self.trusted and not self.changed_after_signing


@dataclass
class ValidationReport:
    signatures: list[SignatureReport] = field(default_factory=list)
    error: str = ""

    @property
    def ok(self) -> bool:
        return bool(self.signatures) and not self.error and all(s.ok for s in self.signatures)

    @property
    def changed(self) -> bool:
        return any(s.changed_after_signing or not s.intact for s in self.signatures)


_ALLOWED_LATER = {"NONE", "LTA_UPDATES"}


def validate_pdf(
    pdf: bytes, *, issuing_crl_der: bytes, ca: Authority | None = None
) -> ValidationReport:
    """Validate every signature and document timestamp against our root only."""
    ca = ca or authority()
    report = ValidationReport()
    try:
        reader = PdfFileReader(io.BytesIO(pdf), strict=False)
        embedded = list(reader.embedded_signatures)
    except Exception as exc:
        report.error = f"not a readable PDF: {type(exc).__name__}"
        return report
    if not embedded:
        report.error = "no signatures"
        return report
    for sig in embedded:
        vc = validation_context(ca, issuing_crl_der)
        item = SignatureReport(
            field_name=sig.field_name or "",
            kind="timestamp" if sig.sig_object_type == "/DocTimeStamp" else "signature",
        )
        try:
            if item.kind == "timestamp":
                status: Any = validate_pdf_timestamp(sig, validation_context=vc)
            else:
                status = validate_pdf_signature(
                    sig,
                    signer_validation_context=vc,
                    ts_validation_context=vc,
                    key_usage_settings=KeyUsageConstraints(key_usage={"non_repudiation"}),
                )
        except Exception as exc:  # a broken signature is a finding, not a crash
            item.summary = f"{type(exc).__name__}: {exc}"[:300]
            report.signatures.append(item)
            continue
        item.intact, item.valid, item.trusted = (
            bool(status.intact),
            bool(status.valid),
            bool(status.trusted),
        )
        item.revoked = bool(getattr(status, "revoked", False))
        item.coverage = status.coverage.name if status.coverage is not None else ""
        level = getattr(status, "modification_level", None)
        item.modification_level = level.name if level is not None else ""
        item.signing_time = getattr(status, "signer_reported_dt", None) or getattr(
            status, "timestamp", None
        )
        ts = getattr(status, "timestamp_validity", None)
        item.timestamp_ok = None if ts is None else bool(ts.intact and ts.valid and ts.trusted)
        item.signer = (
            status.signing_cert.subject.human_friendly if status.signing_cert is not None else ""
        )
        item.changed_after_signing = not item.intact or (
            item.coverage != "ENTIRE_FILE" and item.modification_level not in _ALLOWED_LATER
        )
        item.summary = status.summary()
        report.signatures.append(item)
    return report
