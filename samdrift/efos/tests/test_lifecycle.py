"""The credential workflow: ordered → verified → issued → active → suspended/revoked/expired,
renewal, who may do what, and refusals that change nothing."""

from __future__ import annotations

import datetime as dt

import pytest
from cryptography import x509
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import ec
from cryptography.x509.oid import NameOID
from django.utils import timezone

from samdrift.accounts.selectors import actor_for_user
from samdrift.audit.models import AuditEvent
from samdrift.core.actor import SYSTEM
from samdrift.core.exceptions import (
    BusinessRuleViolation,
    NotFound,
    PermissionDenied,
    ValidationFailed,
)
from samdrift.efos import services
from samdrift.efos.ca.profiles import official_subject
from samdrift.efos.models import Credential, IssuedCertificate, Official

from .conftest import issue_token

pytestmark = pytest.mark.django_db


def test_full_lifecycle_with_page_roles(ca, agency, efos_admin, efos_operator):
    admin, operator = actor_for_user(efos_admin), actor_for_user(efos_operator)
    official = services.add_official(
        actor=admin, organisation_id=agency.pk, given_name="Åsa", surname="Öberg"
    )
    assert official.uid == "aoberg"
    assert official.org_affiliation == f"aoberg@{agency.org_number.replace('-', '')}"
    credential = services.order_credential(actor=admin, official=official)
    assert credential.status == "ordered"
    with pytest.raises(PermissionDenied):
        services.verify_identity(actor=admin, credential=credential, note="saw passport")
    credential = services.verify_identity(
        actor=operator, credential=credential, note="passport, in person"
    )
    with pytest.raises(PermissionDenied):
        services.issue_credential(actor=admin, credential=credential)
    result = services.issue_credential(actor=operator, credential=credential)
    assert result.credential.status == "issued"
    auth = result.certificates["authentication"]
    sign = result.certificates["signature"]
    auth.verify_directly_issued_by(ca.issuing_cert)
    subject = {a.oid: a.value for a in auth.subject}
    assert subject[NameOID.ORGANIZATION_IDENTIFIER] == official.org_number_digits
    assert subject[NameOID.SERIAL_NUMBER] == "aoberg"
    assert subject[NameOID.COMMON_NAME] == "Åsa Öberg"
    assert auth.extensions.get_extension_for_class(x509.KeyUsage).value.digital_signature
    assert sign.extensions.get_extension_for_class(x509.KeyUsage).value.content_commitment
    assert set(result.software_keys) == {"authentication", "signature"}

    credential = services.activate_credential(actor=admin, credential=result.credential)
    assert credential.status == "active"
    credential = services.suspend_credential(actor=admin, credential=credential)
    rows = IssuedCertificate.objects.filter(credential=credential)
    assert all(r.revocation_reason == "certificate_hold" and r.revoked_at for r in rows)
    credential = services.resume_credential(actor=admin, credential=credential)
    assert credential.status == "active"
    assert all(
        r.revoked_at is None for r in IssuedCertificate.objects.filter(credential=credential)
    )
    credential = services.revoke_credential(
        actor=admin, credential=credential, reason="key_compromise"
    )
    assert credential.status == "revoked"
    assert all(
        r.revocation_reason == "key_compromise"
        for r in IssuedCertificate.objects.filter(credential=credential)
    )
    with pytest.raises(BusinessRuleViolation):
        services.resume_credential(actor=admin, credential=credential)
    actions = list(
        AuditEvent.objects.filter(object_type="efos.credential").values_list("action", flat=True)
    )
    for action in ("order", "verify", "issue", "activate", "suspend", "resume", "revoke"):
        assert f"efos.credential.{action}" in actions


def test_renewal_supersedes_the_old_credential(ca, agency):
    _official, credential, _result = issue_token(agency)
    renewal = services.renew_credential(actor=SYSTEM, credential=credential)
    assert renewal.renewal_of_id == credential.pk
    renewal = services.verify_identity(actor=SYSTEM, credential=renewal, note="renewal, in person")
    services.issue_credential(actor=SYSTEM, credential=renewal)
    credential.refresh_from_db()
    assert credential.status == "revoked" and credential.revocation_reason == "superseded"
    assert not IssuedCertificate.objects.filter(
        credential=credential, revoked_at__isnull=True
    ).exists()


def test_expiry_marks_past_credentials(ca, agency):
    _official, credential, _ = issue_token(agency)
    Credential.objects.filter(pk=credential.pk).update(
        not_after=timezone.now() - dt.timedelta(seconds=1)
    )
    assert services.expire_credentials() == 1
    credential.refresh_from_db()
    assert credential.status == "expired"


