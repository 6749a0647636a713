"""Workspaces (samarbetsytor), their members and invitations, folders, documents and versions.

A workspace is owned by one agency connected to SAFOS; its members come from any agency. Every
row names its workspace, and the selectors scope by membership (ADR 0600). Document bytes live in
the kernel's storage (`files.StoredFile`); a version only points at them (ADR 0602).
"""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils.translation import get_language, gettext
from django.utils.translation import gettext_lazy as _

from .choices import Classification, InvitationState, Role


class ScaleLabel(models.Model):
    """A label of an agency's own confidentiality scale ("Öppen", "Känslig", …), mapped to exactly
    one KLASSA level (ADR 0617). Every rule runs on the level; the label is what the agency's
    officials read. A label in use keeps its level: a new level is a new label."""

    organisation = models.ForeignKey(
        "organisations.Organisation", on_delete=models.PROTECT, related_name="+"
    )
    name_sv = models.CharField(_("name (Swedish)"), max_length=60)
    name_en = models.CharField(_("name (English)"), max_length=60)
    level = models.PositiveSmallIntegerField(_("KLASSA level"), choices=Classification.choices)
    position = models.PositiveSmallIntegerField(default=0)

    class Meta:
        ordering = ["organisation_id", "position", "id"]
        constraints = [
            models.CheckConstraint(
                condition=Q(level__gte=0, level__lte=3), name="collab_scale_level_0_3"
            ),
            models.UniqueConstraint(
                fields=["organisation", "name_sv"], name="collab_scale_name_sv_unique"
            ),
            models.UniqueConstraint(
                fields=["organisation", "name_en"], name="collab_scale_name_en_unique"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.name} (KLASSA {self.level})"

    @property
    def name(self) -> str:
        return self.name_sv if (get_language() or "sv").startswith("sv") else self.name_en


def class_label(level: int, display: str, label: ScaleLabel | None) -> str:
    """What the pages show of a class: the owning agency's own label with its KLASSA level, or
    the level's name. A method, not a template included once per row of a 50-row table."""
    if label is not None:
        return gettext("%(label)s (KLASSA %(level)s)") % {"label": label.name, "level": level}
    return display


class Workspace(models.Model):
    name = models.CharField(_("name"), max_length=200)
    description = models.TextField(_("description"), blank=True)
    owner_org = models.ForeignKey(
        "organisations.Organisation",
        on_delete=models.PROTECT,
        related_name="+",
        verbose_name=_("owning agency"),
    )
    classification = models.PositiveSmallIntegerField(
        _("confidentiality class"), choices=Classification.choices, default=Classification.LOW
    )
    # The owning agency's own label for the class, when it has a scale (ADR 0617).
    scale_label = models.ForeignKey(
        ScaleLabel, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    # A PDF may be published only when its current version passed the check (ADR 0618).
    require_accessible_pdfs = models.BooleanField(
        _("require accessible PDFs before publishing"), default=False
    )
    quota_bytes = models.BigIntegerField(_("quota in bytes"))
    # What its versions hold (restores add nothing), kept by the services under the workspace's
    # row lock, so neither a page nor a quota check sums 100,000 versions (ADR 0611).
    used_bytes = models.BigIntegerField(default=0)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ["name", "id"]
        verbose_name = _("workspace")
        verbose_name_plural = _("workspaces")
        constraints = [
            models.CheckConstraint(
                condition=Q(classification__gte=0, classification__lte=3),
                name="collab_workspace_class_0_3",
            ),
            models.CheckConstraint(condition=Q(quota_bytes__gt=0), name="collab_quota_positive"),
        ]

    def __str__(self) -> str:
        return self.name

    @property
    def classification_label(self) -> str:
        return class_label(
            self.classification, str(self.get_classification_display()), self.scale_label
        )


class Member(models.Model):
    """A person in a workspace, acting for `organisation`. A guest's agency is not connected to
    SAFOS; whether it may be here at all depends on the workspace's class."""

    workspace = models.ForeignKey(Workspace, on_delete=models.CASCADE, related_name="members")
    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="+")
    organisation = models.ForeignKey(
        "organisations.Organisation", on_delete=models.PROTECT, related_name="+"
    )
    role = models.CharField(_("role"), max_length=16, choices=Role.choices)
    is_guest = models.BooleanField(_("guest"), default=False)
    added_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["workspace_id", "id"]
        constraints = [
            models.UniqueConstraint(fields=["workspace", "user"], name="collab_one_member_row"),
            models.CheckConstraint(
                condition=Q(role__in=[r.value for r in Role]), name="collab_member_role_known"
            ),
            # A guest can never be an owner: ownership is the owning agency's side.
            models.CheckConstraint(
                condition=~Q(is_guest=True, role=Role.OWNER), name="collab_guest_not_owner"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.user_id}@{self.workspace_id}:{self.role}"


class Invitation(models.Model):
    """An invitation by e-mail address: the inviter never learns whether the address belongs to
    someone samdrift knows (ADR 0600); the invited person accepts after logging in."""

    workspace = models.ForeignKey(Workspace, on_delete=models.CASCADE, related_name="invitations")
    email = models.EmailField(_("e-mail address"))
    role = models.CharField(_("role"), max_length=16, choices=Role.choices)
    state = models.CharField(
        max_length=16, choices=InvitationState.choices, default=InvitationState.PENDING
    )
    invited_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)
    responded_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-id"]
        constraints = [
            models.UniqueConstraint(
                fields=["workspace", "email"],
                condition=Q(state="pending"),
                name="collab_one_pending_invitation",
            ),
            models.CheckConstraint(
                condition=~Q(role=Role.OWNER), name="collab_invitation_not_owner"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.email} → {self.workspace_id}"


class Folder(models.Model):
    workspace = models.ForeignKey(Workspace, on_delete=models.CASCADE, related_name="folders")
    parent = models.ForeignKey(
        "self", on_delete=models.PROTECT, null=True, blank=True, related_name="children"
    )
    name = models.CharField(_("name"), max_length=255)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["name", "id"]
        constraints = [
            models.UniqueConstraint(
                fields=["workspace", "parent", "name"], name="collab_folder_name_unique"
            ),
            models.UniqueConstraint(
                fields=["workspace", "name"],
                condition=Q(parent__isnull=True),
                name="collab_root_folder_name_unique",
            ),
        ]

    def __str__(self) -> str:
        return self.name


class Document(models.Model):
    workspace = models.ForeignKey(Workspace, on_delete=models.CASCADE, related_name="documents")
    folder = models.ForeignKey(
        Folder, on_delete=models.PROTECT, null=True, blank=True, related_name="documents"
    )
    name = models.CharField(_("name"), max_length=255)
    classification = models.PositiveSmallIntegerField(
        _("confidentiality class"), choices=Classification.choices
    )
    scale_label = models.ForeignKey(
        ScaleLabel, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    # Draft until published; a new version makes it a draft again (ADR 0618).
    published_at = models.DateTimeField(null=True, blank=True)
    published_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
    )
    locked_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
    )
    locked_at = models.DateTimeField(null=True, blank=True)
    trashed_at = models.DateTimeField(null=True, blank=True)
    trashed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
    )
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ["name", "id"]
        constraints = [
            models.CheckConstraint(
                condition=Q(classification__gte=0, classification__lte=3),
                name="collab_document_class_0_3",
            ),
            models.CheckConstraint(
                condition=Q(locked_by__isnull=True) | Q(locked_at__isnull=False),
                name="collab_lock_has_time",
            ),
            models.CheckConstraint(
                condition=Q(published_by__isnull=True) | Q(published_at__isnull=False),
                name="collab_published_has_time",
            ),
        ]
        indexes = [models.Index(fields=["workspace", "folder", "trashed_at", "name"])]

    def __str__(self) -> str:
        return self.name

    @property
    def classification_label(self) -> str:
        return class_label(
            self.classification, str(self.get_classification_display()), self.scale_label
        )


