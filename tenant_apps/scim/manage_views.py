"""The tenant admin's SCIM page (`/manage/people-sync/scim/`): the base URL to paste into
Entra ID or Okta, tokens (create and see the secret once, revoke, last use), the rules
giving members of SCIM groups a role, and the log of recent SCIM requests."""

from __future__ import annotations

from django import forms
from django.contrib import messages as flash
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_POST

from core.errors import ApplicationError
from core.forms import PortalForm
from core.pages import page_requires
from core.secret_box import secret_open, secret_seal
from tenant_apps.people.models import Role
from tenant_apps.scim.hooks import can_manage_people_sync
from tenant_apps.scim.models import ScimRequestLog, ScimRoleRule, ScimToken
from tenant_apps.scim.role_rules import role_rule_delete, role_rule_save, rule_groups
from tenant_apps.scim.tokens import scim_token_create, scim_token_revoke

_REVEAL_KEY = "scim_token_reveal"


class RoleRuleForm(PortalForm):
    group = forms.TypedChoiceField(label=gettext_lazy("SCIM group"), coerce=int)
    role = forms.ChoiceField(label=gettext_lazy("Role of its members"), choices=Role.choices)

    def __init__(self, *args, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        self.fields["group"].choices = list(rule_groups().values_list("pk", "name"))


def _home(request: HttpRequest, rule_form: RoleRuleForm, status: int = 200) -> HttpResponse:
    sealed = request.session.pop(_REVEAL_KEY, None)
    response = render(
        request,
        "scim/manage/scim.html",
        {
            "rules": ScimRoleRule.objects.select_related("group"),
            "rule_form": rule_form,
            "base_url": request.build_absolute_uri("/scim/v2/"),
            "tokens": ScimToken.objects.select_related("created_by"),
            "secret": secret_open(sealed) if sealed else "",
            "log": ScimRequestLog.objects.select_related("token")[:50],
        },
    )
    response["Cache-Control"] = "no-store"
    response.status_code = status
    return response


@page_requires(can_manage_people_sync)
def scim_home(request: HttpRequest) -> HttpResponse:
    return _home(request, RoleRuleForm())


@require_POST
@page_requires(can_manage_people_sync)
def scim_token_add(request: HttpRequest) -> HttpResponse:
    name = request.POST.get("name", "").strip() or _("SCIM token")
    try:
        _token, secret = scim_token_create(name=name, actor=request.user)
    except ApplicationError as error:  # the plan does not include SCIM
        flash.error(request, error.message)
        return redirect("manage-people-sync-scim")
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


@require_POST
@page_requires(can_manage_people_sync)
def scim_role_rule_add(request: HttpRequest) -> HttpResponse:
    form = RoleRuleForm(request.POST)
    if not form.is_valid():
        return _home(request, form, status=400)
    try:
        role_rule_save(
            group_id=form.cleaned_data["group"], role=form.cleaned_data["role"], actor=request.user
        )
    except ApplicationError as exc:
        for detail in exc.details:
            form.add_error(detail.field if detail.field in form.fields else None, detail.message)
        return _home(request, form, status=400)
    flash.success(request, _("Saved the rule; its group's members have their roles."))
    return redirect("manage-people-sync-scim")


@require_POST
@page_requires(can_manage_people_sync)
def scim_role_rule_remove(request: HttpRequest, rule_id: int) -> HttpResponse:
    rule = get_object_or_404(ScimRoleRule, pk=rule_id)
    role_rule_delete(rule=rule, actor=request.user)
    flash.success(request, _("Removed the rule for %(group)s.") % {"group": rule.group.name})
    return redirect("manage-people-sync-scim")
