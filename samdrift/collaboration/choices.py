"""Enumerations of the collaboration app (SAFOS workspaces and documents)."""

from __future__ import annotations

from django.db import models
from django.utils.translation import gettext_lazy as _

#: The catalogue service whose subscription lets an agency own workspaces.
SERVICE_CODE = "SAFOS"


class Role(models.TextChoices):
    """A member's role in one workspace, weakest first."""

    READER = "reader", _("Reader")
    COMMENTER = "commenter", _("Commenter")
    EDITOR = "editor", _("Editor")
    OWNER = "owner", _("Owner")


ROLE_RANK = {Role.READER: 1, Role.COMMENTER: 2, Role.EDITOR: 3, Role.OWNER: 4}


class Classification(models.IntegerChoices):
    """KLASSA's confidentiality levels (MSB), 0–3. Security-protected information
    (säkerhetsskyddsklassificerade uppgifter) has no value here: it is refused outright."""

    NONE = 0, _("0 – Insignificant")
    LOW = 1, _("1 – Low")
    MODERATE = 2, _("2 – Moderate")
    HIGH = 3, _("3 – High")


#: What a form or API call sends to say the information is security-protected; always refused.
SECURITY_PROTECTED = "S"


class InvitationState(models.TextChoices):
    PENDING = "pending", _("Pending")
    ACCEPTED = "accepted", _("Accepted")
    DECLINED = "declined", _("Declined")
    REVOKED = "revoked", _("Revoked")


class ReadAccess(models.TextChoices):
    """How a document's content was revealed (the audit record of a read says which)."""

    DOWNLOAD = "download", _("Download")
    VIEW = "view", _("View")
    PREVIEW = "preview", _("Preview")
    SEARCH_HIT = "search_hit", _("Search hit")
    SHARE_LINK = "share_link", _("Share link")
    IN_EXPORT = "in_export", _("Shown in an exported note")
