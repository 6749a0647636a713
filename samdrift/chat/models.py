"""The rooms samdrift keeps on its Matrix homeserver, one per workspace (ADR 0651), and the
application-service transactions the homeserver has delivered (each handled once)."""

from __future__ import annotations

from django.db import models
from django.utils.translation import gettext_lazy as _


class ChatRoom(models.Model):
    workspace = models.OneToOneField(
        "collaboration.Workspace", on_delete=models.CASCADE, related_name="+"
    )
    room_id = models.CharField(_("Matrix room"), max_length=255, unique=True)
    alias = models.CharField(_("room alias"), max_length=255)
    provisioned_at = models.DateTimeField(null=True, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)

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
