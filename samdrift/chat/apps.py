from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class ChatConfig(AppConfig):
    name = "samdrift.chat"
    label = "chat"
    verbose_name = _("Chat (SAFOS, Matrix)")
    default_auto_field = "django.db.models.BigAutoField"

    def ready(self) -> None:
        # Rooms follow the workspaces' members (ADR 0651): every committed change queues the
        # workspace's provisioning (when chat is on).
        from samdrift.collaboration.services import register_membership_hook

        from . import services
        from .tasks import queue_provisioning

        register_membership_hook("chat", queue_provisioning)
        # What the homeserver reports and what an owner asks for is queued whether or not the
        # membership hook is on.
        services.set_queue(lambda workspace_id: queue_provisioning(workspace_id, force=True))
        # A file sent from a Matrix program is kept as a document by the jobs worker (ADR 0663).
        from .tasks import queue_file

        services.set_file_queue(queue_file)
        # A person who leaves an agency loses chat at once: their sessions end (ADR 0621).
        from samdrift.organisations.services import register_membership_end_hook

        from .tasks import queue_sessions_revoked

        register_membership_end_hook("chat", queue_sessions_revoked)
        # The page's conversation follows new messages live (ADR 0656).
        from samdrift.core import live

        from .selectors import may_follow_room

        live.register_topic("chat", may_follow_room)
        # A mention in a room is a note in the person's samdrift inbox (ADR 0659).
        from samdrift.core.notifications.kinds import Kind, register_kind

        register_kind(
            Kind(
                "chat_mention",
                _("Someone mentions you in a workspace's chat"),
                _("In samdrift's inbox only, with a link to the conversation; never by e-mail."),
            )
        )
        # The homeserver's health on the public status page (up or down only).
        from samdrift.core.health import register_health_check

        from .homeserver import healthy, workers_healthy

        register_health_check("chat", _("Chat (Matrix homeserver)"), healthy)
        # Synapse's own workers, when the settings ask for any (ADR 0667).
        register_health_check("chat_workers", _("Chat workers (Synapse)"), workers_healthy)
