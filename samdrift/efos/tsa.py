"""Our own RFC 3161 timestamp authority (there is no internet to reach a public one).

pyHanko's `DummyTimeStamper` builds and signs real TimeStampResp structures; here it runs with
the CA's timestamping certificate, in-process for our own signatures and over HTTP at /efos/tsa
for anyone else (ADR 0306). It is RSA-only, hence the TSA's RSA key.
"""

from __future__ import annotations

from asn1crypto import keys as asn1_keys
from asn1crypto import tsp
from asn1crypto import x509 as asn1_x509
from cryptography.hazmat.primitives import serialization
from pyhanko.sign.timestamps.dummy_client import DummyTimeStamper
from pyhanko_certvalidator.registry import SimpleCertificateStore

from .ca.authority import Authority, authority


def asn1_cert(cert: object) -> asn1_x509.Certificate:
    return asn1_x509.Certificate.load(cert.public_bytes(serialization.Encoding.DER))  # type: ignore[attr-defined]


def timestamper(ca: Authority | None = None) -> DummyTimeStamper:
    ca = ca or authority()
    key_der = ca.tsa_key.private_key.private_bytes(
        serialization.Encoding.DER, serialization.PrivateFormat.PKCS8, serialization.NoEncryption()
    )
    return DummyTimeStamper(
        tsa_cert=asn1_cert(ca.tsa_cert),
        tsa_key=asn1_keys.PrivateKeyInfo.load(key_der),
        certs_to_embed=SimpleCertificateStore.from_certs(
            [asn1_cert(ca.issuing_cert), asn1_cert(ca.root_cert)]
        ),
    )


def respond(query_der: bytes) -> bytes:
    """Answer one DER TimeStampReq. A garbled request gets a `rejection` status (RFC 3161 §2.4.2)."""
    try:
        request = tsp.TimeStampReq.load(query_der)
        request.native  # noqa: B018  # force a full parse so garbage fails here
        response = timestamper().request_tsa_response(request)
    except (ValueError, TypeError, KeyError):
        # asn1crypto insists on a token, so the rejection (status only) is encoded by hand.
        status = tsp.PKIStatusInfo(
            {
                "status": tsp.PKIStatus("rejection"),
                "fail_info": tsp.PKIFailureInfo({"bad_data_format"}),
            }
        ).dump()
        return _der_sequence(status)
    return bytes(response.dump())


def _der_sequence(body: bytes) -> bytes:
    length = len(body)
    if length < 0x80:
        return b"\x30" + bytes([length]) + body
    size = length.to_bytes((length.bit_length() + 7) // 8, "big")
    return b"\x30" + bytes([0x80 | len(size)]) + size + body
