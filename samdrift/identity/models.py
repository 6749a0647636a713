"""Identity providers samdrift trusts as a relying party, and the state of logins through them."""

from __future__ import annotations

from django.conf import settings
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.utils.translation import gettext_lazy as _

from samdrift.core.models import TimeStampedModel

from . import loa


class IdentityProvider(TimeStampedModel):
    """An OpenID provider officials may log in through: a federation (Sweden Connect), an
    agency's own provider, a broker, samdrift's EFOS provider or the development provider.

    A provider bound to an `organisation` may only vouch for that agency's officials. Uncertified
    levels (`…/uncertified-loa3`) count only from a provider marked `allow_uncertified`.
    """

    slug = models.SlugField(_("short name"), max_length=50, unique=True)
    name = models.CharField(_("name"), max_length=200)
    issuer = models.CharField(_("issuer"), max_length=300, unique=True)
    client_id = models.CharField(_("client id"), max_length=200)
    organisation = models.ForeignKey(
        "organisations.Organisation",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="identity_providers",
        verbose_name=_("only for officials of"),
    )
    allow_uncertified = models.BooleanField(_("trust uncertified levels"), default=False)
    allow_eidas = models.BooleanField(_("accept eIDAS levels"), default=True)
    is_active = models.BooleanField(_("active"), default=True)
    is_development = models.BooleanField(_("development tool"), default=False)

    class Meta:
        db_table = "identity_provider"
        ordering = ["name"]

    def __str__(self) -> str:
        return self.name

    def policy(self) -> dict[str, bool]:
        """The keyword arguments `loa.acceptable_uris`/`loa.satisfies` take for this provider."""
        return {"allow_uncertified": self.allow_uncertified, "allow_eidas": self.allow_eidas}


class LoginTransaction(models.Model):
    """One authorization request in flight: state, nonce and PKCE verifier, used at most once.

    Kept in the database (and its state also in the session that started it) so a replayed or
    forged callback is recognised even after the session changed.
    """

    provider = models.ForeignKey(IdentityProvider, on_delete=models.CASCADE)
    state = models.CharField(max_length=64, unique=True)
    nonce = models.CharField(max_length=64)
    code_verifier = models.CharField(max_length=128)
    min_rank = models.PositiveSmallIntegerField(
        validators=[MinValueValidator(loa.MIN_RANK), MaxValueValidator(loa.MAX_RANK)]
    )
    next_url = models.CharField(max_length=500, default="/")
    step_up_user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, null=True, blank=True
    )
    created_at = models.DateTimeField(auto_now_add=True)
    used_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        db_table = "identity_login_transaction"
        indexes = [models.Index(fields=["created_at"])]

    def __str__(self) -> str:
        return f"login via {self.provider_id} at level {self.min_rank}"


class ExternalIdentity(TimeStampedModel):
    """An official's identity at one provider (pairwise `sub`), linked to a samdrift user."""

    provider = models.ForeignKey(IdentityProvider, on_delete=models.PROTECT)
    subject = models.CharField(max_length=255)
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="external_identities"
    )
    org_affiliation = models.CharField(_("organisational affiliation"), max_length=255, blank=True)
    last_acr = models.CharField(max_length=200, blank=True)
    last_login_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        db_table = "identity_external_identity"
        constraints = [
            models.UniqueConstraint(
                fields=["provider", "subject"], name="identity_one_user_per_sub"
            )
        ]

    def __str__(self) -> str:
        return f"{self.provider_id}:{self.subject}"


class UsedIdToken(models.Model):
    """ID tokens already accepted, so the same token is never accepted twice."""

    provider = models.ForeignKey(IdentityProvider, on_delete=models.CASCADE)
    token_id = models.CharField(max_length=128)  # jti, or the token's SHA-256 when it has none
    expires_at = models.DateTimeField()

    class Meta:
        db_table = "identity_used_id_token"
        constraints = [
            models.UniqueConstraint(fields=["provider", "token_id"], name="identity_token_once")
        ]

    def __str__(self) -> str:
        return self.token_id


class AccessRequestStatus(models.TextChoices):
    OPEN = "open", _("Open")
    HANDLED = "handled", _("Handled")


class AccessRequest(TimeStampedModel):
    """An official whose agency samdrift does not know asked for access. No agency is created:
    agencies are customers under agreement, so provider staff handle the request."""

    provider = models.ForeignKey(IdentityProvider, on_delete=models.PROTECT)
    subject = models.CharField(max_length=255)
    name = models.CharField(_("name"), max_length=200)
    org_number = models.CharField(_("organisation number"), max_length=11)
    org_name = models.CharField(_("organisation name"), max_length=200, blank=True)
    email = models.EmailField(_("email"))
    message = models.TextField(_("message"), blank=True, max_length=2000)
    status = models.CharField(
        max_length=16, choices=AccessRequestStatus.choices, default=AccessRequestStatus.OPEN
    )

    class Meta:
        db_table = "identity_access_request"
        ordering = ["-created_at"]

    def __str__(self) -> str:
        return f"{self.name} ({self.org_number})"


class AssuranceRequirement(TimeStampedModel):
    """The minimum level of assurance a catalogue service needs from the officials who use it."""

    service = models.OneToOneField(
        "catalogue.Service", on_delete=models.CASCADE, related_name="assurance_requirement"
    )
    min_rank = models.PositiveSmallIntegerField(
        _("minimum level"),
        validators=[MinValueValidator(loa.MIN_RANK), MaxValueValidator(loa.MAX_RANK)],
    )

    class Meta:
        db_table = "identity_assurance_requirement"
        constraints = [
            models.CheckConstraint(
                condition=models.Q(min_rank__gte=loa.MIN_RANK, min_rank__lte=loa.MAX_RANK),
                name="identity_requirement_rank_range",
            )
        ]

    def __str__(self) -> str:
        return f"{self.service_id} ≥ {self.min_rank}"
