"""Writes of EFOS: the credential lifecycle, certificate issuing, revocation and CRL publishing.

Every function runs in one transaction with one audit record; a revocation queues a CRL
publication job after commit (`tasks.publish_crl`, which publishes through `crl_publishing`).
A refused request writes nothing but a refusal record in the audit trail (issue 4, bad input),
in its own transaction after the failed one rolled back.
"""

from __future__ import annotations

import datetime as dt
import logging
import re
import unicodedata
from dataclasses import dataclass, field
from typing import Any

from cryptography import x509
from cryptography.hazmat.primitives import serialization
from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from samdrift.audit.services import audit_record, record_security_event, snapshot
from samdrift.core.actor import Actor
from samdrift.core.exceptions import (
    BusinessRuleViolation,
    NotFound,
    PermissionDenied,
    ValidationFailed,
)
from samdrift.core.oidc.sweden import ORG_AFFILIATION
from samdrift.organisations.selectors import agencies_with_org_number

from . import conf, tasks
from .ca.authority import authority
from .ca.keys import new_ec, unencrypted_pem
from .ca.profiles import (
    ProfileError,
    official_builder,
    official_subject,
    public_key_from_csr,
    serial_hex,
)
from .choices import HOLD, CertificateUsage, CredentialStatus, RevocationReason, SignatureLevel

# Re-exported: the views, the demo and `samdrift efos publish-crl` call them through services.
from .crl_publishing import expire_credentials as expire_credentials
from .crl_publishing import publish_crl as publish_crl
from .models import (
    Credential,
    CrlPublication,
    DocumentSignature,
    IssuedCertificate,
    Official,
    OidcClient,
    SignableDocument,
)
from .permissions import administers, credential_abilities, is_operator
from .selectors import latest_crl

logger = logging.getLogger(__name__)
S = CredentialStatus
UID_RE = re.compile(r"^[a-z0-9][a-z0-9._-]{1,63}$")
NAME_RE = re.compile(r"^[^\x00-\x1f<>@=,;\\/\"]{1,100}$")


def refuse(
    actor: Actor,
    action: str,
    exc: Exception,
    *,
    organisation_id: int | None = None,
    **details: Any,
) -> None:
    """Record a refused request (its own transaction) and re-raise nothing. An anonymous caller's
    refusal goes to the aggregated security log, not the permanent chain (ADR 0061)."""
    if not actor.is_authenticated:
        record_security_event(f"efos.refused.{action}", {"reason": str(exc)[:500], **details})
        return
    with transaction.atomic():
        audit_record(
            actor=actor,
            action=f"efos.refused.{action}",
            object_type="efos.request",
            object_id="-",
            organisation_id=organisation_id,
            after={"reason": str(exc), **details},
        )


# --- officials ---------------------------------------------------------------------------------


def _clean_name(value: str, field_name: str, errors: dict[str, list[str]]) -> str:
    value = unicodedata.normalize("NFC", (value or "").strip())
    if not NAME_RE.match(value):
        errors.setdefault(field_name, []).append(str(_("Enter a name without special characters.")))
    return value


def suggest_uid(given_name: str, surname: str) -> str:
    text = (
        unicodedata.normalize("NFKD", f"{given_name[:1]}{surname}")
        .encode("ascii", "ignore")
        .decode()
    )
    return re.sub(r"[^a-z0-9]", "", text.lower())[:20] or "official"


