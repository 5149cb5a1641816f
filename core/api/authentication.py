"""Reading `Authorization: Bearer <credential>`, for every API that takes bearer tokens."""

from __future__ import annotations

from django.utils.translation import gettext
from rest_framework import authentication, exceptions
from rest_framework.request import Request


def bearer_credential(request: Request, *, usage: str) -> str | None:
    """The credential of a Bearer header; None when the request has no Authorization
    header. Any other scheme, or an empty credential, is a 401 that shows `usage` (e.g.
    "Authorization: Bearer <token>")."""
    header = authentication.get_authorization_header(request).decode("latin-1")
    if not header:
        return None
    scheme, _, credential = header.partition(" ")
    credential = credential.strip()
    if scheme.lower() != "bearer" or not credential:
        raise exceptions.AuthenticationFailed(gettext("Use '%(usage)s'.") % {"usage": usage})
    return credential
