"""The tenant's design tokens: CSS custom properties from its validated branding, the only
way a tenant's choices reach the portal's styles (no tenant-supplied CSS anywhere)."""

from __future__ import annotations

from tenant_apps.branding.contrast import text_on
from tenant_apps.branding.models import HEX_COLOUR, Branding


def tokens_css(branding: Branding) -> str:
    """`:root { --colour-primary: ...; --colour-on-primary: ...; ... }` (the "on" colours are
    the text that reads on each, see branding.contrast). Each value is checked
    again here, so nothing but a six-digit hex colour can ever be written out."""
    for colour in (branding.primary_colour, branding.accent_colour):
        HEX_COLOUR(colour)  # raises for anything else; the database refuses it too
    tokens = {
        "--colour-primary": branding.primary_colour,
        "--colour-on-primary": text_on(branding.primary_colour).text,
        "--colour-accent": branding.accent_colour,
        "--colour-on-accent": text_on(branding.accent_colour).text,
    }
    body = " ".join(f"{name}: {value.lower()};" for name, value in tokens.items())
    return f":root {{ {body} }}\n"


def tokens_version(branding: Branding) -> str:
    """Changes whenever the branding does: the stylesheet's URL carries it, so browsers
    may keep a version for good."""
    return str(int(branding.updated_at.timestamp() * 1000)) if branding.updated_at else "default"
