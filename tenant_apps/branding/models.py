"""How a tenant's portal, e-mails and certificates look: logo and colours (one row)."""

from __future__ import annotations

from django.core.validators import RegexValidator
from django.db import models

HEX_COLOUR = RegexValidator(r"^#[0-9a-fA-F]{6}$", "Use a colour such as #3b5bdb.")
DEFAULT_PRIMARY = "#3b5bdb"
DEFAULT_ACCENT = "#f59f00"


class Branding(models.Model):
    logo = models.ImageField(upload_to="branding/", blank=True)
    primary_colour = models.CharField(
        max_length=7, default=DEFAULT_PRIMARY, validators=[HEX_COLOUR]
    )
    accent_colour = models.CharField(max_length=7, default=DEFAULT_ACCENT, validators=[HEX_COLOUR])
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        constraints = [
            models.CheckConstraint(condition=models.Q(id=1), name="branding_single_row"),
            models.CheckConstraint(
                condition=models.Q(primary_colour__regex=r"^#[0-9a-fA-F]{6}$")
                & models.Q(accent_colour__regex=r"^#[0-9a-fA-F]{6}$"),
                name="branding_colours_hex",
            ),
        ]

    def __str__(self) -> str:
        return f"branding {self.primary_colour}/{self.accent_colour}"
