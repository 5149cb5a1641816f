"""How a tenant's portal, e-mails and certificates look, and the custom domains it asked for.

The branding lives twice: `Branding` is the published one (what everyone sees, e-mails and
certificates included) and `BrandingDraft` the one admins edit and preview until they
publish it. Both are single rows with the same fields (`BrandingValues`)."""

from __future__ import annotations

import datetime

from django.conf import settings
from django.core.validators import RegexValidator
from django.db import models
from django.db.models.functions import Lower
from django.utils.translation import gettext_lazy as _

HEX_COLOUR = RegexValidator(r"^#[0-9a-fA-F]{6}$", _("Use a colour such as #3b5bdb."))
DEFAULT_PRIMARY = "#3b5bdb"
DEFAULT_ACCENT = "#f59f00"
WELCOME_TEXT_LIMIT = 500
EMAIL_SENDER_NAME_LIMIT = 100
EMAIL_FOOTER_LIMIT = 500


class Font(models.TextChoices):
    """Fonts the portal may be set in: stacks of fonts already on people's devices, so
    nothing is downloaded (see tokens.FONT_STACKS)."""

    SYSTEM = "system", _("System (the device's own)")
    HUMANIST = "humanist", _("Humanist sans-serif")
    GEOMETRIC = "geometric", _("Geometric sans-serif")
    TRANSITIONAL = "transitional", _("Serif")
    ROUNDED = "rounded", _("Rounded sans-serif")


class BrandingValues(models.Model):
    """The fields a branding has, published or draft."""

    logo = models.ImageField(upload_to="branding/", blank=True)
    favicon = models.ImageField(upload_to="branding/", blank=True)
    login_image = models.ImageField(upload_to="branding/", blank=True)
    primary_colour = models.CharField(
        max_length=7, default=DEFAULT_PRIMARY, validators=[HEX_COLOUR]
    )
    accent_colour = models.CharField(max_length=7, default=DEFAULT_ACCENT, validators=[HEX_COLOUR])
    font = models.CharField(max_length=16, choices=Font.choices, default=Font.SYSTEM)
    # Plain text, always shown escaped.
    welcome_text = models.TextField(blank=True, max_length=WELCOME_TEXT_LIMIT)
    email_sender_name = models.CharField(max_length=EMAIL_SENDER_NAME_LIMIT, blank=True)
    email_footer = models.TextField(blank=True, max_length=EMAIL_FOOTER_LIMIT)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        abstract = True


def _value_checks(prefix: str) -> list[models.BaseConstraint]:
    return [
        models.CheckConstraint(condition=models.Q(id=1), name=f"{prefix}_single_row"),
        models.CheckConstraint(
            condition=models.Q(primary_colour__regex=r"^#[0-9a-fA-F]{6}$")
            & models.Q(accent_colour__regex=r"^#[0-9a-fA-F]{6}$"),
            name=f"{prefix}_colours_hex",
        ),
        models.CheckConstraint(
            condition=models.Q(font__in=[font.value for font in Font]),
            name=f"{prefix}_font_known",
        ),
    ]


class Branding(BrandingValues):
    """The published branding: the portal, e-mails and certificates wear it."""

    class Meta:
        constraints = _value_checks("branding")

    def __str__(self) -> str:
        return f"branding {self.primary_colour}/{self.accent_colour}"


class BrandingDraft(BrandingValues):
    """The branding admins are working on; only they see it, and only while previewing."""

    class Meta:
        constraints = _value_checks("branding_draft")

    def __str__(self) -> str:
        return f"branding draft {self.primary_colour}/{self.accent_colour}"


class DomainStatus(models.TextChoices):
    PENDING = "pending", _("Pending")
    VERIFIED = "verified", _("Verified")
    FAILED = "failed", _("Failed")


class DomainFailure(models.TextChoices):
    """Why the last verification failed."""

    NXDOMAIN = "nxdomain", _("The verification record does not exist (NXDOMAIN).")
    NO_RECORD = "no_record", _("The name exists but has no TXT record.")
    WRONG_TOKEN = "wrong_token", _("The TXT record does not hold this domain's token.")
    TIMEOUT = "timeout", _("The DNS server did not answer in time.")
    DNS_ERROR = "dns_error", _("The DNS servers could not answer.")
    TAKEN = "taken", _("Another portal already uses this domain.")


class CustomDomain(models.Model):
    """A host name the tenant wants its portal under. Routed (in the public schema) only
    once its TXT record proves the tenant controls it."""

    name = models.CharField(max_length=253)
    token = models.CharField(max_length=64)
    status = models.CharField(
        max_length=16, choices=DomainStatus.choices, default=DomainStatus.PENDING
    )
    failure = models.CharField(max_length=16, choices=DomainFailure.choices, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)
    checked_at = models.DateTimeField(null=True, blank=True)
    verified_at = models.DateTimeField(null=True, blank=True)
    # A verified domain whose TXT record a daily re-check no longer finds: since when, and
    # what the DNS said. Cleared when the record is back; past CUSTOM_DOMAIN_LAPSE_DAYS the
    # domain stops routing (status failed).
    lapsed_since = models.DateTimeField(null=True, blank=True)
    lapse_failure = models.CharField(max_length=16, choices=DomainFailure.choices, blank=True)

    class Meta:
        ordering = ["name"]
        constraints = [
            models.UniqueConstraint(Lower("name"), name="custom_domain_name_ci_unique"),
            models.CheckConstraint(
                condition=models.Q(status__in=[status.value for status in DomainStatus]),
                name="custom_domain_status_valid",
            ),
            models.CheckConstraint(
                condition=models.Q(status="failed", failure__gt="")
                | (~models.Q(status="failed") & models.Q(failure="")),
                name="custom_domain_failure_iff_failed",
            ),
        ]
        indexes = [models.Index(fields=["status"], name="custom_domain_status_idx")]

    def __str__(self) -> str:
        return self.name

    @property
    def verification_name(self) -> str:
        """Where the TXT record with the token goes."""
        return f"_lectern-verify.{self.name}"

    @property
    def routing_ends_at(self) -> datetime.datetime | None:
        """When a lapsing domain stops routing, if its TXT record is not back by then."""
        if self.lapsed_since is None:
            return None
        return self.lapsed_since + datetime.timedelta(days=settings.CUSTOM_DOMAIN_LAPSE_DAYS)
