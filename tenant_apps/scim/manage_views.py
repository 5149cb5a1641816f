"""The tenant admin's SCIM page (`/manage/people-sync/scim/`): the base URL to paste into
Entra ID or Okta, tokens (create and see the secret once, revoke, last use), and the log of
recent SCIM requests."""

from __future__ import annotations

from django.contrib import messages as flash
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from core.pages import page_requires
from core.secret_box import secret_open, secret_seal
from tenant_apps.scim.hooks import can_manage_people_sync
from tenant_apps.scim.models import ScimRequestLog, ScimToken
from tenant_apps.scim.tokens import scim_token_create, scim_token_revoke

_REVEAL_KEY = "scim_token_reveal"


@page_requires(can_manage_people_sync)
def scim_home(request: HttpRequest) -> HttpResponse:
    sealed = request.session.pop(_REVEAL_KEY, None)
    response = render(
        request,
        "scim/manage/scim.html",
        {
            "base_url": request.build_absolute_uri("/scim/v2/"),
            "tokens": ScimToken.objects.select_related("created_by"),
            "secret": secret_open(sealed) if sealed else "",
            "log": ScimRequestLog.objects.select_related("token")[:50],
        },
    )
    response["Cache-Control"] = "no-store"
    return response


@require_POST
@page_requires(can_manage_people_sync)
def scim_token_add(request: HttpRequest) -> HttpResponse:
    name = request.POST.get("name", "").strip() or _("SCIM token")
    _token, secret = scim_token_create(name=name, actor=request.user)
    request.session[_REVEAL_KEY] = secret_seal(secret)
    flash.success(request, _("Created the token. Copy it now: it is shown only once."))
    return redirect("manage-people-sync-scim")


@require_POST
@page_requires(can_manage_people_sync)
def scim_token_remove(request: HttpRequest, token_id: int) -> HttpResponse:
    token = get_object_or_404(ScimToken, pk=token_id)
    scim_token_revoke(token=token, actor=request.user)
    flash.success(request, _("Revoked the token %(name)s.") % {"name": token.name})
    return redirect("manage-people-sync-scim")
