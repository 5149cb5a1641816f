"""People: the user model of every tenant schema (and of operators in the public schema),
their groups and departments, and the credentials apps use to call the API."""

from __future__ import annotations

import zoneinfo

from django.contrib.auth.base_user import AbstractBaseUser, BaseUserManager
from django.contrib.auth.models import PermissionsMixin
from django.contrib.postgres.fields import ArrayField
from django.db import models
from django.db.models.functions import Lower
from django.utils import timezone
from django.utils.translation import gettext_lazy as _


class Role(models.TextChoices):
    ADMIN = "admin", _("Tenant admin")
    INSTRUCTOR = "instructor", _("Instructor")
    CONTENT_CREATOR = "content_creator", _("Content creator")
    LEARNER = "learner", _("Learner")


# A person's fields an admin may mark as managed in Lectern (User.managed_fields).
MANAGEABLE_FIELDS = ("full_name", "role", "employee_number", "groups", "department")


class UserManager(BaseUserManager["User"]):
    def get_by_natural_key(self, username: str) -> User:
        return self.get(email__lower=username.strip().lower())


def avatar_path(user: User, filename: str) -> str:
    extension = filename.rsplit(".", 1)[-1].lower()
    return f"avatars/{user.pk}-{timezone.now():%Y%m%d%H%M%S}.{extension}"


def zone_named(time_zone: str) -> zoneinfo.ZoneInfo:
    """The time zone of that name; UTC when this machine does not know it."""
    try:
        return zoneinfo.ZoneInfo(time_zone)
    except (zoneinfo.ZoneInfoNotFoundError, ValueError):
        return zoneinfo.ZoneInfo("UTC")


class User(AbstractBaseUser, PermissionsMixin):
    """A person of one tenant; the same e-mail in two tenants is two separate accounts."""

    email = models.EmailField(max_length=254)
    full_name = models.CharField(max_length=200, blank=True)
    role = models.CharField(max_length=20, choices=Role.choices, default=Role.LEARNER)
    locale = models.CharField(max_length=16, default="en")
    time_zone = models.CharField(max_length=64, default="UTC")
    avatar = models.ImageField(upload_to=avatar_path, blank=True)
    is_active = models.BooleanField(default=True)
    # Operators on the public schema use the Django admin; tenant users never do.
    is_staff = models.BooleanField(default=False)
    date_joined = models.DateTimeField(default=timezone.now)
    # The organisation's own number for the person (from SSO or an HR sync).
    employee_number = models.CharField(max_length=64, blank=True)
    # Fields an admin set in Lectern that an identity provider or HR sync must not change
    # (names from MANAGEABLE_FIELDS).
    managed_fields = ArrayField(models.CharField(max_length=32), default=list, blank=True)
    # The HR system's own id for the person (SCIM `externalId`, an import's key column).
    external_id = models.CharField(max_length=255, blank=True)
    # Enterprise attributes an HR sync brings (SCIM's enterprise extension).
    cost_center = models.CharField(max_length=120, blank=True)
    organization = models.CharField(max_length=120, blank=True)
    manager = models.ForeignKey(
        "self", on_delete=models.SET_NULL, null=True, blank=True, related_name="reports"
    )
    # Who last set each synced attribute: {"full_name": "scim" | "sso" | "import"}; an
    # attribute set by SCIM or an import is not overwritten by SSO sign-ins.
    attribute_sources = models.JSONField(default=dict, blank=True)
    # Deleted by SCIM (or an admin): no access from then on; anonymised when the tenant's
    # removal policy says (PeoplePolicy), then `anonymised_at` is set too.
    removed_at = models.DateTimeField(null=True, blank=True, db_index=True)
    anonymised_at = models.DateTimeField(null=True, blank=True)

    objects = UserManager()

    @property
    def zone(self) -> zoneinfo.ZoneInfo:
        """The person's time zone, in which dates shown or sent to them are written."""
        return zone_named(self.time_zone)

    USERNAME_FIELD = "email"
    EMAIL_FIELD = "email"
    REQUIRED_FIELDS: list[str] = []

    class Meta:
        ordering = ["email"]
        constraints = [
            models.UniqueConstraint(Lower("email"), name="user_email_ci_unique"),
            models.CheckConstraint(
                condition=models.Q(role__in=[r.value for r in Role]), name="user_role_valid"
            ),
            models.UniqueConstraint(
                fields=["external_id"],
                condition=~models.Q(external_id=""),
                name="user_external_id_unique",
            ),
        ]
        indexes = [models.Index(fields=["role", "is_active"], name="user_role_active_idx")]

    def __str__(self) -> str:
        return self.email

    def get_full_name(self) -> str:
        return self.full_name or self.email

    def get_short_name(self) -> str:
        return (self.full_name.split(" ")[0] if self.full_name else self.email).strip()


