from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class CollaborationConfig(AppConfig):
    name = "samdrift.collaboration"
    label = "collaboration"
    verbose_name = _("Collaboration (SAFOS)")
    default_auto_field = "django.db.models.BigAutoField"

    def ready(self) -> None:
        # The workspaces are the SAFOS service: every page and API operation demands the level
        # SAFOS declares (ADR 0043); each workspace's class may demand more (ADR 0601).
        from samdrift.core.tenancy import ServiceArea, register_service_area

        from .choices import SERVICE_CODE

        register_service_area(
            ServiceArea(
                service_code=SERVICE_CODE,
                url_namespace="collaboration",
                api_prefix="/api/v1/collaboration/",
            )
        )
        # What runs after each committed version (ADR 0602): the PDF accessibility check.
        from . import services, tasks

        services.register_version_hook("accessibility", tasks.queue_accessibility_check)
        # A large upload's uploader hears when its malware scan decided it (ADR 0688).
        from samdrift.core.notifications.kinds import Kind, register_kind

        from .services.held import NOTICE_KIND

        register_kind(
            Kind(
                NOTICE_KIND,
                _("A large upload of yours was checked for malware"),
                _("Whether it was stored as a document or refused, and why."),
            )
        )
        # A person who leaves an agency leaves the workspaces they were in for it (ADR 0610).
        from samdrift.organisations.services import register_membership_end_hook

        from .services.members import agency_left

        register_membership_end_hook("collaboration", agency_left)
        # App passwords (WebDAV) reach only the classes their login's level reaches (ADR 0614).
        from samdrift.accounts.app_passwords import register_class_levels

        from .policy import policy_for

        register_class_levels(lambda cls: policy_for(cls).min_loa)
