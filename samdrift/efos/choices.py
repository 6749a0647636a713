from django.db import models
from django.utils.translation import gettext_lazy as _


class CredentialStatus(models.TextChoices):
    """The life of one service e-ID (ADR 0300). Revoked and expired are final."""

    ORDERED = "ordered", _("Ordered")
    VERIFIED = "verified", _("Identity verified")
    ISSUED = "issued", _("Issued")
    ACTIVE = "active", _("Active")
    SUSPENDED = "suspended", _("Suspended")
    REVOKED = "revoked", _("Revoked")
    EXPIRED = "expired", _("Expired")


class CertificateUsage(models.TextChoices):
    AUTHENTICATION = "authentication", _("Authentication")
    SIGNATURE = "signature", _("Signature")
    ONE_OFF_SIGNATURE = "one_off_signature", _("One-off signature")


class RevocationReason(models.TextChoices):
    """RFC 5280 §5.3.1 reasons an operator or administrator may choose."""

    UNSPECIFIED = "unspecified", _("Unspecified")
    KEY_COMPROMISE = "key_compromise", _("Key compromise")
    AFFILIATION_CHANGED = "affiliation_changed", _("Affiliation changed")
    SUPERSEDED = "superseded", _("Superseded")
    CESSATION_OF_OPERATION = "cessation_of_operation", _("Cessation of operation")


HOLD = "certificate_hold"  # stored on certificates of a suspended credential; never chosen


class SignatureLevel(models.TextChoices):
    PADES_B_T = "PAdES-B-T", "PAdES B-T"
    PADES_B_LTA = "PAdES-B-LTA", "PAdES B-LTA"
