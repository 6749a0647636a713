from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _

from samdrift.core import live

from .permissions import may_follow_inbox


class NotificationsConfig(AppConfig):
    name = "samdrift.core.notifications"
    label = "notifications"
    verbose_name = _("Notifications")

    def ready(self) -> None:
        live.register_topic("inbox", may_follow_inbox)
