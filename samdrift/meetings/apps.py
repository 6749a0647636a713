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
        # "Hold it as a video meeting" on the calendar's event form (ADR 0649).
        from samdrift.calendars.addons import EventAddon, register_event_addon

        from . import selectors, services

        register_event_addon(
            EventAddon(
                key="meeting",
                label=_("Hold it as a video meeting"),
                help_text=_(
                    "A meeting room in the workspace, with its address in the event: "
                    "everyone invited joins from the calendar."
                ),
                added=_("The event was added with its video meeting room."),
                offered=lambda actor, calendar: selectors.may_schedule_in(
                    actor, calendar.workspace_id
                ),
                create=services.room_for_event_form,
            )
        )
