from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class NotificationsConfig(AppConfig):
    name = "samdrift.core.notifications"
    label = "notifications"
    verbose_name = _("Notifications")

    def ready(self) -> None:
        from .permissions import may_follow_inbox
        from .services import live

        if live is not None:
            live.register_topic("inbox", may_follow_inbox)
