"""Private keys of the CA behind one small interface.

Everything that signs on behalf of the CA goes through `CaKey`, never through a raw key object,
so a hardware security module can replace `FileKey` later: an HSM implementation signs the
to-be-signed bytes on the device and returns the signature (ADR 0301). `FileKey` keeps the key in
a PEM file encrypted with a passphrase (PKCS#8, AES-256-CBC via `BestAvailableEncryption`).
"""

from __future__ import annotations

import os
from pathlib import Path
from typing import Protocol

from cryptography import x509
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import ec, padding, rsa
from cryptography.x509 import ocsp

PrivateKey = rsa.RSAPrivateKey | ec.EllipticCurvePrivateKey


class CaKey(Protocol):
    """What the CA needs from a key store: a public key and the right to sign with the private one."""

    def public_key(self) -> rsa.RSAPublicKey | ec.EllipticCurvePublicKey: ...

    def sign_certificate(self, builder: x509.CertificateBuilder) -> x509.Certificate: ...

    def sign_crl(
        self, builder: x509.CertificateRevocationListBuilder
    ) -> x509.CertificateRevocationList: ...

    def sign_ocsp(
        self, builder: ocsp.OCSPResponseBuilder, responder_cert: x509.Certificate
    ) -> ocsp.OCSPResponse: ...

    def sign_bytes(self, data: bytes) -> bytes: ...


class SoftwareKey:
    """A key held in memory (loaded from a file, or a one-off key for a single signature)."""

    def __init__(self, key: PrivateKey) -> None:
        self._key = key

    @property
    def private_key(self) -> PrivateKey:
        """Only for libraries that insist on the key object (pyHanko, joserfc)."""
        return self._key

    def public_key(self) -> rsa.RSAPublicKey | ec.EllipticCurvePublicKey:
        return self._key.public_key()

    def sign_certificate(self, builder: x509.CertificateBuilder) -> x509.Certificate:
        return builder.sign(self._key, hashes.SHA256())

    def sign_crl(
        self, builder: x509.CertificateRevocationListBuilder
    ) -> x509.CertificateRevocationList:
        return builder.sign(self._key, hashes.SHA256())

    def sign_ocsp(
        self, builder: ocsp.OCSPResponseBuilder, responder_cert: x509.Certificate
    ) -> ocsp.OCSPResponse:
        return builder.certificates([responder_cert]).sign(self._key, hashes.SHA256())

    def sign_bytes(self, data: bytes) -> bytes:
        if isinstance(self._key, rsa.RSAPrivateKey):
            return self._key.sign(data, padding.PKCS1v15(), hashes.SHA256())
        return self._key.sign(data, ec.ECDSA(hashes.SHA256()))


class FileKey(SoftwareKey):
    """A passphrase-protected PEM file. Loaded once; the passphrase is never stored."""

    def __init__(self, path: Path, passphrase: bytes) -> None:
        key = serialization.load_pem_private_key(path.read_bytes(), password=passphrase)
        if not isinstance(key, rsa.RSAPrivateKey | ec.EllipticCurvePrivateKey):
            raise ValueError(f"{path}: unsupported key type")
        super().__init__(key)
        self.path = path

    @staticmethod
    def write(path: Path, key: PrivateKey, passphrase: bytes) -> None:
        data = key.private_bytes(
            serialization.Encoding.PEM,
            serialization.PrivateFormat.PKCS8,
            serialization.BestAvailableEncryption(passphrase),
        )
        # Created with owner-only permissions; never world-readable even for a moment.
        fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
        with os.fdopen(fd, "wb") as handle:
            handle.write(data)


def new_rsa(bits: int = 2048) -> rsa.RSAPrivateKey:
    return rsa.generate_private_key(public_exponent=65537, key_size=bits)


def new_ec() -> ec.EllipticCurvePrivateKey:
    return ec.generate_private_key(ec.SECP256R1())


def unencrypted_pem(key: PrivateKey) -> bytes:
    """A software token's key, handed to its holder once (CLI `efos issue`, demo)."""
    return key.private_bytes(
        serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8, serialization.NoEncryption()
    )