def add_official(
    *,
    actor: Actor,
    organisation_id: int,
    given_name: str,
    surname: str,
    uid: str = "",
    email: str = "",
    user_id: int | None = None,
) -> Official:
    if not administers(actor, organisation_id):
        raise NotFound("organisation")
    errors: dict[str, list[str]] = {}
    given_name = _clean_name(given_name, "given_name", errors)
    surname = _clean_name(surname, "surname", errors)
    organisation = agencies_with_org_number().filter(id=organisation_id).first()
    if organisation is None:
        raise NotFound("organisation")
    if errors:
        raise ValidationFailed(
            _("The official could not be added; see the marked fields."), errors=errors
        )
    base = (uid or suggest_uid(given_name, surname)).strip().lower()
    if not UID_RE.match(base):
        raise ValidationFailed(
            _("The official could not be added; see the marked fields."),
            errors={
                "uid": [
                    str(_("Use 2–64 lower-case letters, digits, dots, hyphens or underscores."))
                ]
            },
        )
    candidate, counter = base, 1
    if not uid:  # a suggested uid gets a number when taken; a chosen one must be free
        while Official.objects.filter(organisation_id=organisation_id, uid=candidate).exists():
            counter += 1
            candidate = f"{base}{counter}"
    try:
        with transaction.atomic():
            official = Official.objects.create(
                organisation=organisation,
                uid=candidate,
                given_name=given_name,
                surname=surname,
                email=email,
                user_id=user_id,
            )
            audit_record(
                actor=actor,
                action="efos.official.add",
                obj=official,
                organisation_id=organisation_id,
                after=snapshot(official),
            )
    except IntegrityError:
        raise ValidationFailed(
            _("The official could not be added; see the marked fields."),
            errors={"uid": [str(_("This identifier is already used in the agency."))]},
        ) from None
    return official


# --- credential lifecycle ------------------------------------------------------------------------


def _transition(
    actor: Actor, credential: Credential, ability: str, action: str, **changes: Any
) -> Credential:
    with transaction.atomic():
        locked = (
            Credential.objects.select_for_update().select_related("official").get(pk=credential.pk)
        )
        if not credential_abilities(actor, locked).get(ability):
            raise BusinessRuleViolation(
                _("This e-ID cannot be changed that way in its current state (%(status)s)."),
                status=locked.get_status_display(),
            )
        before = snapshot(locked)
        for name, value in changes.items():
            setattr(locked, name, value)
        locked.save()
        audit_record(
            actor=actor,
            action=action,
            obj=locked,
            organisation_id=locked.official.organisation_id,
            before=before,
            after=snapshot(locked),
        )
    return locked


def _visible_or_404(actor: Actor, credential: Credential) -> None:
    if not administers(actor, credential.official.organisation_id):
        raise NotFound("credential")


def order_credential(
    *, actor: Actor, official: Official, renewal_of: Credential | None = None
) -> Credential:
    if not administers(actor, official.organisation_id):
        raise NotFound("official")
    with transaction.atomic():
        if Credential.objects.filter(
            official=official, status__in=[S.ORDERED, S.VERIFIED]
        ).exists():
            raise BusinessRuleViolation(_("An e-ID for this official is already on order."))
        credential = Credential.objects.create(
            official=official, ordered_by_id=actor.user_id, renewal_of=renewal_of
        )
        audit_record(
            actor=actor,
            action="efos.credential.order",
            obj=credential,
            organisation_id=official.organisation_id,
            after=snapshot(credential),
        )
    return credential


def renew_credential(*, actor: Actor, credential: Credential) -> Credential:
    _visible_or_404(actor, credential)
    if not credential_abilities(actor, credential)["renew"]:
        raise BusinessRuleViolation(
            _("Only an issued, active, suspended or expired e-ID can be renewed.")
        )
    return order_credential(actor=actor, official=credential.official, renewal_of=credential)


def verify_identity(*, actor: Actor, credential: Credential, note: str) -> Credential:
    _visible_or_404(actor, credential)
    if not is_operator(actor):
        raise PermissionDenied(_("Only the provider's EFOS operator verifies identities."))
    note = (note or "").strip()
    if not note:
        raise ValidationFailed(
            _("Say how the identity was verified."),
            errors={"note": [str(_("This field is required."))]},
        )
    return _transition(
        actor,
        credential,
        "verify",
        "efos.credential.verify",
        status=S.VERIFIED,
        verified_by_id=actor.user_id,
        verified_at=timezone.now(),
        verification_note=note[:200],
    )


