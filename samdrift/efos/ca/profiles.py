"""Certificate profiles for officials: the subject and the extensions, nothing else.

Subject (identity reference §9.4, attribute spec §3.2): C=SE, O=<agency>,
organizationIdentifier=<10-digit orgnr>, GN, SN, CN="<GN> <SN>", serialNumber=<uid>. The uid is
the personal part of orgAffiliation; no personnummer goes into a certificate.
"""

from __future__ import annotations

import datetime as dt

from cryptography import x509
from cryptography.hazmat.primitives.asymmetric import ec, rsa
from cryptography.x509.oid import ExtendedKeyUsageOID, NameOID
from django.utils.translation import gettext_lazy as _

from samdrift.efos import conf

ALLOWED_CURVES = (ec.SECP256R1, ec.SECP384R1, ec.SECP521R1)
MIN_RSA_BITS = 2048


class ProfileError(ValueError):
    """A request that this CA must not certify; the message is user-facing (English source)."""


def official_subject(
    *, organisation_name: str, org_number: str, given_name: str, surname: str, uid: str
) -> x509.Name:
    return x509.Name(
        [
            x509.NameAttribute(NameOID.COUNTRY_NAME, "SE"),
            x509.NameAttribute(NameOID.ORGANIZATION_NAME, organisation_name),
            x509.NameAttribute(NameOID.ORGANIZATION_IDENTIFIER, org_number),
            x509.NameAttribute(NameOID.GIVEN_NAME, given_name),
            x509.NameAttribute(NameOID.SURNAME, surname),
            x509.NameAttribute(NameOID.COMMON_NAME, f"{given_name} {surname}"),
            x509.NameAttribute(NameOID.SERIAL_NUMBER, uid),
        ]
    )


def check_public_key(key: object) -> None:
    if isinstance(key, rsa.RSAPublicKey):
        if key.key_size < MIN_RSA_BITS:
            raise ProfileError(_("RSA keys must have at least 2048 bits."))
        return
    if isinstance(key, ec.EllipticCurvePublicKey):
        if not isinstance(key.curve, ALLOWED_CURVES):
            raise ProfileError(_("Elliptic-curve keys must use P-256, P-384 or P-521."))
        return
    raise ProfileError(_("Only RSA and elliptic-curve keys can be certified."))


def public_key_from_csr(pem: str | bytes, expected_subject: x509.Name) -> object:
    """The CSR's public key, if the CSR is well formed, self-signed and names exactly the official."""
    data = pem.encode() if isinstance(pem, str) else pem
    try:
        csr = x509.load_pem_x509_csr(data)
    except ValueError:
        raise ProfileError(_("The certificate signing request is not a valid PEM CSR.")) from None
    if not csr.is_signature_valid:
        raise ProfileError(_("The certificate signing request's signature is not valid."))
    if csr.subject != expected_subject:
        raise ProfileError(
            _("The subject of the certificate signing request does not match the official.")
        )
    key = csr.public_key()
    check_public_key(key)
    return key


def official_builder(
    *,
    subject: x509.Name,
    public_key: object,
    usage: str,
    not_before: dt.datetime,
    not_after: dt.datetime,
) -> x509.CertificateBuilder:
    """An end-entity builder; the Authority adds issuer and AKI and signs it."""
    check_public_key(public_key)
    authentication = usage == "authentication"
    key_usage = x509.KeyUsage(
        digital_signature=authentication,
        content_commitment=not authentication,
        key_encipherment=False,
        data_encipherment=False,
        key_agreement=False,
        key_cert_sign=False,
        crl_sign=False,
        encipher_only=False,
        decipher_only=False,
    )
    policy = {
        "authentication": conf.POLICY_AUTHENTICATION,
        "signature": conf.POLICY_SIGNATURE,
        "one_off_signature": conf.POLICY_ONE_OFF_SIGNATURE,
    }[usage]
    builder = (
        x509.CertificateBuilder()
        .subject_name(subject)
        .public_key(public_key)  # type: ignore[arg-type]
        .serial_number(x509.random_serial_number())
        .not_valid_before(not_before)
        .not_valid_after(not_after)
        .add_extension(x509.BasicConstraints(ca=False, path_length=None), critical=True)
        .add_extension(key_usage, critical=True)
        .add_extension(
            x509.CertificatePolicies([x509.PolicyInformation(x509.ObjectIdentifier(policy), None)]),
            critical=False,
        )
        .add_extension(x509.SubjectKeyIdentifier.from_public_key(public_key), critical=False)  # type: ignore[arg-type]
        .add_extension(
            x509.CRLDistributionPoints(
                [
                    x509.DistributionPoint(
                        [x509.UniformResourceIdentifier(f"{conf.issuer()}/crl")], None, None, None
                    )
                ]
            ),
            critical=False,
        )
        .add_extension(
            x509.AuthorityInformationAccess(
                [
                    x509.AccessDescription(
                        x509.oid.AuthorityInformationAccessOID.OCSP,
                        x509.UniformResourceIdentifier(f"{conf.issuer()}/ocsp"),
                    )
                ]
            ),
            critical=False,
        )
    )
    if authentication:
        builder = builder.add_extension(
            x509.ExtendedKeyUsage([ExtendedKeyUsageOID.CLIENT_AUTH]), critical=False
        )
    return builder


def serial_hex(serial: int) -> str:
    return format(serial, "x")
