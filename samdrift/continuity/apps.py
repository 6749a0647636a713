from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class ContinuityConfig(AppConfig):
    name = "samdrift.continuity"
    label = "continuity"
    verbose_name = _("Continuity")
    default_auto_field = "django.db.models.BigAutoField"