class Version(models.Model):
    """One saved state of a document. Immutable; restoring an old one adds a new version that
    points at the same stored bytes (`restored_from`), so nothing is copied or lost."""

    document = models.ForeignKey(Document, on_delete=models.CASCADE, related_name="versions")
    number = models.PositiveIntegerField()
    file = models.ForeignKey("files.StoredFile", on_delete=models.PROTECT, related_name="+")
    size = models.BigIntegerField()
    sha256 = models.CharField(max_length=64)
    content_type = models.CharField(max_length=150)
    restored_from = models.ForeignKey(
        "self", on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)
    # The PDF accessibility check's summary (ADR 0608), written by its background job; None
    # until checked, and for files that are not PDFs.
    accessibility = models.JSONField(null=True, blank=True)
    # A PNG of the first page (PDF) or of the image, rendered in the background in a limited
    # child process (ADR 0612); "" until tried, then "ready", "failed" or "none" (not previewable).
    preview = models.ForeignKey(
        "files.StoredFile", on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    preview_state = models.CharField(max_length=8, blank=True, default="")

    class Meta:
        ordering = ["document_id", "-number"]
        constraints = [
            models.UniqueConstraint(fields=["document", "number"], name="collab_version_number"),
            models.CheckConstraint(condition=Q(number__gte=1), name="collab_version_from_one"),
            models.CheckConstraint(condition=Q(size__gt=0), name="collab_version_not_empty"),
        ]

    def __str__(self) -> str:
        return f"{self.document_id} v{self.number}"


class HeldUpload(models.Model):
    """A large upload stored but not yet a version: it waits for the malware scan (ADR 0688).
    Nothing reads its bytes before the scan finds them clean; then it becomes a version exactly
    as a direct upload would (same rights, lock, quota and level checks, same audit), or it is
    refused and its bytes are deleted. Only its uploader sees it."""

    class State(models.TextChoices):
        SCANNING = "scanning", _("being checked for malware")
        STORED = "stored", _("stored")
        REFUSED = "refused", _("refused")

    workspace = models.ForeignKey(Workspace, on_delete=models.CASCADE, related_name="+")
    folder_id = models.BigIntegerField(null=True, blank=True)
    document_id = models.BigIntegerField(null=True, blank=True)  # a new version of this one
    name = models.CharField(max_length=255)
    classification = models.CharField(max_length=80, blank=True)
    file = models.ForeignKey(
        "files.StoredFile", on_delete=models.SET_NULL, null=True, related_name="+"
    )
    size = models.BigIntegerField()
    sha256 = models.CharField(max_length=64)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="+"
    )
    loa_rank = models.PositiveSmallIntegerField(default=0)  # the uploading login's level
    created_at = models.DateTimeField(auto_now_add=True)
    state = models.CharField(max_length=8, choices=State.choices, default=State.SCANNING)
    version = models.ForeignKey(
        Version, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    reason_code = models.CharField(max_length=40, blank=True)
    reason_sv = models.CharField(max_length=500, blank=True)
    reason_en = models.CharField(max_length=500, blank=True)
    finished_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-id"]
        indexes = [models.Index(fields=["workspace", "created_by", "state"])]

    def __str__(self) -> str:
        return f"held {self.name} ({self.state})"

    @property
    def reason(self) -> str:
        swedish = (get_language() or "sv").startswith("sv")
        return self.reason_sv if swedish else self.reason_en


class ShareLink(models.Model):
    """A link to one document for named agencies and/or named people, until it expires or is
    revoked (ADR 0609). Only the SHA-256 of the token is kept; the token is shown once. Whoever
    follows it must be logged in and be one of the named; every use is an audited read."""

    document = models.ForeignKey(Document, on_delete=models.CASCADE, related_name="share_links")
    token_hash = models.CharField(max_length=64, unique=True)
    agencies = models.JSONField(_("agencies"), default=list)  # organisation ids
    people = models.JSONField(_("people"), default=list)  # lower-case e-mail addresses
    expires_at = models.DateTimeField(_("expires"))
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)
    revoked_at = models.DateTimeField(null=True, blank=True)
    revoked_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, related_name="+"
    )
    uses = models.PositiveIntegerField(default=0)

    class Meta:
        ordering = ["-id"]
        constraints = [
            models.CheckConstraint(
                condition=Q(expires_at__gt=models.F("created_at")), name="collab_share_expires"
            ),
        ]

    def __str__(self) -> str:
        return f"share {self.id} of {self.document_id}"


