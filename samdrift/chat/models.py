"""The rooms samdrift keeps on its Matrix homeserver, one per workspace (ADR 0651), and the
application-service transactions the homeserver has delivered (each handled once)."""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _


class ChatRoom(models.Model):
    workspace = models.OneToOneField(
        "collaboration.Workspace", on_delete=models.CASCADE, related_name="+"
    )
    room_id = models.CharField(_("Matrix room"), max_length=255, unique=True)
    alias = models.CharField(_("room alias"), max_length=255)
    provisioned_at = models.DateTimeField(null=True, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)
    # A legal hold (ADR 0655): while set, nothing of the room is purged, whatever its age.
    hold_set_at = models.DateTimeField(null=True, blank=True)
    hold_set_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    hold_reason = models.TextField(blank=True)

    class Meta:
        ordering = ["workspace_id"]
        verbose_name = _("chat room")
        verbose_name_plural = _("chat rooms")

    def __str__(self) -> str:
        return self.room_id


class Transaction(models.Model):
    """A transaction the homeserver pushed (`PUT /transactions/{txnId}`): a retry of the same
    id is answered without handling its events again."""

    txn_id = models.CharField(max_length=255, unique=True)
    events = models.PositiveIntegerField(default=0)
    received_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["-id"]

    def __str__(self) -> str:
        return self.txn_id


class ChatArchive(models.Model):
    """What a purge took out of the room, kept for the archive before the homeserver forgot it
    (ADR 0655): the events older than `up_to` as the canonical JSON export and its readable PDF,
    each with its SHA-256. `purged_at` is set once the homeserver confirmed the purge."""

    room = models.ForeignKey(ChatRoom, on_delete=models.PROTECT, related_name="archives")
    up_to = models.DateTimeField()
    events = models.PositiveIntegerField()
    json_file = models.ForeignKey("files.StoredFile", on_delete=models.PROTECT, related_name="+")
    pdf_file = models.ForeignKey("files.StoredFile", on_delete=models.PROTECT, related_name="+")
    created_at = models.DateTimeField(auto_now_add=True)
    purged_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["room_id", "-up_to", "-id"]
        constraints = [
            models.CheckConstraint(condition=Q(events__gt=0), name="chat_archive_not_empty")
        ]

    def __str__(self) -> str:
        return f"{self.room_id} up to {self.up_to:%Y-%m-%d}"


class SsoGrant(models.Model):
    """One sign-in of a person into the homeserver through samdrift (ADR 0657): the code the
    authorization endpoint handed out, kept by its SHA-256 only and redeemed once, with the
    level of assurance the session held at that moment. Also what tells provisioning whether a
    person's Matrix sessions reach a workspace of a higher class (they are then ended)."""

    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="+")
    code_hash = models.CharField(max_length=64, unique=True)
    redirect_uri = models.CharField(max_length=1000)
    code_challenge = models.CharField(max_length=128)
    nonce = models.CharField(max_length=255, blank=True)
    acr = models.CharField(max_length=255, blank=True)
    rank = models.PositiveSmallIntegerField()
    auth_time = models.PositiveBigIntegerField()
    created_at = models.DateTimeField(auto_now_add=True)
    redeemed_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-id"]
        indexes = [models.Index(fields=["user", "redeemed_at"], name="chat_sso_user_redeemed")]

    def __str__(self) -> str:
        return f"sign-in of user {self.user_id} at level {self.rank}"


class ChatFile(models.Model):
    """A file a Matrix program (Element, a phone) sent into one of samdrift's rooms (ADR 0663):
    one row per event, made when the homeserver's transaction brings it, so the file is kept as
    a document of the workspace once however often the event is delivered. `state` says where
    its bytes are: kept (`document`, `version`, `sha256` of the stored bytes), refused (`reason`,
    in English; the room was told in both languages) or still only in the homeserver's media
    store (queued, working)."""

    class State(models.TextChoices):
        QUEUED = "queued", _("queued")
        WORKING = "working", _("being kept")
        KEPT = "kept", _("kept as a document")
        REFUSED = "refused", _("refused")

    workspace = models.ForeignKey(
        "collaboration.Workspace", on_delete=models.CASCADE, related_name="+"
    )
    room_id = models.CharField(max_length=255)
    event_id = models.CharField(max_length=255, unique=True)
    sender = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, related_name="+"
    )
    mxc = models.CharField(max_length=1000)
    name = models.CharField(max_length=1000)
    state = models.CharField(max_length=8, choices=State.choices, default=State.QUEUED)
    document = models.ForeignKey(
        "collaboration.Document", on_delete=models.SET_NULL, null=True, blank=True,
        related_name="+",
    )  # fmt: skip
    version = models.PositiveIntegerField(null=True, blank=True)
    sha256 = models.CharField(max_length=64, blank=True)
    size = models.PositiveBigIntegerField(null=True, blank=True)
    content_type = models.CharField(max_length=150, blank=True)
    reason_code = models.CharField(max_length=64, blank=True)
    reason = models.TextField(blank=True)
    notice_event_id = models.CharField(max_length=255, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)
    handled_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["id"]
        indexes = [models.Index(fields=["workspace", "state"], name="chat_file_workspace_state")]

    def __str__(self) -> str:
        return f"{self.event_id} ({self.state})"


class ChatArchiveFile(models.Model):
    """The bytes of a file that was only in the homeserver's media store (never kept as a
    document), kept with the archive that holds its message (ADR 0663); the archive's JSON
    names its SHA-256."""

    archive = models.ForeignKey(ChatArchive, on_delete=models.PROTECT, related_name="files")
    event_id = models.CharField(max_length=255)
    name = models.CharField(max_length=1000)
    file = models.ForeignKey("files.StoredFile", on_delete=models.PROTECT, related_name="+")

    class Meta:
        ordering = ["archive_id", "id"]

    def __str__(self) -> str:
        return f"{self.event_id} of archive {self.archive_id}"

    @property
    def kind(self) -> str:
        """What the archive's download asks for to get these bytes."""
        return f"file-{self.pk}"
