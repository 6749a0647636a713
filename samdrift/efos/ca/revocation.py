"""CRL building and OCSP answering (RFC 5280 §5, RFC 6960), on top of `IssuedCertificate`.

Both read only the serial, the revocation time and the reason, so a CA with hundreds of
thousands of certificates costs one indexed row per OCSP request and one range scan per CRL.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import threading
import time
from collections import OrderedDict
from dataclasses import dataclass
from functools import cached_property
from typing import Any

from cryptography import x509
from cryptography.hazmat.primitives import serialization
from cryptography.x509 import ocsp

from samdrift.efos import conf
from samdrift.efos.choices import HOLD

from .authority import Authority, now

REASONS: dict[str, x509.ReasonFlags] = {
    "unspecified": x509.ReasonFlags.unspecified,
    "key_compromise": x509.ReasonFlags.key_compromise,
    "affiliation_changed": x509.ReasonFlags.affiliation_changed,
    "superseded": x509.ReasonFlags.superseded,
    "cessation_of_operation": x509.ReasonFlags.cessation_of_operation,
    HOLD: x509.ReasonFlags.certificate_hold,
}


@dataclass(frozen=True)
class Revoked:
    serial: int
    revoked_at: dt.datetime
    reason: str


def build_crl(
    authority: Authority,
    number: int,
    revoked: list[Revoked],
    this_update: dt.datetime,
    next_update: dt.datetime,
) -> x509.CertificateRevocationList:
    builder = (
        x509.CertificateRevocationListBuilder()
        .issuer_name(authority.issuing_cert.subject)
        .last_update(this_update)
        .next_update(next_update)
        .add_extension(x509.CRLNumber(number), critical=False)
        .add_extension(
            x509.AuthorityKeyIdentifier.from_issuer_public_key(authority.issuing_key.public_key()),
            critical=False,
        )
    )
    for entry in revoked:
        item = (
            x509.RevokedCertificateBuilder()
            .serial_number(entry.serial)
            .revocation_date(entry.revoked_at)
        )
        if entry.reason and entry.reason != "unspecified":
            item = item.add_extension(x509.CRLReason(REASONS[entry.reason]), critical=False)
        builder = builder.add_revoked_certificate(item.build())
    return authority.issuing_key.sign_crl(builder)


def build_root_crl(authority: Authority) -> bytes:
    """The root's CRL: nothing revoked. Signed on request; the root issues one CA only."""
    moment = now()
    builder = (
        x509.CertificateRevocationListBuilder()
        .issuer_name(authority.root_cert.subject)
        .last_update(moment - dt.timedelta(minutes=5))
        .next_update(moment + dt.timedelta(days=30))
        .add_extension(x509.CRLNumber(int(moment.timestamp())), critical=False)
    )
    return authority.root_key.sign_crl(builder).public_bytes(serialization.Encoding.DER)


class OcspError(Exception):
    def __init__(self, status: ocsp.OCSPResponseStatus, reason: str) -> None:
        super().__init__(reason)
        self.status = status
        self.reason = reason


@dataclass(frozen=True)
class CertStatusRow:
    revoked_at: dt.datetime | None
    reason: str