class GroupKind(models.TextChoices):
    GROUP = "group", _("Group")
    DEPARTMENT = "department", _("Department")


class LearnerGroup(models.Model):
    """A group or department people are assigned courses and reported by."""

    name = models.CharField(max_length=120)
    kind = models.CharField(max_length=16, choices=GroupKind.choices, default=GroupKind.GROUP)
    description = models.TextField(blank=True)
    members = models.ManyToManyField(User, related_name="learner_groups", blank=True)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["name"]
        constraints = [models.UniqueConstraint(Lower("name"), name="group_name_ci_unique")]

    def __str__(self) -> str:
        return self.name


class RemovalMode(models.TextChoices):
    """What happens to a person deleted by SCIM (or an admin)."""

    ANONYMISE_NOW = "anonymise_now", _("Anonymise at once")
    ANONYMISE_LATER = "anonymise_later", _("Anonymise after a number of days")


REMOVAL_RETENTION_DAYS_MAX = 3650


class PeoplePolicy(models.Model):
    """The tenant's rules for joining and for removing people (one row per tenant schema)."""

    self_registration_enabled = models.BooleanField(default=False)
    # What a person created from now on starts with (they may change their own later).
    default_locale = models.CharField(max_length=16, default="en")
    default_time_zone = models.CharField(max_length=64, default="UTC")
    # A deleted person loses access at once; their personal data is replaced either at once
    # or `removal_retention_days` later (by the beat task people.tasks.removed_people_anonymise).
    removal_mode = models.CharField(
        max_length=20, choices=RemovalMode.choices, default=RemovalMode.ANONYMISE_LATER
    )
    removal_retention_days = models.PositiveSmallIntegerField(default=30)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        constraints = [
            models.CheckConstraint(condition=models.Q(id=1), name="people_policy_single_row"),
            models.CheckConstraint(
                condition=models.Q(
                    removal_retention_days__gte=1,
                    removal_retention_days__lte=REMOVAL_RETENTION_DAYS_MAX,
                ),
                name="people_policy_retention_days_range",
            ),
        ]

    def __str__(self) -> str:
        return "self-registration " + ("on" if self.self_registration_enabled else "off")


class PersonalAccessToken(models.Model):
    """A long-lived token for an integration; only its hash is stored."""

    user = models.ForeignKey(User, on_delete=models.CASCADE, related_name="access_tokens")
    name = models.CharField(max_length=100)
    prefix = models.CharField(max_length=12)
    token_hash = models.CharField(max_length=64, unique=True)
    created_at = models.DateTimeField(auto_now_add=True)
    expires_at = models.DateTimeField(null=True, blank=True)
    last_used_at = models.DateTimeField(null=True, blank=True)
    revoked_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-created_at"]

    def __str__(self) -> str:
        return f"{self.name} ({self.prefix}…)"


class RefreshToken(models.Model):
    """One link of a sign-in's chain of refresh tokens. Each is used once; using one twice
    revokes the whole `family` (the sign-in), as does signing out."""

    user = models.ForeignKey(User, on_delete=models.CASCADE, related_name="refresh_tokens")
    family = models.UUIDField(db_index=True)
    token_hash = models.CharField(max_length=64, unique=True)
    issued_at = models.DateTimeField(auto_now_add=True)
    expires_at = models.DateTimeField()
    used_at = models.DateTimeField(null=True, blank=True)
    revoked_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-issued_at"]

    def __str__(self) -> str:
        return f"refresh token of {self.user_id} ({self.family})"