@dataclass
class IssueResult:
    credential: Credential
    certificates: dict[str, x509.Certificate] = field(default_factory=dict)
    software_keys: dict[str, bytes] = field(default_factory=dict)  # usage -> unencrypted PEM


def issue_credential(
    *, actor: Actor, credential: Credential, csrs: dict[str, str] | None = None
) -> IssueResult:
    """Sign the authentication and signature certificates. Keys come from CSRs (a card) or, when
    no CSR is given for a usage, from a software token generated here and returned once."""
    _visible_or_404(actor, credential)
    if not is_operator(actor):
        raise PermissionDenied(_("Only the provider's EFOS operator issues e-IDs."))
    official = credential.official
    subject = official_subject(
        organisation_name=official.organisation.name,
        org_number=official.org_number_digits,
        given_name=official.given_name,
        surname=official.surname,
        uid=official.uid,
    )
    result = IssueResult(credential=credential)
    public_keys: dict[str, object] = {}
    usage: str
    for usage in (CertificateUsage.AUTHENTICATION, CertificateUsage.SIGNATURE):
        pem = ((csrs or {}).get(usage) or "").strip()
        if pem:
            try:
                public_keys[usage] = public_key_from_csr(pem, subject)
            except ProfileError as exc:
                refuse(
                    actor,
                    "issue",
                    exc,
                    organisation_id=official.organisation_id,
                    credential=credential.pk,
                    usage=str(usage),
                )
                raise ValidationFailed(
                    _("Nothing was issued: the certificate request was refused."),
                    errors={str(usage): [str(exc.args[0])]},
                ) from None
        else:
            key = new_ec()
            result.software_keys[usage] = unencrypted_pem(key)
            public_keys[usage] = key.public_key()
    ca = authority()
    start = timezone.now() - dt.timedelta(minutes=5)
    not_after = min(
        start + dt.timedelta(days=365 * conf.credential_years()),
        ca.issuing_cert.not_valid_after_utc,
    )
    with transaction.atomic():
        locked = (
            Credential.objects.select_for_update()
            .select_related("official__organisation")
            .get(pk=credential.pk)
        )
        if not credential_abilities(actor, locked)["issue"]:
            raise BusinessRuleViolation(
                _("Only an e-ID whose holder's identity is verified can be issued.")
            )
        before = snapshot(locked)
        for usage, public_key in public_keys.items():
            cert = ca.issue(
                official_builder(
                    subject=subject,
                    public_key=public_key,
                    usage=usage,
                    not_before=start,
                    not_after=not_after,
                )
            )
            result.certificates[usage] = cert
            _record_certificate(cert, usage=usage, credential=locked)
        locked.status, locked.issued_at, locked.not_after = S.ISSUED, timezone.now(), not_after
        locked.save()
        audit_record(
            actor=actor,
            action="efos.credential.issue",
            obj=locked,
            organisation_id=official.organisation_id,
            before=before,
            after={
                **snapshot(locked),
                "serials": [serial_hex(c.serial_number) for c in result.certificates.values()],
            },
        )
        if locked.renewal_of_id:
            old = Credential.objects.select_for_update().get(pk=locked.renewal_of_id)
            if old.status not in (S.REVOKED, S.EXPIRED):
                _revoke_rows(old, "superseded")
                old.status, old.revoked_at, old.revocation_reason = (
                    S.REVOKED,
                    timezone.now(),
                    "superseded",
                )
                old.save()
        transaction.on_commit(queue_crl_publication)
    result.credential = locked
    return result


