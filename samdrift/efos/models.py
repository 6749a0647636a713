"""EFOS: officials, their service e-IDs (credentials), issued certificates, CRLs, the OpenID
provider's clients and grants, and signed documents."""

from __future__ import annotations

import re
from typing import Any

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from samdrift.core.models import TimeStampedModel

from .choices import CertificateUsage, CredentialStatus, SignatureLevel


def name_key(name: str) -> str:
    """A name as the site-wide search compares it: lowercased (Python's Unicode lowercasing,
    so Å and å are one letter on SQLite too), spaces trimmed."""
    return name.strip().lower()[:100]


class Official(TimeStampedModel):
    """A person working for an agency who holds (or will hold) an EFOS service e-ID.

    `uid` is the personal part of `orgAffiliation` (`<uid>@<orgnr>`): unique only within the
    agency, never a personnummer (identity reference §10.3 pitfall 5).
    """

    organisation = models.ForeignKey(
        "organisations.Organisation",
        on_delete=models.PROTECT,
        related_name="efos_officials",
        verbose_name=_("agency"),
    )
    uid = models.CharField(_("user identifier"), max_length=64)
    given_name = models.CharField(_("given name"), max_length=100)
    surname = models.CharField(_("surname"), max_length=100)
    email = models.EmailField(_("email"), blank=True)
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="efos_officials",
        verbose_name=_("samdrift user"),
    )
    # The names lowercased, for the site-wide search's prefix lookups through an index
    # (ADR 0703); written by `save()` from the names, never by hand.
    given_key = models.CharField(max_length=100, db_index=True, default="", editable=False)
    surname_key = models.CharField(max_length=100, db_index=True, default="", editable=False)

    class Meta:
        ordering = ["surname", "given_name"]
        constraints = [
            models.UniqueConstraint(
                fields=["organisation", "uid"], name="efos_official_uid_per_org"
            )
        ]

    def __str__(self) -> str:
        return f"{self.given_name} {self.surname}"

    def save(self, *args: Any, **kwargs: Any) -> None:
        self.given_key, self.surname_key = name_key(self.given_name), name_key(self.surname)
        update_fields = kwargs.get("update_fields")
        if update_fields is not None and {"given_name", "surname"} & set(update_fields):
            kwargs["update_fields"] = {*update_fields, "given_key", "surname_key"}
        super().save(*args, **kwargs)

    @property
    def full_name(self) -> str:
        return f"{self.given_name} {self.surname}"

    @property
    def org_number_digits(self) -> str:
        return re.sub(r"\D", "", self.organisation.org_number)

    @property
    def org_affiliation(self) -> str:
        return f"{self.uid}@{self.org_number_digits}"


class Credential(TimeStampedModel):
    """One service e-ID: an authentication and a signature certificate, with a lifecycle."""

    official = models.ForeignKey(Official, on_delete=models.PROTECT, related_name="credentials")
    status = models.CharField(
        _("status"),
        max_length=16,
        choices=CredentialStatus.choices,
        default=CredentialStatus.ORDERED,
        db_index=True,
    )
    ordered_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    verified_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    verification_note = models.CharField(
        _("how the identity was verified"), max_length=200, blank=True
    )
    verified_at = models.DateTimeField(null=True, blank=True)
    issued_at = models.DateTimeField(null=True, blank=True)
    activated_at = models.DateTimeField(null=True, blank=True)
    suspended_at = models.DateTimeField(null=True, blank=True)
    revoked_at = models.DateTimeField(null=True, blank=True)
    revocation_reason = models.CharField(_("revocation reason"), max_length=32, blank=True)
    not_after = models.DateTimeField(_("valid until"), null=True, blank=True)
    renewal_of = models.ForeignKey(
        "self",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="renewals",
        verbose_name=_("renewal of"),
    )

    class Meta:
        ordering = ["-created_at"]

    def __str__(self) -> str:
        return f"EFOS {self.pk} ({self.official})"


