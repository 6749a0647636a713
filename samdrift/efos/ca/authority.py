"""The CA on disk: a root, an issuing CA, a delegated OCSP responder and a timestamp unit.

Layout of `conf.ca_dir()` (keys are passphrase-protected PKCS#8):

    root-ca.pem        root-ca.key.pem        self-signed, RSA-3072, 20 years
    issuing-ca.pem     issuing-ca.key.pem     RSA-2048, issues officials' certificates and CRLs
    ocsp.pem           ocsp.key.pem           EC P-256, id-kp-OCSPSigning + ocsp-nocheck
    tsa.pem            tsa.key.pem            RSA-2048 (pyHanko's TSA is RSA-only), timeStamping
    op.key.pem                                EC P-256, signs the OpenID provider's ID tokens

The OCSP responder has its own EC key so that the issuing key signs certificates and CRLs only
and each OCSP response costs one fast ECDSA signature (ADR 0302).
"""

from __future__ import annotations

import datetime as dt
import threading
from dataclasses import dataclass
from functools import cached_property
from pathlib import Path

from cryptography import x509
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.x509.oid import ExtendedKeyUsageOID, NameOID

from samdrift.efos import conf

from .keys import FileKey, PrivateKey, SoftwareKey, new_ec, new_rsa

ROOT_VALIDITY = dt.timedelta(days=365 * 20)
ISSUING_VALIDITY = dt.timedelta(days=365 * 10)
SERVICE_VALIDITY = dt.timedelta(days=365 * 2)
BACKDATE = dt.timedelta(minutes=5)  # tolerate clock skew between us and relying parties


def now() -> dt.datetime:
    return dt.datetime.now(dt.UTC)


def _name(common_name: str) -> x509.Name:
    return x509.Name(
        [
            x509.NameAttribute(NameOID.COUNTRY_NAME, "SE"),
            x509.NameAttribute(NameOID.ORGANIZATION_NAME, conf.ca_organisation()),
            x509.NameAttribute(NameOID.COMMON_NAME, common_name),
        ]
    )


def _ski(key: SoftwareKey | PrivateKey) -> x509.SubjectKeyIdentifier:
    public = key.public_key()
    return x509.SubjectKeyIdentifier.from_public_key(public)


def _ca_builder(
    subject: x509.Name, issuer: x509.Name, public_key: object, days: dt.timedelta
) -> x509.CertificateBuilder:
    start = now() - BACKDATE
    return (
        x509.CertificateBuilder()
        .subject_name(subject)
        .issuer_name(issuer)
        .public_key(public_key)  # type: ignore[arg-type]
        .serial_number(x509.random_serial_number())
        .not_valid_before(start)
        .not_valid_after(start + days)
    )


def _aki(issuer_cert: x509.Certificate) -> x509.AuthorityKeyIdentifier:
    ski = issuer_cert.extensions.get_extension_for_class(x509.SubjectKeyIdentifier).value
    return x509.AuthorityKeyIdentifier.from_issuer_subject_key_identifier(ski)


def _write_cert(path: Path, cert: x509.Certificate) -> None:
    path.write_bytes(cert.public_bytes(serialization.Encoding.PEM))


def _service_builder(
    issuing: x509.Certificate, key: PrivateKey, common_name: str, eku: x509.ObjectIdentifier
) -> x509.CertificateBuilder:
    builder = _ca_builder(_name(common_name), issuing.subject, key.public_key(), SERVICE_VALIDITY)
    builder = (
        builder.add_extension(x509.BasicConstraints(ca=False, path_length=None), critical=True)
        .add_extension(
            x509.KeyUsage(
                digital_signature=True,
                content_commitment=eku == ExtendedKeyUsageOID.TIME_STAMPING,
                key_encipherment=False,
                data_encipherment=False,
                key_agreement=False,
                key_cert_sign=False,
                crl_sign=False,
                encipher_only=False,
                decipher_only=False,
            ),
            critical=True,
        )
        .add_extension(x509.ExtendedKeyUsage([eku]), critical=True)
        .add_extension(_ski(key), critical=False)
        .add_extension(_aki(issuing), critical=False)
    )
    if eku == ExtendedKeyUsageOID.OCSP_SIGNING:
        # RFC 6960 §4.2.2.2.1: clients need not check the responder's own revocation status.
        builder = builder.add_extension(x509.OCSPNoCheck(), critical=False)
    else:
        builder = builder.add_extension(
            x509.CRLDistributionPoints(
                [
                    x509.DistributionPoint(
                        [x509.UniformResourceIdentifier(f"{conf.issuer()}/crl")], None, None, None
                    )
                ]
            ),
            critical=False,
        )
    return builder


