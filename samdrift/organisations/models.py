"""Agencies and who works for them."""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from samdrift.core.models import TimeStampedModel
from samdrift.core.orgnumber import validate_org_number

from .choices import OrganisationKind, Role


class Organisation(TimeStampedModel):
    """A state agency, or an umbrella that groups agencies (Länsstyrelserna).

    Courts share Domstolsverket's organisation number, so the number is not unique; the name is.
    A group (`is_group`) is no legal entity of its own: it has no organisation number and does
    not count as an agency, but it can hold cases and connections for its members.
    """

    name = models.CharField(_("name"), max_length=200, unique=True)
    org_number = models.CharField(
        _("organisation number"), max_length=11, blank=True, validators=[validate_org_number]
    )
    ministry = models.CharField(_("ministry"), max_length=120, blank=True, db_index=True)
    kind = models.CharField(
        _("kind"),
        max_length=16,
        choices=OrganisationKind.choices,
        default=OrganisationKind.CUSTOMER,
    )
    parent = models.ForeignKey(
        "self",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="children",
        verbose_name=_("parent agency"),
    )
    is_group = models.BooleanField(_("umbrella group without legal entity"), default=False)
    register_group = models.CharField(_("register group"), max_length=120, blank=True)
    employees = models.PositiveIntegerField(_("employees"), null=True, blank=True)
    # Beredskapsmyndighet: named in the annex to förordning (2022:524); Statskontoret's
    # indicator 2 is the share of these connected (ADR 0511).
    preparedness = models.BooleanField(_("preparedness agency"), default=False)

    class Meta:
        ordering = ["name"]
        constraints = [
            models.CheckConstraint(
                condition=Q(is_group=True) | ~Q(org_number=""),
                name="organisation_number_unless_group",
            ),
            models.CheckConstraint(
                condition=~Q(parent=models.F("id")), name="organisation_not_own_parent"
            ),
        ]
        indexes = [models.Index(fields=["org_number"])]

    def __str__(self) -> str:
        return self.name

    @property
    def is_provider(self) -> bool:
        return self.kind == OrganisationKind.PROVIDER


class Membership(TimeStampedModel):
    """A user's role in one agency. Provider roles only exist in provider agencies."""

    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="memberships"
    )
    organisation = models.ForeignKey(
        Organisation, on_delete=models.CASCADE, related_name="memberships"
    )
    role = models.CharField(_("role"), max_length=32, choices=Role.choices)

    class Meta:
        constraints = [
            models.UniqueConstraint(
                fields=["user", "organisation", "role"], name="membership_unique_role"
            )
        ]
        indexes = [models.Index(fields=["organisation", "role"])]

    def __str__(self) -> str:
        return f"{self.user} – {self.organisation} ({self.role})"


class Invitation(TimeStampedModel):
    """An invitation to take a role in an agency, sent to an e-mail address (ADR 0111).

    Members are added this way only: the administrator never learns whether a user with the
    address exists. The invited person accepts it logged in, with an account of that address. The
    token is kept as its SHA-256 only; the link in the e-mail is the one copy of the token.
    """

    organisation = models.ForeignKey(
        Organisation, on_delete=models.CASCADE, related_name="invitations"
    )
    email = models.EmailField(_("e-mail address"))  # stored lower-case
    role = models.CharField(_("role"), max_length=32, choices=Role.choices)
    token_hash = models.CharField(max_length=64, unique=True)
    invited_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, related_name="+"
    )
    expires_at = models.DateTimeField(_("valid until"))
    accepted_at = models.DateTimeField(_("accepted"), null=True, blank=True)
    accepted_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    cancelled_at = models.DateTimeField(_("withdrawn"), null=True, blank=True)

    class Meta:
        constraints = [
            models.CheckConstraint(
                condition=Q(accepted_at__isnull=True) | Q(cancelled_at__isnull=True),
                name="invitation_accepted_or_withdrawn",
            ),
            # One open invitation per address and role in an agency: a new one replaces it.
            models.UniqueConstraint(
                fields=["organisation", "email", "role"],
                condition=Q(accepted_at__isnull=True, cancelled_at__isnull=True),
                name="invitation_one_open_per_role",
            ),
        ]
        indexes = [models.Index(fields=["organisation", "accepted_at", "cancelled_at"])]

    def __str__(self) -> str:
        return f"{self.email} → {self.organisation} ({self.role})"
