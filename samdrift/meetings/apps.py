from __future__ import annotations

from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class MeetingsConfig(AppConfig):
    name = "samdrift.meetings"
    label = "meetings"
    verbose_name = _("Meetings (SAFOS, Janus)")
    default_auto_field = "django.db.models.BigAutoField"

    def ready(self) -> None:
        from samdrift.core.health import register_health_check

        from . import turn
        from .engine import healthy

        # Janus's and coturn's health on the public status page (up or down only).
        register_health_check("meetings", _("Meetings (Janus media server)"), healthy)
        register_health_check("meetings_turn", _("Meetings relay (TURN server)"), turn.healthy)
