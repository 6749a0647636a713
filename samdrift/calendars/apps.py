from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class CalendarsConfig(AppConfig):
    name = "samdrift.calendars"
    label = "calendars"
    verbose_name = _("Calendars and tasks (SAFOS)")
    default_auto_field = "django.db.models.BigAutoField"
