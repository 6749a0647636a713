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
