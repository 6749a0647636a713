from django.db import models
from django.utils.translation import gettext_lazy as _


class OrganisationKind(models.TextChoices):
    PROVIDER = "provider", _("Provider agency")
    CUSTOMER = "customer", _("Customer agency")


class Role(models.TextChoices):
    """Provider roles act for the whole platform; customer roles act for their own agency."""

    PROVIDER_ADMIN = "provider_admin", _("Administrator (provider)")
    SERVICE_MANAGER = "service_manager", _("Service manager")
    ACCOUNT_MANAGER = "account_manager", _("Account manager")
    FINANCE = "finance", _("Finance")
    SECURITY = "security", _("Security")
    CONTACT = "contact", _("Contact")
    ORDERER = "orderer", _("Orderer")
    MEMBER = "member", _("Member")


PROVIDER_ROLES = frozenset(
    {Role.PROVIDER_ADMIN, Role.SERVICE_MANAGER, Role.ACCOUNT_MANAGER, Role.FINANCE, Role.SECURITY}
)
CUSTOMER_ROLES = frozenset({Role.CONTACT, Role.ORDERER, Role.MEMBER})