class Responder:
    """Answers single-certificate OCSP requests for the issuing CA with the delegated responder key.

    The issuer hashes for SHA-1 and SHA-256 CertIDs are computed once; signing is one ECDSA P-256
    operation. A request with a nonce is signed fresh (the nonce must be echoed). A request
    without one (browsers, RFC 5019 clients) gets a pre-signed response from a per-process cache
    keyed by serial, CertID algorithm *and the status just read from the database*, so a
    revocation or hold changes the key and can never be answered from a stale entry; an entry is
    reused for at most half the response's validity (ADR 0302).
    """

    CACHE_SIZE = 50_000

    def __init__(self, authority: Authority) -> None:
        self.authority = authority
        self._cache: OrderedDict[tuple[Any, ...], tuple[float, bytes]] = OrderedDict()
        self._lock = threading.Lock()

    @cached_property
    def _issuer_hashes(self) -> dict[str, tuple[bytes, bytes]]:
        issuer = self.authority.issuing_cert
        name_der = issuer.subject.public_bytes()
        key_bits = _subject_public_key_bits(issuer)
        return {
            name: (hashlib.new(name, name_der).digest(), hashlib.new(name, key_bits).digest())
            for name in ("sha1", "sha256", "sha384", "sha512")
        }

    def parse(self, der: bytes) -> ocsp.OCSPRequest:
        try:
            request = ocsp.load_der_ocsp_request(der)
        except ValueError as exc:
            raise OcspError(
                ocsp.OCSPResponseStatus.MALFORMED_REQUEST, f"malformed: {exc}"
            ) from None
        hashes_ = self._issuer_hashes.get(request.hash_algorithm.name)
        if hashes_ is None:
            raise OcspError(ocsp.OCSPResponseStatus.MALFORMED_REQUEST, "unsupported hash")
        if (request.issuer_name_hash, request.issuer_key_hash) != hashes_:
            raise OcspError(ocsp.OCSPResponseStatus.UNAUTHORIZED, "another CA's certificate")
        return request

    def respond(self, request: ocsp.OCSPRequest, row: CertStatusRow | None) -> bytes:
        has_nonce = any(isinstance(e.value, x509.OCSPNonce) for e in request.extensions)
        if has_nonce:
            return self._sign(request, row)
        key = (
            request.serial_number,
            request.hash_algorithm.name,
            None if row is None else (row.revoked_at, row.reason),
        )
        clock = time.monotonic()
        reuse = conf.ocsp_validity_seconds() / 2
        with self._lock:
            hit = self._cache.get(key)
            if hit is not None and clock - hit[0] < reuse:
                self._cache.move_to_end(key)
                return hit[1]
        der = self._sign(request, row)
        with self._lock:
            self._cache[key] = (clock, der)
            self._cache.move_to_end(key)
            while len(self._cache) > self.CACHE_SIZE:
                self._cache.popitem(last=False)
        return der

    def _sign(self, request: ocsp.OCSPRequest, row: CertStatusRow | None) -> bytes:
        moment = now().replace(microsecond=0)
        if row is None:
            status, revoked_at, reason = ocsp.OCSPCertStatus.UNKNOWN, None, None
        elif row.revoked_at is not None:
            status, revoked_at = ocsp.OCSPCertStatus.REVOKED, row.revoked_at
            reason = REASONS.get(row.reason) if row.reason != "unspecified" else None
        else:
            status, revoked_at, reason = ocsp.OCSPCertStatus.GOOD, None, None
        builder = (
            ocsp.OCSPResponseBuilder()
            .add_response_by_hash(
                issuer_name_hash=request.issuer_name_hash,
                issuer_key_hash=request.issuer_key_hash,
                serial_number=request.serial_number,
                algorithm=request.hash_algorithm,
                cert_status=status,
                this_update=moment,
                next_update=moment + dt.timedelta(seconds=conf.ocsp_validity_seconds()),
                revocation_time=revoked_at,
                revocation_reason=reason,
            )
            .responder_id(ocsp.OCSPResponderEncoding.HASH, self.authority.ocsp_cert)
        )
        for extension in request.extensions:
            if isinstance(extension.value, x509.OCSPNonce):
                builder = builder.add_extension(extension.value, critical=False)
        response = self.authority.ocsp_key.sign_ocsp(builder, self.authority.ocsp_cert)
        return response.public_bytes(serialization.Encoding.DER)


def unsuccessful(status: ocsp.OCSPResponseStatus) -> bytes:
    return ocsp.OCSPResponseBuilder.build_unsuccessful(status).public_bytes(
        serialization.Encoding.DER
    )


def _subject_public_key_bits(cert: x509.Certificate) -> bytes:
    """The BIT STRING contents of subjectPublicKey (what CertID's issuerKeyHash covers)."""
    from asn1crypto import x509 as asn1_x509

    parsed = asn1_x509.Certificate.load(cert.public_bytes(serialization.Encoding.DER))
    return bytes(parsed.public_key["public_key"].contents[1:])  # drop the unused-bits byte
