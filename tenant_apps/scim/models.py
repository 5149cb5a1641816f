"""SCIM 2.0 provisioning: the bearer tokens HR systems call with, what SCIM said about a
person beyond Lectern's own fields, and a log of recent requests."""

from __future__ import annotations

from django.db import models
from django.utils.translation import gettext_lazy as _

from tenant_apps.people.models import LearnerGroup, Role, User


class ScimToken(models.Model):
    """A tenant's bearer token for an identity provider's provisioning (Entra ID, Okta).
    Only the secret's hash is kept; the secret is shown once, when created."""

    name = models.CharField(_("name"), max_length=100)
    prefix = models.CharField(max_length=16)
    secret_hash = models.CharField(max_length=64, unique=True)
    created_by = models.ForeignKey(
        User, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)
    last_used_at = models.DateTimeField(null=True, blank=True)
    last_used_address = models.GenericIPAddressField(null=True, blank=True)
    revoked_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-created_at"]

    def __str__(self) -> str:
        return f"{self.name} ({self.prefix}…)"


class ScimProfile(models.Model):
    """What SCIM last set for a person that Lectern's User does not hold as such: the
    userName and name parts as sent, and when SCIM last changed them (meta.lastModified)."""

    user = models.OneToOneField(User, on_delete=models.CASCADE, related_name="scim_profile")
    user_name = models.CharField(max_length=254)
    given_name = models.CharField(max_length=150, blank=True)
    family_name = models.CharField(max_length=150, blank=True)
    display_name = models.CharField(max_length=200, blank=True)
    # The e-mail entries as SCIM sent them (type, primary); the person's address is User.email.
    emails = models.JSONField(default=list, blank=True)
    # SCIM removed `active` (the person stays active; the attribute reads as unassigned).
    active_unset = models.BooleanField(default=False)
    updated_at = models.DateTimeField(auto_now=True, db_index=True)

    def __str__(self) -> str:
        return self.user_name


class ScimGroupProfile(models.Model):
    """What SCIM said of a group beyond its name and members: its externalId, the member
    `type`s it sent, and when it last changed the group."""

    group = models.OneToOneField(
        LearnerGroup, on_delete=models.CASCADE, related_name="scim_profile"
    )
    external_id = models.CharField(max_length=255, blank=True, db_index=True)
    member_types = models.JSONField(default=dict, blank=True)
    updated_at = models.DateTimeField(auto_now=True, db_index=True)

    def __str__(self) -> str:
        return self.external_id or str(self.group_id)


class ScimRoleRule(models.Model):
    """An admin's rule: members of this SCIM-provisioned group get this role (the highest
    role of the ruled groups a person is in wins)."""

    group = models.OneToOneField(
        LearnerGroup, on_delete=models.CASCADE, related_name="scim_role_rule"
    )
    role = models.CharField(_("role"), max_length=20, choices=Role.choices)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["group__name"]

    def __str__(self) -> str:
        return f"{self.group_id} → {self.role}"


class ScimRequestLog(models.Model):
    """One SCIM request and its outcome, for the admin page (pruned to the latest ones)."""

    token = models.ForeignKey(ScimToken, on_delete=models.SET_NULL, null=True, blank=True)
    method = models.CharField(max_length=8)
    path = models.CharField(max_length=300)
    status = models.PositiveSmallIntegerField()
    detail = models.CharField(max_length=300, blank=True)
    address = models.GenericIPAddressField(null=True, blank=True)
    at = models.DateTimeField(auto_now_add=True, db_index=True)

    class Meta:
        ordering = ["-at"]

    def __str__(self) -> str:
        return f"{self.method} {self.path} {self.status}"
