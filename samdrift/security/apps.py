from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class SecurityConfig(AppConfig):
    name = "samdrift.security"
    label = "security"
    verbose_name = _("Security operations")
    default_auto_field = "django.db.models.BigAutoField"

    def ready(self) -> None:
        from samdrift.core.notifications.kinds import Kind, register_kind

        register_kind(
            Kind(
                "security_advisory",
                _("A security advisory about a service your agency uses"),
                _(
                    "To the contacts of every agency a vulnerability reaches through the "
                    "services it uses, when the provider's SOC publishes or revises its advisory."
                ),
            )
        )
