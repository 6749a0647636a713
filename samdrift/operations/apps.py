from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class OperationsConfig(AppConfig):
    name = "samdrift.operations"
    label = "operations"
    verbose_name = _("Service operations")
    default_auto_field = "django.db.models.BigAutoField"

    def ready(self) -> None:
        # The kind of notification a major incident sends (ADR 0806); its texts are this app's
        # templates under notifications/kinds/major_incident/.
        from samdrift.core import live
        from samdrift.core.notifications.kinds import Kind, register_kind

        from .permissions import may_follow_status

        # Status pages follow their outages live (ADR 0832).
        live.register_topic("opsstatus", may_follow_status)

        register_kind(
            Kind(
                "change_planned",
                _("Planned maintenance on a service your agency uses"),
                _("To the contacts of every agency an approved change reaches, at approval."),
            )
        )
        register_kind(
            Kind(
                "change_soon",
                _("Maintenance starts within a day"),
                _("To the same contacts, a day before the window."),
            )
        )
        register_kind(
            Kind(
                "incident_reportable",
                _("An incident affecting your agency is reported to an authority"),
                _(
                    "To the contacts of every agency an incident reaches, when it is classified "
                    "as reportable to CERT-SE, under NIS2 or as a personal data breach."
                ),
            )
        )
        for code, label, description in (
            (
                "incident_assigned",
                _("An incident is assigned to your agency by a responsibility matrix"),
                _("To the contacts of the responsible party (R) of the incident's function."),
            ),
            (
                "incident_informed",
                _("An incident concerns a function your agency is consulted or informed on"),
                _("To the contacts of the parties consulted or informed (C, I) on the function."),
            ),
            (
                "clock_warning",
                _("An agency's clock on an incident has used three quarters of its target"),
                _("To the operators of the provider whose service the incident is on."),
            ),
            (
                "clock_breached",
                _("An agency's clock on an incident has passed its target"),
                _("To the operators of the provider whose service the incident is on."),
            ),
            (
                "incident_escalated",
                _("An incident is escalated to your agency as accountable"),
                _("To the contacts of the accountable party (A) of the incident's function."),
            ),
        ):
            register_kind(Kind(code, label, description))
        register_kind(
            Kind(
                "major_incident",
                _("A major incident affects your agency"),
                _("To the contacts of every agency the incident reaches."),
            )
        )
