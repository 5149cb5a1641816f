"""Tenant admins' pages: the branding (edit the draft, preview it, publish it) and custom
domains (add, see the DNS records to create, verify, remove). Each view parses, authorises
with the rule the API checks (branding.permissions), calls one service or selector, renders."""

from __future__ import annotations

from django.contrib import messages
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods, require_POST

from core.errors import ApplicationError
from core.pages import form_errors_show, page_requires
from tenant_apps.branding import selectors, services
from tenant_apps.branding.forms import BrandingForm, DomainForm
from tenant_apps.branding.models import DomainFailure, DomainStatus
from tenant_apps.branding.permissions import can_manage_branding
from tenant_apps.branding.preview import preview_start, preview_stop, previewing

# The page's names for the service's fields (they match).
BRANDING_FIELDS = {name: name for name in BrandingForm.base_fields}


def _initial(draft) -> dict[str, str]:
    return {
        "primary_colour": draft.primary_colour,
        "accent_colour": draft.accent_colour,
        "font": draft.font,
        "welcome_text": draft.welcome_text,
        "email_sender_name": draft.email_sender_name,
        "email_footer": draft.email_footer,
    }


@page_requires(can_manage_branding)
@require_http_methods(["GET", "POST"])
def branding_edit(request: HttpRequest) -> HttpResponse:
    """GET/POST /manage/branding/: the draft's form; saving changes only the draft."""
    status = 200
    if request.method == "POST":
        form = BrandingForm(request.POST, request.FILES)
        if form.is_valid():
            try:
                services.branding_draft_save(actor=request.user, **form.service_arguments())
            except ApplicationError as refused:
                form_errors_show(form, refused, BRANDING_FIELDS)
            else:
                messages.success(
                    request,
                    _("The draft is saved. Preview it, then publish it when it looks right."),
                )
                return redirect("manage-branding")
        status = 400
    draft = services.branding_draft_current()
    published = services.branding_current()
    if request.method == "GET":
        form = BrandingForm(initial=_initial(draft))
    return render(
        request,
        "branding/manage_branding.html",
        {
            "form": form,
            "draft": draft,
            "published": published,
            "unpublished": services.branding_has_unpublished_changes(draft, published),
            "previewing": previewing(request),
        },
        status=status,
    )


@page_requires(can_manage_branding)
@require_POST
def branding_preview(request: HttpRequest) -> HttpResponse:
    """POST /manage/branding/preview/ (`action` start or stop): only this admin's pages
    wear the draft while it is on."""
    if request.POST.get("action") == "stop":
        preview_stop(request)
        messages.success(request, _("Preview stopped: you see the published branding again."))
    else:
        preview_start(request)
        messages.success(
            request,
            _("You are previewing the draft: every page you open wears it. Nobody else sees it."),
        )
    return redirect("manage-branding")


@page_requires(can_manage_branding)
@require_POST
def branding_publish(request: HttpRequest) -> HttpResponse:
    """POST /manage/branding/publish/: the draft becomes what everyone sees."""
    services.branding_publish(actor=request.user)
    preview_stop(request)
    messages.success(request, _("The branding is published: everyone sees it now."))
    return redirect("manage-branding")


@page_requires(can_manage_branding)
@require_http_methods(["GET", "POST"])
def domain_list(request: HttpRequest) -> HttpResponse:
    """GET/POST /manage/domains/: the tenant's custom domains, and a form to add one."""
    status = 200
    form = DomainForm(request.POST or None)
    if request.method == "POST":
        if form.is_valid():
            try:
                domain = services.custom_domain_add(
                    name=form.cleaned_data["name"], actor=request.user
                )
            except ApplicationError as refused:
                form_errors_show(form, refused)
            else:
                messages.success(
                    request,
                    _("%(name)s is added: create its DNS records, then verify it.")
                    % {"name": domain.name},
                )
                return redirect("manage-domain", domain_id=domain.pk)
        status = 400
    return render(
        request,
        "branding/manage_domains.html",
        {"form": form, "domains": list(selectors.custom_domain_list())},
        status=status,
    )


def _domain_page(request: HttpRequest, domain) -> HttpResponse:
    return render(
        request,
        "branding/manage_domain.html",
        {
            "domain": domain,
            "tenant_host": selectors.tenant_host(),
            "failure": DomainFailure(domain.failure).label if domain.failure else "",
        },
    )


@page_requires(can_manage_branding)
@require_http_methods(["GET"])
def domain_detail(request: HttpRequest, domain_id: int) -> HttpResponse:
    """GET /manage/domains/<id>/: its status and the DNS records to create."""
    return _domain_page(request, selectors.custom_domain_get(domain_id=domain_id))


@page_requires(can_manage_branding)
@require_POST
def domain_verify(request: HttpRequest, domain_id: int) -> HttpResponse:
    """POST /manage/domains/<id>/verify/: look its TXT record up now."""
    domain = services.custom_domain_verify(domain_id=domain_id, actor=request.user)
    failure = DomainFailure(domain.failure).label if domain.failure else ""
    if domain.status == DomainStatus.VERIFIED:
        outcome = _("%(name)s is verified: it now opens this portal.") % {"name": domain.name}
    else:
        outcome = _("%(name)s could not be verified: %(reason)s") % {
            "name": domain.name,
            "reason": failure,
        }
    if request.htmx:  # only the status block changes
        return render(
            request,
            "branding/_domain_verification.html",
            {"domain": domain, "failure": failure, "outcome": outcome},
        )
    if domain.status == DomainStatus.VERIFIED:
        messages.success(request, outcome)
    else:
        messages.error(request, outcome)
    return redirect("manage-domain", domain_id=domain.pk)


@page_requires(can_manage_branding)
@require_POST
def domain_remove(request: HttpRequest, domain_id: int) -> HttpResponse:
    """POST /manage/domains/<id>/remove/: forget it; it no longer opens this portal."""
    domain = selectors.custom_domain_get(domain_id=domain_id)
    services.custom_domain_remove(domain_id=domain.pk, actor=request.user)
    messages.success(request, _("%(name)s is removed.") % {"name": domain.name})
    return redirect("manage-domains")
