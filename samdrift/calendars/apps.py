from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class CalendarsConfig(AppConfig):
    name = "samdrift.calendars"
    label = "calendars"
    verbose_name = _("Calendars and tasks (SAFOS)")
    default_auto_field = "django.db.models.BigAutoField"

    def ready(self) -> None:
        # The e-mails an event's organizer sends its attendees, and the note a counter-proposal
        # sends the organizer (ADR 0644); their texts are this app's templates under
        # notifications/kinds/<code>/.
        from samdrift.core.notifications.kinds import Kind, register_kind

        register_kind(
            Kind(
                "calendar_invitation",
                _("An invitation to a calendar event"),
                _("To the event's attendees, with the event for their calendar program."),
            )
        )
        register_kind(
            Kind(
                "calendar_cancellation",
                _("A calendar event is cancelled"),
                _("To the event's attendees."),
            )
        )
        register_kind(
            Kind(
                "calendar_reply",
                _("An attendee answers an invitation"),
                _("To an organizer outside samdrift, with the answer for their calendar program."),
            )
        )
        register_kind(
            Kind(
                "calendar_reminder",
                _("A reminder of an event or task"),
                _(
                    "At the time an alarm of an event or task in your calendar asks for, "
                    "sent by samdrift even when no calendar program is running."
                ),
            )
        )
        register_kind(
            Kind(
                "calendar_counter",
                _("An attendee proposes another time"),
                _("To the event's organizer."),
            )
        )