def create_ca(directory: Path, passphrase: bytes) -> None:
    """Create a complete CA in an empty directory. Refuses to overwrite an existing one."""
    directory.mkdir(parents=True, exist_ok=True)
    if (directory / "root-ca.pem").exists():
        raise FileExistsError(f"{directory} already holds a CA")
    root_key = new_rsa(3072)
    root_name = _name("samdrift EFOS Root CA")
    root = (
        _ca_builder(root_name, root_name, root_key.public_key(), ROOT_VALIDITY)
        .add_extension(x509.BasicConstraints(ca=True, path_length=1), critical=True)
        .add_extension(
            x509.KeyUsage(
                digital_signature=False,
                content_commitment=False,
                key_encipherment=False,
                data_encipherment=False,
                key_agreement=False,
                key_cert_sign=True,
                crl_sign=True,
                encipher_only=False,
                decipher_only=False,
            ),
            critical=True,
        )
        .add_extension(_ski(root_key), critical=False)
        .sign(root_key, hashes.SHA256())
    )
    issuing_key = new_rsa(2048)
    issuing = (
        _ca_builder(
            _name("samdrift EFOS Person CA"), root_name, issuing_key.public_key(), ISSUING_VALIDITY
        )
        .add_extension(x509.BasicConstraints(ca=True, path_length=0), critical=True)
        .add_extension(
            x509.KeyUsage(
                digital_signature=True,
                content_commitment=False,
                key_encipherment=False,
                data_encipherment=False,
                key_agreement=False,
                key_cert_sign=True,
                crl_sign=True,
                encipher_only=False,
                decipher_only=False,
            ),
            critical=True,
        )
        .add_extension(_ski(issuing_key), critical=False)
        .add_extension(_aki(root), critical=False)
        .add_extension(
            x509.CRLDistributionPoints(
                [
                    x509.DistributionPoint(
                        [x509.UniformResourceIdentifier(f"{conf.issuer()}/root-crl")],
                        None,
                        None,
                        None,
                    )
                ]
            ),
            critical=False,
        )
        .sign(root_key, hashes.SHA256())
    )
    ocsp_key = new_ec()
    ocsp_cert = _service_builder(
        issuing, ocsp_key, "samdrift EFOS OCSP", ExtendedKeyUsageOID.OCSP_SIGNING
    ).sign(issuing_key, hashes.SHA256())
    tsa_key = new_rsa(2048)
    tsa_cert = _service_builder(
        issuing, tsa_key, "samdrift EFOS Timestamping", ExtendedKeyUsageOID.TIME_STAMPING
    ).sign(issuing_key, hashes.SHA256())
    for stem, cert, key in (
        ("root-ca", root, root_key),
        ("issuing-ca", issuing, issuing_key),
        ("ocsp", ocsp_cert, ocsp_key),
        ("tsa", tsa_cert, tsa_key),
    ):
        FileKey.write(directory / f"{stem}.key.pem", key, passphrase)
        _write_cert(directory / f"{stem}.pem", cert)
    FileKey.write(directory / "op.key.pem", new_ec(), passphrase)


@dataclass
class Authority:
    """The loaded CA. One instance per process and directory (keys are decrypted once)."""

    directory: Path
    passphrase: bytes

    def _cert(self, stem: str) -> x509.Certificate:
        return x509.load_pem_x509_certificate((self.directory / f"{stem}.pem").read_bytes())

    def _key(self, stem: str) -> FileKey:
        return FileKey(self.directory / f"{stem}.key.pem", self.passphrase)

    @cached_property
    def root_cert(self) -> x509.Certificate:
        return self._cert("root-ca")

    @cached_property
    def issuing_cert(self) -> x509.Certificate:
        return self._cert("issuing-ca")

    @cached_property
    def ocsp_cert(self) -> x509.Certificate:
        return self._cert("ocsp")

    @cached_property
    def tsa_cert(self) -> x509.Certificate:
        return self._cert("tsa")

    @cached_property
    def root_key(self) -> FileKey:
        return self._key("root-ca")

    @cached_property
    def issuing_key(self) -> FileKey:
        return self._key("issuing-ca")

    @cached_property
    def ocsp_key(self) -> FileKey:
        return self._key("ocsp")

    @cached_property
    def tsa_key(self) -> FileKey:
        return self._key("tsa")

    @cached_property
    def op_key(self) -> FileKey:
        return self._key("op")

    @cached_property
    def op_rsa_key(self) -> FileKey:
        """The OP's RSA key, for clients registered for RS256 ID tokens; made on first use so
        existing CA directories gain it without being re-created."""
        path = self.directory / "op-rsa.key.pem"
        if not path.exists():
            FileKey.write(path, new_rsa(2048), self.passphrase)
        return FileKey(path, self.passphrase)

    @cached_property
    def internal_client_key(self) -> FileKey:
        """samdrift's own client key at its own OP (the signing flow); made on first use."""
        path = self.directory / "internal-client.key.pem"
        if not path.exists():
            FileKey.write(path, new_ec(), self.passphrase)
        return FileKey(path, self.passphrase)

    @cached_property
    def _chain_pem(self) -> bytes:
        return b"".join(
            c.public_bytes(serialization.Encoding.PEM) for c in (self.issuing_cert, self.root_cert)
        )

    def chain_pem(self) -> bytes:
        """The issuing chain, issuing CA first (what `samdrift efos ca-cert` writes)."""
        return self._chain_pem

    def issue(self, builder: x509.CertificateBuilder) -> x509.Certificate:
        return self.issuing_key.sign_certificate(
            builder.issuer_name(self.issuing_cert.subject).add_extension(
                _aki(self.issuing_cert), critical=False
            )
        )


_lock = threading.Lock()
_loaded: dict[tuple[str, bytes], Authority] = {}


def exists() -> bool:
    return (conf.ca_dir() / "root-ca.pem").exists()


def authority() -> Authority:
    """The configured CA, created on first use if the directory is empty."""
    directory, passphrase = conf.ca_dir(), conf.ca_passphrase()
    cache_key = (str(directory), passphrase)
    with _lock:
        if cache_key not in _loaded:
            if not (directory / "root-ca.pem").exists():
                create_ca(directory, passphrase)
            _loaded[cache_key] = Authority(directory, passphrase)
        return _loaded[cache_key]
