from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _

from samdrift.core.notifications.kinds import Kind, register_kind


class OrganisationsConfig(AppConfig):
    name = "samdrift.organisations"
    label = "organisations"

    def ready(self) -> None:
        register_kind(
            Kind(
                "membership_invitation",
                _("An invitation to an agency"),
                _("To the invited e-mail address, and the inbox of an account with it."),
            )
        )