def _record_certificate(
    cert: x509.Certificate, *, usage: str, credential: Credential | None
) -> IssuedCertificate:
    return IssuedCertificate.objects.create(
        serial=serial_hex(cert.serial_number),
        credential=credential,
        usage=usage,
        subject=cert.subject.rfc4514_string()[:400],
        not_before=cert.not_valid_before_utc,
        not_after=cert.not_valid_after_utc,
        der=cert.public_bytes(serialization.Encoding.DER),
    )


def record_one_off_certificate(cert: x509.Certificate) -> IssuedCertificate:
    """Per-signature certificates are recorded like any other, so OCSP and the CRL know them."""
    return _record_certificate(cert, usage=CertificateUsage.ONE_OFF_SIGNATURE, credential=None)


def activate_credential(*, actor: Actor, credential: Credential) -> Credential:
    _visible_or_404(actor, credential)
    return _transition(
        actor,
        credential,
        "activate",
        "efos.credential.activate",
        status=S.ACTIVE,
        activated_at=timezone.now(),
    )


def _revoke_rows(credential: Credential, reason: str) -> None:
    IssuedCertificate.objects.filter(credential=credential, revoked_at__isnull=True).update(
        revoked_at=timezone.now(), revocation_reason=reason
    )


def suspend_credential(*, actor: Actor, credential: Credential) -> Credential:
    _visible_or_404(actor, credential)
    with transaction.atomic():
        result = _transition(
            actor,
            credential,
            "suspend",
            "efos.credential.suspend",
            status=S.SUSPENDED,
            suspended_at=timezone.now(),
        )
        _revoke_rows(result, HOLD)
        transaction.on_commit(queue_crl_publication)
    return result


def resume_credential(*, actor: Actor, credential: Credential) -> Credential:
    _visible_or_404(actor, credential)
    with transaction.atomic():
        result = _transition(
            actor,
            credential,
            "resume",
            "efos.credential.resume",
            status=S.ACTIVE if credential.activated_at else S.ISSUED,
            suspended_at=None,
        )
        # Only a hold is lifted; a certificate revoked for good stays revoked (RFC 5280 §5.3.1).
        IssuedCertificate.objects.filter(credential=result, revocation_reason=HOLD).update(
            revoked_at=None, revocation_reason=""
        )
        transaction.on_commit(queue_crl_publication)
    return result


def _check_reason(actor: Actor, reason: str, organisation_id: int | None) -> str:
    reason = (reason or "").strip().lower().replace("-", "_")
    reason = {
        "keycompromise": "key_compromise",
        "affiliationchanged": "affiliation_changed",
        "cessationofoperation": "cessation_of_operation",
    }.get(reason, reason)
    if reason not in RevocationReason.values:
        error = ValidationFailed(
            _("Unknown revocation reason. Use one of: %(reasons)s."),
            errors={"reason": [str(_("Unknown revocation reason."))]},
        )
        error.params = {"reasons": ", ".join(RevocationReason.values)}
        refuse(actor, "revoke", error, organisation_id=organisation_id, reason=reason[:40])
        raise error
    return reason


def revoke_credential(*, actor: Actor, credential: Credential, reason: str) -> Credential:
    _visible_or_404(actor, credential)
    reason = _check_reason(actor, reason, credential.official.organisation_id)
    with transaction.atomic():
        result = _transition(
            actor,
            credential,
            "revoke",
            "efos.credential.revoke",
            status=S.REVOKED,
            revoked_at=timezone.now(),
            revocation_reason=reason,
        )
        IssuedCertificate.objects.filter(credential=result).filter(revoked_at__isnull=True).update(
            revoked_at=timezone.now(), revocation_reason=reason
        )
        # A certificate on hold becomes revoked for good with the final reason.
        IssuedCertificate.objects.filter(credential=result, revocation_reason=HOLD).update(
            revocation_reason=reason
        )
        transaction.on_commit(queue_crl_publication)
    return result


