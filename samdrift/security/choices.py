"""The fixed vocabularies of security operations (ADR 0950)."""

from __future__ import annotations

from django.db import models
from django.utils.translation import gettext_lazy as _


class Severity(models.TextChoices):
    CRITICAL = "critical", _("Critical")
    HIGH = "high", _("High")
    MEDIUM = "medium", _("Medium")
    LOW = "low", _("Low")
    INFO = "info", _("Informational")
    UNKNOWN = "unknown", _("Unknown")


#: Most severe first, for ordering and for the filters.
SEVERITY_ORDER = [value for value, _label in Severity.choices]


class FindingStatus(models.TextChoices):
    OPEN = "open", _("Open")
    FIXED = "fixed", _("Fixed")
    NOT_AFFECTED = "not_affected", _("Not affected")


class ComponentKind(models.TextChoices):
    IMAGE = "image", _("Container image")
    LIBRARY = "library", _("Library")
    APPLICATION = "application", _("Application")
    HOST = "host", _("Host")


class ReportFormat(models.TextChoices):
    TRIVY = "trivy", "Trivy JSON"
    GRYPE = "grype", "Anchore Grype JSON"
    SARIF = "sarif", "SARIF 2.1"
    CYCLONEDX = "cyclonedx", "CycloneDX JSON"
    OPENVEX = "openvex", "OpenVEX"
    GREENBONE = "greenbone", "Greenbone/OpenVAS XML"
    CSAF = "csaf", "CSAF 2.0"


class VexStatus(models.TextChoices):
    """OpenVEX's four statuses (spec v0.2.0 §4.2)."""

    NOT_AFFECTED = "not_affected", _("not affected")
    AFFECTED = "affected", _("affected")
    FIXED = "fixed", _("fixed")
    UNDER_INVESTIGATION = "under_investigation", _("under investigation")


class SecurityCategory(models.TextChoices):
    """What kind of security incident (after the categories of CERT-SE's incident report)."""

    MALWARE = "malware", _("Malware or ransomware")
    INTRUSION = "intrusion", _("Intrusion or unauthorised access")
    AVAILABILITY = "availability", _("Attack on availability (overload, DDoS)")
    LEAK = "leak", _("Information leak")
    FRAUD = "fraud", _("Fraud or phishing")
    EXPLOITED = "exploited", _("Exploited vulnerability")
    OTHER = "other", _("Other security incident")


class InformationClass(models.TextChoices):
    """The kinds of information an incident touched; personal data brings GDPR art. 33."""

    PUBLIC = "public", _("Public information")
    CONFIDENTIAL = "confidential", _("Confidential under OSL (sekretess)")
    PERSONAL = "personal", _("Personal data")
    SENSITIVE_PERSONAL = "sensitive_personal", _("Sensitive personal data (GDPR art. 9)")
    CLASSIFIED = "classified", _("Security-classified (säkerhetsskydd)")


#: The information classes that are personal data.
PERSONAL_CLASSES = {InformationClass.PERSONAL, InformationClass.SENSITIVE_PERSONAL}
