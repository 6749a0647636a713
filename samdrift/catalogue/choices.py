from django.db import models
from django.utils.translation import gettext_lazy as _


class Lifecycle(models.TextChoices):
    DRAFT = "draft", _("Draft")
    ACTIVE = "active", _("Active")
    RETIRED = "retired", _("Retired")


class SupportHours(models.TextChoices):
    OFFICE = "office", _("Office hours (weekdays 8–17)")
    EXTENDED = "extended", _("Extended hours (weekdays 7–19)")
    ALWAYS = "24x7", _("Around the clock (24/7)")
