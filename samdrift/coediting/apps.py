from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class CoeditingConfig(AppConfig):
    name = "samdrift.coediting"
    label = "coediting"
    verbose_name = _("Live notes and whiteboards (SAFOS)")
    default_auto_field = "django.db.models.BigAutoField"