def revoke_serial(*, actor: Actor, serial: str, reason: str) -> IssuedCertificate:
    """CLI `samdrift efos revoke SERIAL`: revoke the credential the certificate belongs to, or the
    single certificate when it has none (one-off signature certificates)."""
    serial_clean = serial.strip().lower().removeprefix("0x").replace(":", "").lstrip("0") or "0"
    if not is_operator(actor):
        raise PermissionDenied(_("Only the provider's EFOS operator revokes by serial number."))
    if not re.fullmatch(r"[0-9a-f]{1,40}", serial_clean):
        invalid = ValidationFailed(
            _("A serial number is hexadecimal."), errors={"serial": [str(_("Not hexadecimal."))]}
        )
        refuse(actor, "revoke", invalid, serial=serial[:60])
        raise invalid
    row = (
        IssuedCertificate.objects.select_related("credential__official")
        .filter(serial=serial_clean)
        .first()
    )
    if row is None:
        missing = NotFound(
            _("No certificate with serial number %(serial)s was issued by this CA."),
            serial=serial_clean,
        )
        refuse(actor, "revoke", missing, serial=serial_clean)
        raise missing
    reason = _check_reason(actor, reason, None)
    if row.credential is not None and row.credential.status not in (S.REVOKED, S.EXPIRED):
        revoke_credential(actor=actor, credential=row.credential, reason=reason)
    elif row.revoked_at is None or row.revocation_reason == HOLD:
        with transaction.atomic():
            before = snapshot(row, ["revoked_at", "revocation_reason"])
            row.revoked_at, row.revocation_reason = timezone.now(), reason
            row.save(update_fields=["revoked_at", "revocation_reason"])
            audit_record(
                actor=actor,
                action="efos.certificate.revoke",
                obj=row,
                before=before,
                after=snapshot(row, ["revoked_at", "revocation_reason"]),
            )
            transaction.on_commit(queue_crl_publication)
    else:
        raise BusinessRuleViolation(_("This certificate is already revoked."))
    row.refresh_from_db()
    return row


# --- CRL (publishing itself is in crl_publishing; re-exported for the views and commands) ---------


def queue_crl_publication() -> None:
    """After-commit hook of a revocation, suspension or resumption: queue a CRL publication job.
    Failing to queue must not undo the revocation (the scheduled publication catches up within
    half an interval); OCSP answers from the rows at once either way."""
    try:
        tasks.queue_publication()
    except Exception:
        logger.exception("queueing the CRL publication after a revocation failed")


def current_crl() -> CrlPublication:
    """The newest CRL; published now if none exists or the newest is due (half its interval),
    so the schedule holds even without a worker (`samdrift efos publish-crl` in cron also works)."""
    latest = latest_crl()
    due = dt.timedelta(seconds=conf.crl_interval_seconds() / 2)
    if latest is None or latest.this_update + due <= timezone.now():
        expire_credentials()  # the same schedule marks e-IDs past their end date
        return publish_crl()
    return latest


# --- documents and signatures ----------------------------------------------------------------------


def create_document(
    *, actor: Actor, organisation_id: int, title: str, sign_message: str, pdf: bytes
) -> SignableDocument:
    if not administers(actor, organisation_id):
        raise NotFound("organisation")
    return _document_create(actor, organisation_id, title, sign_message, pdf)


def create_own_document(
    *, actor: Actor, title: str, sign_message: str, pdf: bytes
) -> SignableDocument:
    """A document the logged-in official is to sign themself, filed under their own agency: for
    another app that has already decided this official must sign it (reporting: the deciding
    official signs the yearly report, ADR 0516)."""
    from .selectors import signer_for

    official = signer_for(actor)
    if official is None:
        raise PermissionDenied(
            _("You have no EFOS e-ID to sign with; ask your agency's EFOS administrator.")
        )
    return _document_create(actor, official.organisation_id, title, sign_message, pdf)


