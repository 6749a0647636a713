"""Fixed vocabularies of the Program 2032 sites (ADR 0910)."""

from __future__ import annotations

from django.db import models
from django.utils.translation import gettext_lazy as _


class Region(models.TextChoices):
    """The six civil areas (civilområden) of Sweden's civil preparedness since 2023: a site's
    region is the civil area it lies in, so "different regions" means a regional crisis in one
    civil area cannot take both sites."""

    NORTH = "nord", _("Northern civil area")
    CENTRAL = "mitt", _("Central civil area")
    STOCKHOLM = "stockholm", _("Stockholm civil area")
    EAST = "ost", _("Eastern civil area")
    WEST = "vast", _("Western civil area")
    SOUTH = "syd", _("Southern civil area")


class SecurityClass(models.IntegerChoices):
    """The highest security classification (säkerhetsskyddsklass, säkerhetsskyddslagen
    2018:585) a site is approved to hold; 0 is a site without security protection."""

    NONE = 0, _("Not security classified")
    RESTRICTED = 1, _("Restricted (begränsat hemlig)")
    CONFIDENTIAL = 2, _("Confidential (konfidentiell)")
    SECRET = 3, _("Secret (hemlig)")
    TOP_SECRET = 4, _("Top secret (kvalificerat hemlig)")


class PlacementRole(models.TextChoices):
    PRIMARY = "primary", _("primary")
    SECONDARY = "secondary", _("secondary")
