"""Previewing the draft branding: a flag in one admin's session makes the pages they open
wear the draft (tokens, logo, favicon, sign-in image and text); nobody else's pages change,
and the flag counts only while its holder may manage the branding."""

from __future__ import annotations

from django.http import HttpRequest

from tenant_apps.branding.permissions import can_manage_branding

SESSION_KEY = "branding_preview"


def preview_start(request: HttpRequest) -> None:
    request.session[SESSION_KEY] = True


def preview_stop(request: HttpRequest) -> None:
    request.session.pop(SESSION_KEY, None)


def previewing(request: HttpRequest) -> bool:
    """True when this request comes from an admin who asked to preview the draft. Reads the
    session only for people signed in (no session row is created for anyone else)."""
    user = getattr(request, "user", None)
    if user is None or not user.is_authenticated:
        return False
    return bool(request.session.get(SESSION_KEY)) and can_manage_branding(user)