def _document_create(
    actor: Actor, organisation_id: int, title: str, sign_message: str, pdf: bytes
) -> SignableDocument:
    from .signing import is_pdf, sha256_hex

    errors: dict[str, list[str]] = {}
    if not (title or "").strip():
        errors["title"] = [str(_("This field is required."))]
    if not (sign_message or "").strip():
        errors["sign_message"] = [str(_("This field is required."))]
    if not is_pdf(pdf):
        errors["pdf"] = [str(_("The file is not a PDF document."))]
    if errors:
        raise ValidationFailed(
            _("The document could not be added; see the marked fields."), errors=errors
        )
    with transaction.atomic():
        document = SignableDocument.objects.create(
            organisation_id=organisation_id,
            title=title.strip()[:200],
            sign_message=sign_message.strip(),
            pdf=pdf,
            sha256=sha256_hex(pdf),
            created_by_id=actor.user_id,
        )
        audit_record(
            actor=actor,
            action="efos.document.add",
            obj=document,
            organisation_id=organisation_id,
            after={"title": document.title, "sha256": document.sha256},
        )
    return document


def sign_document(
    *,
    actor: Actor,
    document: SignableDocument,
    official: Official,
    id_claims: dict[str, Any],
    sign_message: str,
    started_at: dt.datetime,
    level: str = SignatureLevel.PADES_B_LTA,
) -> DocumentSignature:
    """Sign after a verified re-authentication: `id_claims` are the checked ID-token claims."""
    from .signing import Signer, one_off_certificate, sha256_hex, sign_pdf

    if official.organisation_id != document.organisation_id or official.user_id != actor.user_id:
        raise NotFound("document")
    if id_claims.get(ORG_AFFILIATION) != official.org_affiliation:
        raise PermissionDenied(_("The re-authentication was made by someone else."))
    if int(id_claims.get("auth_time", 0)) < int(started_at.timestamp()) - 5:
        raise PermissionDenied(_("The re-authentication is older than the signing request."))
    if sign_message != document.sign_message:
        raise PermissionDenied(_("The approved sign message is not this document's."))
    if level not in SignatureLevel.values:
        raise ValidationFailed(
            _("Unknown signature level."), errors={"level": [str(_("Unknown signature level."))]}
        )
    ca = authority()
    source = document.signatures.order_by("-signed_at").first()
    pdf = bytes(source.signed_pdf) if source else bytes(document.pdf)
    signer = Signer(
        official.given_name,
        official.surname,
        official.uid,
        official.organisation.name,
        official.org_number_digits,
    )
    cert, key = one_off_certificate(ca, signer)
    with transaction.atomic():
        record_one_off_certificate(cert)
    crl = current_crl()
    signed = sign_pdf(
        pdf,
        cert=cert,
        key=key,
        level=level,
        issuing_crl_der=bytes(crl.der),
        reason=document.sign_message,
        ca=ca,
    )
    with transaction.atomic():
        signature = DocumentSignature.objects.create(
            document=document,
            official=official,
            level=level,
            signed_pdf=signed,
            signed_sha256=sha256_hex(signed),
            document_sha256=sha256_hex(pdf),
            sign_message=sign_message,
            acr=str(id_claims.get("acr", "")),
            auth_time=dt.datetime.fromtimestamp(int(id_claims["auth_time"]), dt.UTC),
            id_token_jti=str(id_claims.get("jti", ""))[:100],
            certificate_serial=serial_hex(cert.serial_number),
        )
        audit_record(
            actor=actor,
            action="efos.document.sign",
            obj=signature,
            organisation_id=document.organisation_id,
            after={
                "document": document.pk,
                "official": official.pk,
                "level": level,
                "sha256": signature.signed_sha256,
                "acr": signature.acr,
                "serial": signature.certificate_serial,
                "jti": signature.id_token_jti,
            },
        )
    return signature