class IssuedCertificate(models.Model):
    """Every certificate the issuing CA has signed. The OCSP responder and the CRL read only this.

    `serial` is lower-case hex without leading zeros, unique and indexed: an OCSP lookup is one
    indexed read (ADR 0302). `der` is the certificate itself.
    """

    serial = models.CharField(max_length=40, unique=True)
    credential = models.ForeignKey(
        Credential, on_delete=models.PROTECT, null=True, blank=True, related_name="certificates"
    )
    usage = models.CharField(max_length=24, choices=CertificateUsage.choices)
    subject = models.CharField(max_length=400)
    not_before = models.DateTimeField()
    not_after = models.DateTimeField()
    der = models.BinaryField(default=b"")
    revoked_at = models.DateTimeField(null=True, blank=True)
    revocation_reason = models.CharField(max_length=32, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["-created_at"]
        indexes = [
            # The CRL reads the revoked, unexpired rows only.
            models.Index(
                fields=["not_after"],
                condition=Q(revoked_at__isnull=False),
                name="efos_cert_revoked",
            )
        ]

    def __str__(self) -> str:
        return self.serial


class CrlPublication(models.Model):
    """One published CRL of the issuing CA; the newest is served at /efos/crl."""

    number = models.PositiveBigIntegerField(unique=True)
    this_update = models.DateTimeField()
    next_update = models.DateTimeField()
    entries = models.PositiveIntegerField()
    der = models.BinaryField()
    seconds = models.FloatField(default=0)

    class Meta:
        ordering = ["-number"]

    def __str__(self) -> str:
        return f"CRL {self.number}"


class OidcClient(TimeStampedModel):
    """A relying party of the EFOS OpenID provider (SAFOS, samdrift itself, …).

    Clients authenticate with `private_key_jwt` only; `jwks` holds their public keys.
    """

    client_id = models.CharField(_("client id"), max_length=200, unique=True)
    name = models.CharField(_("name"), max_length=200)
    redirect_uris = models.JSONField(default=list)
    jwks = models.JSONField(default=dict)
    active = models.BooleanField(default=True)
    # OIDC Registration §2: the algorithm of this client's ID tokens (and signed UserInfo).
    # OpenID Connect requires RS256 to be offered; ES256 stays the default (issue 20, ADR 0032).
    id_token_signed_response_alg = models.CharField(
        _("ID token signing algorithm"),
        max_length=10,
        choices=[("ES256", "ES256"), ("RS256", "RS256")],
        default="ES256",
    )
    # The Swedish profile (§3.2.1.1, §6) requires `public` to be offered; pairwise stays our
    # default so a client cannot link an official across services (ADR 0034).
    subject_type = models.CharField(
        _("subject type"),
        max_length=10,
        choices=[("pairwise", "pairwise"), ("public", "public")],
        default="pairwise",
    )

    def __str__(self) -> str:
        return self.client_id


class AuthorizationGrant(models.Model):
    """An authorization code and, once redeemed, its access token. Stored as hashes only."""

    code_hash = models.CharField(max_length=64, unique=True)
    access_token_hash = models.CharField(max_length=64, blank=True, db_index=True)
    client = models.ForeignKey(OidcClient, on_delete=models.CASCADE, related_name="grants")
    official = models.ForeignKey(Official, on_delete=models.CASCADE, related_name="grants")
    certificate_serial = models.CharField(max_length=40)
    redirect_uri = models.CharField(max_length=500)
    scope = models.CharField(max_length=500)
    nonce = models.CharField(max_length=500, blank=True)
    code_challenge = models.CharField(max_length=128)
    claims = models.JSONField(default=dict)
    acr = models.CharField(max_length=200)
    auth_time = models.DateTimeField()
    sign_message = models.TextField(blank=True)
    expires_at = models.DateTimeField()
    redeemed_at = models.DateTimeField(null=True, blank=True)
    token_expires_at = models.DateTimeField(null=True, blank=True)
    token_used_at = models.DateTimeField(null=True, blank=True)
    revoked = models.BooleanField(default=False)

    def __str__(self) -> str:
        return f"grant {self.pk}"


class ClientAssertionUse(models.Model):
    """The `jti` of every client assertion seen, so none can be replayed (profile §4.5)."""

    client = models.ForeignKey(OidcClient, on_delete=models.CASCADE)
    jti = models.CharField(max_length=200)
    expires_at = models.DateTimeField(db_index=True)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["client", "jti"], name="efos_assertion_jti_once")
        ]

    def __str__(self) -> str:
        return self.jti


class SignableDocument(TimeStampedModel):
    """A PDF an agency's official signs (a connection agreement, for instance)."""

    organisation = models.ForeignKey(
        "organisations.Organisation",
        on_delete=models.PROTECT,
        related_name="efos_documents",
        verbose_name=_("agency"),
    )
    title = models.CharField(_("title"), max_length=200)
    sign_message = models.TextField(_("sign message"))
    pdf = models.BinaryField()
    sha256 = models.CharField(max_length=64)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )

    class Meta:
        ordering = ["-created_at"]

    def __str__(self) -> str:
        return self.title


class DocumentSignature(models.Model):
    """The immutable record of one signature (identity reference §9.3 step 4)."""

    document = models.ForeignKey(
        SignableDocument, on_delete=models.PROTECT, related_name="signatures"
    )
    official = models.ForeignKey(Official, on_delete=models.PROTECT, related_name="signatures")
    level = models.CharField(max_length=16, choices=SignatureLevel.choices)
    signed_pdf = models.BinaryField()
    signed_sha256 = models.CharField(max_length=64)
    document_sha256 = models.CharField(max_length=64)
    sign_message = models.TextField()
    acr = models.CharField(max_length=200)
    auth_time = models.DateTimeField()
    id_token_jti = models.CharField(max_length=100)
    certificate_serial = models.CharField(max_length=40)
    signed_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["-signed_at"]

    def __str__(self) -> str:
        return f"{self.document} – {self.official}"