def test_admin_of_another_agency_cannot_see_or_manage(
    ca, agency, other_agency, other_agency_contact
):
    official, credential, _ = issue_token(agency)
    other = actor_for_user(other_agency_contact)
    before = Credential.objects.get(pk=credential.pk).status
    count = AuditEvent.objects.count()
    for call in (
        lambda: services.suspend_credential(actor=other, credential=credential),
        lambda: services.revoke_credential(
            actor=other, credential=credential, reason="unspecified"
        ),
        lambda: services.order_credential(actor=other, official=official),
        lambda: services.add_official(
            actor=other, organisation_id=agency.pk, given_name="X", surname="Y"
        ),
    ):
        with pytest.raises(NotFound):
            call()
    assert Credential.objects.get(pk=credential.pk).status == before
    assert Credential.objects.filter(official=official).count() == 1
    assert AuditEvent.objects.count() == count


def _csr(subject, key=None):
    key = key or ec.generate_private_key(ec.SECP256R1())
    return (
        x509.CertificateSigningRequestBuilder()
        .subject_name(subject)
        .sign(key, hashes.SHA256())
        .public_bytes(serialization.Encoding.PEM)
        .decode()
    )


def test_csr_with_the_right_subject_is_certified(ca, agency):
    official = services.add_official(
        actor=SYSTEM, organisation_id=agency.pk, given_name="Bo", surname="Ek"
    )
    credential = services.verify_identity(
        actor=SYSTEM,
        credential=services.order_credential(actor=SYSTEM, official=official),
        note="x",
    )
    subject = official_subject(
        organisation_name=agency.name,
        org_number=official.org_number_digits,
        given_name="Bo",
        surname="Ek",
        uid=official.uid,
    )
    key = ec.generate_private_key(ec.SECP256R1())
    result = services.issue_credential(
        actor=SYSTEM, credential=credential, csrs={"authentication": _csr(subject, key)}
    )
    assert result.certificates["authentication"].public_key() == key.public_key()
    assert set(result.software_keys) == {"signature"}


@pytest.mark.parametrize(
    "bad",
    ["wrong-subject", "garbage", "small-rsa"],
)
def test_bad_csr_is_refused_audited_and_nothing_issued(ca, agency, bad):
    from cryptography.hazmat.primitives.asymmetric import rsa

    official = services.add_official(
        actor=SYSTEM, organisation_id=agency.pk, given_name="Bo", surname="Ek"
    )
    credential = services.verify_identity(
        actor=SYSTEM,
        credential=services.order_credential(actor=SYSTEM, official=official),
        note="x",
    )
    subject = official_subject(
        organisation_name=agency.name,
        org_number=official.org_number_digits,
        given_name="Bo",
        surname="Ek",
        uid=official.uid,
    )
    pem = {
        "wrong-subject": _csr(x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, "Mallory")])),
        "garbage": "-----BEGIN CERTIFICATE REQUEST-----\nAAAA\n-----END CERTIFICATE REQUEST-----",
        "small-rsa": _csr(subject, rsa.generate_private_key(public_exponent=65537, key_size=1024)),  # noqa: S505  # refused on purpose  # noqa: S505
    }[bad]
    certificates = IssuedCertificate.objects.count()
    with pytest.raises(ValidationFailed) as info:
        services.issue_credential(actor=SYSTEM, credential=credential, csrs={"authentication": pem})
    assert "authentication" in info.value.errors
    assert IssuedCertificate.objects.count() == certificates
    credential.refresh_from_db()
    assert credential.status == "verified"
    assert AuditEvent.objects.filter(action="efos.refused.issue").exists()


def test_bad_names_and_duplicate_uid_are_refused(ca, agency):
    with pytest.raises(ValidationFailed) as info:
        services.add_official(
            actor=SYSTEM, organisation_id=agency.pk, given_name="<script>", surname=""
        )
    assert set(info.value.errors) == {"given_name", "surname"}
    services.add_official(
        actor=SYSTEM, organisation_id=agency.pk, given_name="Bo", surname="Ek", uid="boek"
    )
    with pytest.raises(ValidationFailed):
        services.add_official(
            actor=SYSTEM, organisation_id=agency.pk, given_name="Bo", surname="Ek", uid="boek"
        )
    assert Official.objects.filter(organisation=agency).count() == 1


def test_revocation_reason_must_be_known(ca, agency):
    _official, credential, _ = issue_token(agency)
    with pytest.raises(ValidationFailed):
        services.revoke_credential(actor=SYSTEM, credential=credential, reason="because")
    credential.refresh_from_db()
    assert credential.status == "active"
    assert AuditEvent.objects.filter(action="efos.refused.revoke").exists()
