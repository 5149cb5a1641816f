"""People imports: the tenant's column mapping, each uploaded file's run (dry-run diff,
threshold, progress, error rows) and the per-person changes an applied run made, which
make rolling it back possible."""

from __future__ import annotations

import uuid

from django.db import models
from django.utils.translation import gettext_lazy as _

from tenant_apps.people.models import User

# What a CSV column can be mapped onto.
IMPORT_FIELDS = (
    "email",
    "full_name",
    "first_name",
    "last_name",
    "external_id",
    "employee_number",
    "department",
    "groups",
    "role",
    "active",
)


class KeyColumn(models.TextChoices):
    EMAIL = "email", _("E-mail")
    EXTERNAL_ID = "external_id", _("External id")


def import_file_path(run: ImportRun, filename: str) -> str:
    # A name nobody can guess: the file holds personal data.
    return f"imports/{uuid.uuid4().hex}.csv"


class ImportMapping(models.Model):
    """The tenant's column mapping (one row per tenant schema)."""

    columns = models.JSONField(default=dict, blank=True)  # {import field: CSV column}
    key = models.CharField(max_length=16, choices=KeyColumn.choices, default=KeyColumn.EMAIL)
    groups_separator = models.CharField(max_length=4, default=";")
    # Full sync: people missing from the file are deactivated. Otherwise additive.
    full_sync = models.BooleanField(default=False)
    deactivate_threshold_percent = models.PositiveSmallIntegerField(default=10)
    change_threshold_percent = models.PositiveSmallIntegerField(default=30)
    updated_at = models.DateTimeField(auto_now=True)

    def __str__(self) -> str:
        return "import mapping"


class RunStatus(models.TextChoices):
    UPLOADED = "uploaded", _("Uploaded")
    PLANNED = "planned", _("Dry run ready")
    QUEUED = "queued", _("Queued")
    APPLYING = "applying", _("Applying")
    APPLIED = "applied", _("Applied")
    FAILED = "failed", _("Failed")
    ROLLING_BACK = "rolling_back", _("Rolling back")
    ROLLED_BACK = "rolled_back", _("Rolled back")


class ImportRun(models.Model):
    file = models.FileField(upload_to=import_file_path)
    original_name = models.CharField(max_length=255)
    status = models.CharField(max_length=16, choices=RunStatus.choices, default=RunStatus.UPLOADED)
    created_by = models.ForeignKey(
        User, on_delete=models.SET_NULL, null=True, related_name="import_runs"
    )
    created_at = models.DateTimeField(auto_now_add=True)
    # The mapping the run was planned with (later edits of the mapping do not change it).
    mapping = models.JSONField(default=dict)
    columns = models.JSONField(default=list)  # the file's header
    # {"create": n, "update": n, "deactivate": n, "reactivate": n, "unchanged": n, "errors": n}
    counts = models.JSONField(default=dict)
    # The dry run's rows: [{"line", "kind", "key", "person_id", "changes": {field: [old, new]}}]
    diff = models.JSONField(default=list)
    # [{"line": n, "reason": "..."}]; line 0 is about the whole file.
    errors = models.JSONField(default=list)
    needs_confirmation = models.BooleanField(default=False)
    threshold_reasons = models.JSONField(default=list)
    confirmed_by = models.ForeignKey(
        User, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    progress_done = models.PositiveIntegerField(default=0)
    progress_total = models.PositiveIntegerField(default=0)
    failure = models.TextField(blank=True)
    applied_at = models.DateTimeField(null=True, blank=True)
    rolled_back_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-created_at", "-pk"]

    def __str__(self) -> str:
        return f"import {self.pk} ({self.original_name})"

    @property
    def progress_percent(self) -> int:
        if not self.progress_total:
            return 100 if self.status in {RunStatus.APPLIED, RunStatus.ROLLED_BACK} else 0
        return min(100, self.progress_done * 100 // self.progress_total)

    @property
    def rollback_possible(self) -> bool:
        """Applied, or stopped part-way after changing someone."""
        if self.status == RunStatus.APPLIED:
            return True
        return self.status == RunStatus.FAILED and self.changes.exists()

    @property
    def working(self) -> bool:
        return self.status in {RunStatus.QUEUED, RunStatus.APPLYING, RunStatus.ROLLING_BACK}


class ChangeKind(models.TextChoices):
    CREATE = "create", _("Create")
    UPDATE = "update", _("Update")
    DEACTIVATE = "deactivate", _("Deactivate")
    REACTIVATE = "reactivate", _("Reactivate")


class ImportChange(models.Model):
    """What an applied run did to one person: enough to undo it."""

    run = models.ForeignKey(ImportRun, on_delete=models.CASCADE, related_name="changes")
    person = models.ForeignKey(User, on_delete=models.SET_NULL, null=True, related_name="+")
    kind = models.CharField(max_length=16, choices=ChangeKind.choices)
    line = models.PositiveIntegerField(default=0)
    before = models.JSONField(default=dict)
    after = models.JSONField(default=dict)
    rolled_back = models.BooleanField(default=False)

    class Meta:
        ordering = ["pk"]

    def __str__(self) -> str:
        return f"{self.kind} of person {self.person_id} (run {self.run_id})"


class SourceAuth(models.TextChoices):
    NONE = "none", _("None")
    BASIC = "basic", _("User name and password (HTTP Basic)")
    BEARER = "bearer", _("Bearer token")


class SourceKind(models.TextChoices):
    HTTPS = "https", _("An HTTPS address")
    SFTP = "sftp", _("An SFTP server")


class ImportSource(models.Model):
    """Where the tenant's HR export is fetched from on a schedule (one row per tenant
    schema): an HTTPS URL or a file on an SFTP server, with credentials sealed at rest
    (core.secret_box). `username` and `secret_sealed` (password or token) serve both."""

    kind = models.CharField(max_length=8, choices=SourceKind.choices, default=SourceKind.HTTPS)
    url = models.URLField(max_length=500, blank=True)
    auth = models.CharField(max_length=8, choices=SourceAuth.choices, default=SourceAuth.NONE)
    username = models.CharField(max_length=200, blank=True)
    secret_sealed = models.TextField(blank=True)
    sftp_host = models.CharField(max_length=253, blank=True)
    sftp_port = models.PositiveIntegerField(default=22)
    sftp_path = models.CharField(max_length=500, blank=True)
    # The server's host key as `ssh-keygen -lf` prints it ("SHA256:…"); checked before any
    # credential is sent, a mismatch refuses the fetch.
    sftp_host_key_fingerprint = models.CharField(max_length=60, blank=True)
    private_key_sealed = models.TextField(blank=True)
    every_hours = models.PositiveSmallIntegerField(default=24)
    # Apply a fetched file's dry run by itself when it passes no threshold.
    apply_automatically = models.BooleanField(default=False)
    enabled = models.BooleanField(default=True)
    last_fetched_at = models.DateTimeField(null=True, blank=True)
    last_error = models.TextField(blank=True)
    last_run = models.ForeignKey(
        ImportRun, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )

    def __str__(self) -> str:
        if self.kind == SourceKind.SFTP:
            return f"sftp://{self.sftp_host}:{self.sftp_port}/{self.sftp_path.lstrip('/')}"
        return self.url
