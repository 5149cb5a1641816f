"""The tenant's design tokens: CSS custom properties from its validated branding, the only
way a tenant's choices reach the portal's styles (no tenant-supplied CSS anywhere)."""

from __future__ import annotations

from tenant_apps.branding.contrast import text_on
from tenant_apps.branding.models import HEX_COLOUR, BrandingValues, Font

# Fonts already on people's devices (no web font is ever downloaded): each choice is a
# stack that falls back to the next font a device has.
FONT_STACKS: dict[str, str] = {
    Font.SYSTEM: 'system-ui, -apple-system, "Segoe UI", Roboto, sans-serif',
    Font.HUMANIST: (
        'Seravek, "Gill Sans Nova", Ubuntu, Calibri, "DejaVu Sans", source-sans-pro, sans-serif'
    ),
    Font.GEOMETRIC: (
        'Avenir, Montserrat, Corbel, "URW Gothic", source-sans-pro, system-ui, sans-serif'
    ),
    Font.TRANSITIONAL: 'Charter, "Bitstream Charter", "Sitka Text", Cambria, Georgia, serif',
    Font.ROUNDED: (
        'ui-rounded, "Hiragino Maru Gothic ProN", Quicksand, Comfortaa, Manjari, '
        '"Arial Rounded MT", Calibri, source-sans-pro, sans-serif'
    ),
}


def tokens_css(branding: BrandingValues) -> str:
    """`:root { --colour-primary: ...; --colour-on-primary: ...; ...; --font-body: ... }`
    (the "on" colours are the text that reads on each, see branding.contrast). Each value is
    checked again here, so nothing but a six-digit hex colour and one of our own font stacks
    can ever be written out."""
    for colour in (branding.primary_colour, branding.accent_colour):
        HEX_COLOUR(colour)  # raises for anything else; the database refuses it too
    tokens = {
        "--colour-primary": branding.primary_colour.lower(),
        "--colour-on-primary": text_on(branding.primary_colour).text,
        "--colour-accent": branding.accent_colour.lower(),
        "--colour-on-accent": text_on(branding.accent_colour).text,
    }
    if branding.font != Font.SYSTEM:
        # A key of our own table (KeyError for anything else); the default is portal.css's.
        tokens["--font-body"] = FONT_STACKS[Font(branding.font)]
    body = " ".join(f"{name}: {value};" for name, value in tokens.items())
    return f":root {{ {body} }}\n"


def tokens_version(branding: BrandingValues) -> str:
    """Changes whenever the branding does: the stylesheet's URL carries it, so browsers
    may keep a version for good."""
    return str(int(branding.updated_at.timestamp() * 1000)) if branding.updated_at else "default"