class Disposal(models.Model):
    """The record kept of a document finally deleted when its class's retention ended (gallring,
    ADR 0610): what it was, how long it was kept and under which rule; the bytes are gone."""

    workspace = models.ForeignKey(Workspace, on_delete=models.PROTECT, related_name="disposals")
    document_id = models.BigIntegerField()
    name = models.CharField(max_length=255)
    folder = models.CharField(max_length=1000, blank=True)
    classification = models.PositiveSmallIntegerField(choices=Classification.choices)
    retention_years = models.PositiveSmallIntegerField()
    created_at = models.DateTimeField()  # the document's
    last_changed_at = models.DateTimeField()
    versions = models.PositiveIntegerField()
    bytes = models.BigIntegerField()
    sha256 = models.CharField(max_length=64)  # of the newest version
    was_trashed = models.BooleanField(default=False)
    disposed_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["-disposed_at", "-id"]
        constraints = [
            models.UniqueConstraint(fields=["document_id"], name="collab_disposed_once"),
        ]

    def __str__(self) -> str:
        return f"disposal of {self.name} ({self.document_id})"


class ActiveUser(models.Model):
    """A person who used SAFOS in a month, for an agency (ADR 0611): what billing counts. One row
    per (month, agency, person), written by the first read or write of the month."""

    month = models.DateField()  # the first day of the month
    organisation = models.ForeignKey(
        "organisations.Organisation", on_delete=models.PROTECT, related_name="+"
    )
    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="+")

    class Meta:
        constraints = [
            models.UniqueConstraint(
                fields=["month", "organisation", "user"], name="collab_active_once_a_month"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.user_id}@{self.organisation_id} {self.month:%Y-%m}"


class UsageReport(models.Model):
    """A month whose active users have been sent to billing (ADR 0611)."""

    month = models.DateField(unique=True)
    agencies = models.PositiveIntegerField()
    users = models.PositiveIntegerField()
    reported_at = models.DateTimeField(auto_now_add=True)

    def __str__(self) -> str:
        return f"SAFOS usage {self.month:%Y-%m}"


class AgencyQuota(models.Model):
    """An agency's own quota over all the workspaces it owns; without a row the default
    (`SAMDRIFT_COLLABORATION_AGENCY_QUOTA_BYTES`) applies (ADR 0611)."""

    organisation = models.OneToOneField(
        "organisations.Organisation", on_delete=models.PROTECT, related_name="+"
    )
    quota_bytes = models.BigIntegerField()

    class Meta:
        constraints = [
            models.CheckConstraint(condition=Q(quota_bytes__gt=0), name="collab_agency_quota_pos")
        ]

    def __str__(self) -> str:
        return f"quota of {self.organisation_id}"


class DavLock(models.Model):
    """A WebDAV LOCK (RFC 4918), kept in the database so every worker process sees it (ADR 0687).

    A lock on a document is that document's check-out by the person who took it: `made_checkout`
    says whether the lock made the check-out (released with the lock) or found the person's own
    from the web (left as it was). A lock on a name that has no document yet (a "lock-null"
    resource) has no document until the locker's first PUT creates one."""

    class Scope(models.TextChoices):
        EXCLUSIVE = "exclusive"
        SHARED = "shared"

    token = models.CharField(max_length=100, unique=True)
    root = models.CharField(max_length=2000, db_index=True)  # the quoted path WebDAV names
    document = models.ForeignKey(
        Document, on_delete=models.CASCADE, null=True, blank=True, related_name="+"
    )
    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="+")
    principal = models.CharField(max_length=150)  # the user name WebDAV compares
    scope = models.CharField(max_length=10, choices=Scope.choices)
    depth = models.CharField(max_length=8)  # "0" or "infinity"
    owner = models.TextField(blank=True)  # the client's <owner> element, as sent
    timeout = models.FloatField()
    expires_at = models.DateTimeField(db_index=True)
    made_checkout = models.BooleanField(default=False)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        constraints = [
            # Two processes that both passed WsgiDAV's own (per-process) check cannot both hold
            # an exclusive lock on one name.
            models.UniqueConstraint(
                fields=["root"],
                condition=Q(scope="exclusive"),
                name="collab_davlock_one_exclusive",
            ),
            models.CheckConstraint(
                condition=Q(depth__in=["0", "infinity"]), name="collab_davlock_depth"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.scope} lock on {self.root}"
