from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class JobsConfig(AppConfig):
    name = "samdrift.core.jobs"
    label = "jobs"
    verbose_name = _("Background jobs")

    def ready(self) -> None:
        from django.core.signals import request_started

        from . import inprocess, live

        live.register()
        if inprocess.enabled():
            request_started.connect(
                inprocess.start_on_first_request, dispatch_uid="samdrift-jobs-inprocess"
            )
