"""The audit chain's checkpoints signed by samdrift's CA and time-stamped by its TSA (ADR 0062).

Registered into `samdrift.audit.anchoring` by `EfosConfig.ready()`, because audit (floor 2) may
not import efos (floor 6). The signature is a detached CMS SignedData (RFC 5652) by a dedicated
"audit anchor" certificate from the issuing CA, so the issuing key keeps signing certificates and
CRLs only (ADR 0302); the timestamp is an RFC 3161 token over the SHA-256 of the checkpoint,
from our own TSA. Verification is in-process and trusts only the CA directory's root.
"""

from __future__ import annotations

import base64
import hashlib
import secrets

from asn1crypto import algos, cms, tsp
from cryptography import x509
from cryptography.exceptions import InvalidSignature
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import ec, padding, rsa
from cryptography.hazmat.primitives.serialization import pkcs7
from cryptography.x509.oid import NameOID

from samdrift.audit.anchoring import AnchorCheck

from .ca.authority import SERVICE_VALIDITY, Authority, authority, now
from .ca.keys import FileKey, new_ec
from .tsa import timestamper

STEM = "audit-anchor"


def anchor_identity(ca: Authority) -> tuple[x509.Certificate, FileKey]:
    """The anchor certificate and key, made on first use in the CA directory."""
    cert_path, key_path = ca.directory / f"{STEM}.pem", ca.directory / f"{STEM}.key.pem"
    if not cert_path.exists():
        key = new_ec()
        FileKey.write(key_path, key, ca.passphrase)
        start = now()
        builder = (
            x509.CertificateBuilder()
            .subject_name(
                x509.Name(
                    [
                        *[a for a in ca.issuing_cert.subject if a.oid != NameOID.COMMON_NAME],
                        x509.NameAttribute(NameOID.COMMON_NAME, "samdrift audit anchor"),
                    ]
                )
            )
            .public_key(key.public_key())
            .serial_number(x509.random_serial_number())
            .not_valid_before(start)
            .not_valid_after(start + SERVICE_VALIDITY)
            .add_extension(x509.BasicConstraints(ca=False, path_length=None), critical=True)
            .add_extension(
                x509.KeyUsage(True, True, False, False, False, False, False, False, False),
                critical=True,
            )
        )
        cert_path.write_bytes(ca.issue(builder).public_bytes(serialization.Encoding.PEM))
    cert = x509.load_pem_x509_certificate(cert_path.read_bytes())
    return cert, FileKey(key_path, ca.passphrase)


def _b64(data: bytes) -> str:
    return base64.b64encode(data).decode()


class CaAnchorSigner:
    name = "efos-ca"

    def sign(self, payload: bytes) -> dict[str, str]:
        ca = authority()
        cert, key = anchor_identity(ca)
        signature = (
            pkcs7.PKCS7SignatureBuilder()
            .set_data(payload)
            .add_signer(cert, key.private_key, hashes.SHA256())
            .add_certificate(ca.issuing_cert)
            .sign(
                serialization.Encoding.DER,
                [pkcs7.PKCS7Options.DetachedSignature, pkcs7.PKCS7Options.Binary],
            )
        )
        request = tsp.TimeStampReq(
            {
                "version": 1,
                "message_imprint": {
                    "hash_algorithm": algos.DigestAlgorithm({"algorithm": "sha256"}),
                    "hashed_message": hashlib.sha256(payload).digest(),
                },
                "nonce": secrets.randbits(63),
                "cert_req": True,
            }
        )
        token = timestamper(ca).request_tsa_response(request)["time_stamp_token"]
        return {"cms": _b64(signature), "timestamp": _b64(token.dump())}

    def verify(self, payload: bytes, proof: dict[str, str]) -> AnchorCheck:
        ca = authority()
        try:
            signer = _verify_signed_data(base64.b64decode(proof["cms"]), payload, ca)
            token = base64.b64decode(proof["timestamp"])
            info_der = _encapsulated(token)
            tsa = _verify_signed_data(token, info_der, ca)
            info = tsp.TSTInfo.load(info_der)
        except (KeyError, ValueError, TypeError, InvalidSignature) as exc:
            return AnchorCheck(problem=f"signature / signatur: {exc or type(exc).__name__}")
        imprint = info["message_imprint"]["hashed_message"].native
        if imprint != hashlib.sha256(payload).digest():
            return AnchorCheck(
                problem="the timestamp is for other data / tidsstämpeln gäller annat"
            )
        if tsa.fingerprint(hashes.SHA256()) != ca.tsa_cert.fingerprint(hashes.SHA256()):
            return AnchorCheck(problem="the timestamp is not our TSA's / inte vår tidsstämpel")
        return AnchorCheck(
            signed_by=signer.subject.rfc4514_string(),
            timestamp=info["gen_time"].native.isoformat(),
        )


def _encapsulated(token: bytes) -> bytes:
    signed = cms.ContentInfo.load(token)["content"]
    return bytes(signed["encap_content_info"]["content"].parsed.dump())


def _verify_signed_data(der: bytes, content: bytes, ca: Authority) -> x509.Certificate:
    """Check a SignedData: the message digest, the signer's signature over the signed
    attributes, and the signer's certificate issued by our issuing CA under our root."""
    signed = cms.ContentInfo.load(der)["content"]
    (signer_info,) = signed["signer_infos"]
    sid = signer_info["sid"].chosen
    certs = [x509.load_der_x509_certificate(c.chosen.dump()) for c in signed["certificates"] or []]
    signer = next(
        (
            c
            for c in certs
            if c.serial_number == sid["serial_number"].native
            and c.issuer.public_bytes() == sid["issuer"].dump()
        ),
        None,
    )
    if signer is None:
        raise ValueError("signer certificate missing")
    attributes = {a["type"].native: a["values"][0].native for a in signer_info["signed_attrs"]}
    digest_name = signer_info["digest_algorithm"]["algorithm"].native
    if attributes.get("message_digest") != hashlib.new(digest_name, content).digest():
        raise ValueError("the data does not match the signature")
    to_verify = signer_info["signed_attrs"].untag().dump()
    chosen = {"sha256": hashes.SHA256(), "sha384": hashes.SHA384(), "sha512": hashes.SHA512()}
    algorithm = chosen[digest_name]
    public = signer.public_key()
    signature = signer_info["signature"].native
    if isinstance(public, rsa.RSAPublicKey):
        public.verify(signature, to_verify, padding.PKCS1v15(), algorithm)
    elif isinstance(public, ec.EllipticCurvePublicKey):
        public.verify(signature, to_verify, ec.ECDSA(algorithm))
    else:
        raise ValueError("unsupported signer key")
    signer.verify_directly_issued_by(ca.issuing_cert)
    ca.issuing_cert.verify_directly_issued_by(ca.root_cert)
    return signer