def ensure_internal_client(
    *, client_id: str, jwks: dict[str, Any], redirect_uris: list[str]
) -> OidcClient:
    """samdrift registered as a client of its own OP, for the signing re-authentication
    (`oidc.internal.ensure_client` supplies the key and the redirect URI, which follows the
    issuer: in development, the address the page was served at)."""
    client, created = OidcClient.objects.get_or_create(
        client_id=client_id,
        defaults={"name": "samdrift (signing)", "redirect_uris": redirect_uris, "jwks": jwks},
    )
    if not created and (client.jwks != jwks or client.redirect_uris != redirect_uris):
        client.jwks, client.redirect_uris = jwks, redirect_uris
        client.save(update_fields=["jwks", "redirect_uris", "updated_at"])
    return client


LOOPBACK_HOSTS = frozenset({"127.0.0.1", "localhost", "::1"})


def _acceptable_redirect_uri(uri: str) -> bool:
    """https anywhere, plain http only to loopback (RFC 8252 §7.3), compared by parsed host, not
    by prefix: `http://127.0.0.1.evil.example/cb` starts like loopback but is not (issue 19
    item 10). No fragment, no user info, no control characters; the authorization endpoint then
    compares the registered string exactly."""
    from urllib.parse import urlsplit

    if (
        not isinstance(uri, str)
        or len(uri) > 2000
        or any(ord(c) < 0x21 or c == "\x7f" for c in uri)
    ):
        return False
    try:
        parts = urlsplit(uri)
        host = parts.hostname
        parts.port  # noqa: B018 - raises ValueError on a malformed port
    except ValueError:
        return False
    if not host or parts.fragment or "@" in parts.netloc:
        return False
    return parts.scheme == "https" or (parts.scheme == "http" and host in LOOPBACK_HOSTS)


def register_client(
    *,
    actor: Actor,
    client_id: str,
    name: str,
    redirect_uris: list[str],
    jwks: dict[str, Any],
    id_token_signed_response_alg: str = "ES256",  # noqa: S107 - an algorithm name
    subject_type: str = "pairwise",
) -> OidcClient:
    from joserfc.errors import JoseError
    from joserfc.jwk import KeySet

    if not is_operator(actor):
        raise PermissionDenied(_("Only the provider's EFOS operator registers clients."))
    errors: dict[str, list[str]] = {}
    if not re.fullmatch(r"[A-Za-z0-9._:/-]{3,200}", client_id or ""):
        errors["client_id"] = [str(_("Use 3–200 letters, digits and . _ : / -."))]
    if not redirect_uris or not all(_acceptable_redirect_uri(u) for u in redirect_uris):
        errors["redirect_uris"] = [str(_("Give at least one https redirect URI."))]
    try:
        keys = KeySet.import_key_set(jwks)  # type: ignore[arg-type]
        if any(k.is_private for k in keys.keys) or not keys.keys:
            raise ValueError
    except (JoseError, ValueError, TypeError, KeyError):
        errors["jwks"] = [str(_("Give the client's public keys as a JWK set."))]
    if id_token_signed_response_alg not in ("ES256", "RS256"):
        errors["id_token_signed_response_alg"] = [str(_("Choose ES256 or RS256."))]
    if subject_type not in ("pairwise", "public"):
        errors["subject_type"] = [str(_("Choose pairwise or public."))]
    if errors:
        raise ValidationFailed(
            _("The client could not be registered; see the marked fields."), errors=errors
        )
    with transaction.atomic():
        client, _created = OidcClient.objects.update_or_create(
            client_id=client_id,
            defaults={
                "name": name or client_id,
                "redirect_uris": redirect_uris,
                "jwks": jwks,
                "active": True,
                "id_token_signed_response_alg": id_token_signed_response_alg,
                "subject_type": subject_type,
            },
        )
        audit_record(
            actor=actor,
            action="efos.client.register",
            obj=client,
            after={
                "client_id": client_id,
                "redirect_uris": redirect_uris,
                "id_token_signed_response_alg": id_token_signed_response_alg,
                "subject_type": subject_type,
            },
        )
    return client
