"""Users, their personal API tokens and their app passwords."""

from __future__ import annotations

from django.conf import settings
from django.contrib.auth.models import AbstractUser
from django.db import models
from django.utils.translation import gettext_lazy as _


class User(AbstractUser):
    """An official or a provider staff member. Agency and role live in `Membership`."""

    preferred_language = models.CharField(
        _("preferred language"), max_length=5, choices=settings.LANGUAGES, default="sv"
    )

    class Meta:
        db_table = "accounts_user"


class PersonalSecret(models.Model):
    """A secret a person makes for a program to act as them: only a SHA-256 digest is stored, the
    secret is shown once; revocable, with an optional expiry. API tokens and app passwords."""

    name = models.CharField(_("name"), max_length=100)
    prefix = models.CharField(max_length=12, db_index=True)
    digest = models.CharField(max_length=64, unique=True)
    created_at = models.DateTimeField(auto_now_add=True)
    expires_at = models.DateTimeField(_("expires"), null=True, blank=True)
    last_used_at = models.DateTimeField(null=True, blank=True)
    revoked_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        abstract = True

    def __str__(self) -> str:
        return f"{self.name} ({self.prefix}…)"


class ApiToken(PersonalSecret):
    """A personal token for the API (`Authorization: Bearer`)."""

    user = models.ForeignKey(User, on_delete=models.CASCADE, related_name="api_tokens")


class AppPassword(PersonalSecret):
    """A password for a desktop program (WebDAV, ADR 0613): limited to a highest confidentiality
    class, and carrying the level of assurance of the login that made it (ADR 0614)."""

    user = models.ForeignKey(User, on_delete=models.CASCADE, related_name="app_passwords")
    max_class = models.PositiveSmallIntegerField(_("highest class"))
    loa_rank = models.PositiveSmallIntegerField(default=0)

    class Meta:
        constraints = [
            models.CheckConstraint(
                condition=models.Q(max_class__lte=3), name="app_password_class_0_3"
            )
        ]
