"""Uploaded files of a tenant, served from its own host to whoever may read each one.

Files live under MEDIA_ROOT/<schema>/ and their URLs are /media/<schema>/<path> (see
core.storage). This view serves a path only when

* the schema in it is the schema of the tenant whose host was asked (another tenant's
  files are a 404, like its rows), and
* a rule registered for that kind of file lets the caller read it: apps register their
  own (branding: everyone; avatars: people signed in to the tenant; a lesson's video or
  attachment: whoever may read that lesson's content). A path no rule claims is a 404.

The caller is who the API would take them for: a portal session or a Bearer token.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

from django.conf import settings
from django.db import connection
from django.http import Http404, HttpResponseBase
from django.views.static import serve
from drf_spectacular.utils import extend_schema
from rest_framework.permissions import AllowAny
from rest_framework.request import Request
from rest_framework.views import APIView

# (the request, the pattern's match on the path) → may the caller read the file?
MediaReadable = Callable[[Request, re.Match[str]], bool]


@dataclass(frozen=True)
class MediaRule:
    pattern: re.Pattern[str]
    readable: MediaReadable


_rules: list[MediaRule] = []


def media_rule_register(pattern: str, readable: MediaReadable) -> None:
    """Let files whose path (below the tenant's folder) matches `pattern` in full be read
    by callers `readable` accepts. Registering the same pattern again replaces its rule."""
    compiled = re.compile(pattern)
    _rules[:] = [rule for rule in _rules if rule.pattern.pattern != pattern]
    _rules.append(MediaRule(compiled, readable))


def everyone(request: Request, match: re.Match[str]) -> bool:
    return True


def signed_in(request: Request, match: re.Match[str]) -> bool:
    user = request.user
    return bool(user and user.is_authenticated and user.is_active)


def media_readable(request: Request, path: str) -> bool:
    for rule in _rules:
        match = rule.pattern.fullmatch(path)
        if match is not None:
            return rule.readable(request, match)
    return False


class TenantMediaView(APIView):
    """GET /media/<schema>/<path>: one of this tenant's files, to those its rule admits."""

    permission_classes = [AllowAny]

    @extend_schema(exclude=True)
    def get(self, request: Request, schema_name: str, path: str) -> HttpResponseBase:
        if schema_name != connection.schema_name or not media_readable(request, path):
            raise Http404("No such file.")
        # `serve` refuses paths that climb out of the folder, answers 404 for missing files
        # and honours If-Modified-Since.
        folder = Path(settings.MEDIA_ROOT) / schema_name
        response = serve(request._request, path, document_root=str(folder))
        response["Cache-Control"] = "private, max-age=300"
        response["X-Content-Type-Options"] = "nosniff"
        return response
