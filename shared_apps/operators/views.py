"""The operator console on the public host: tenants, their lifecycle, platform metrics.

Each view parses (a form), authorises (`is_operator`, the operator API's rule too), calls the
tenant services or selectors the operator API calls, and renders.
"""

from __future__ import annotations

import uuid
from collections.abc import Callable
from datetime import timedelta

from django.conf import settings
from django.contrib import messages
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.formats import date_format
from django.utils.safestring import mark_safe
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_POST

from core.errors import ApplicationError
from core.pages import form_errors_show, page_of, page_requires, partial_wanted, query_without_page
from shared_apps.operators.forms import (
    STATUS_LABELS,
    DomainAddForm,
    DomainRemoveForm,
    TenantCreateForm,
    TenantDeleteForm,
    TenantFilterForm,
)
from shared_apps.operators.hooks import tenant_sections_for
from shared_apps.operators.permissions import is_operator
from shared_apps.tenants import selectors, services
from shared_apps.tenants.errors import TenantErrorCode
from shared_apps.tenants.models import Tenant, TenantStatus

TENANTS_PER_PAGE = 25


def portal_url(domain: str) -> str:
    """The address of a tenant's portal on one of its domains."""
    port = f":{settings.PUBLIC_PORT}" if settings.PUBLIC_PORT else ""
    return f"{settings.PUBLIC_SCHEME}://{domain}{port}/"


@page_requires(is_operator)
def tenant_list(request: HttpRequest) -> HttpResponse:
    filters = TenantFilterForm(request.GET or None)
    page = page_of(request, selectors.tenant_list(**filters.selection()), TENANTS_PER_PAGE)
    people = selectors.tenants_people_counts(tenants=page.object_list)
    rows = [
        {
            "tenant": tenant,
            "people": people.get(tenant.pk, 0),
            "primary_domain": next((d.domain for d in tenant.domains.all() if d.is_primary), ""),
        }
        for tenant in page.object_list
    ]
    results_only = partial_wanted(request)
    template = "operators/_tenant_results.html" if results_only else "operators/tenant_list.html"
    return render(
        request,
        template,
        {"filters": filters, "page": page, "rows": rows, "query": query_without_page(request)},
    )


@page_requires(is_operator)
def tenant_create(request: HttpRequest) -> HttpResponse:
    if request.method != "POST":
        form = TenantCreateForm(base_domain=settings.BASE_DOMAIN)
        return render(request, "operators/tenant_create.html", {"form": form})
    form = TenantCreateForm(request.POST, base_domain=settings.BASE_DOMAIN)
    if form.is_valid():
        data = form.cleaned_data
        try:
            result = services.tenant_create(
                slug=data["slug"].strip(),
                name=data["name"],
                admin_email=data["admin_email"],
                plan_code=data["plan"].strip(),
                operator_id=request.user.pk,
                idempotency_key=data["request_key"] or None,
            )
        except ApplicationError as error:
            if error.code == TenantErrorCode.IDEMPOTENCY_KEY_REUSED:
                # This form already created a tenant and was changed since: a fresh key
                # lets the operator send it again for another tenant.
                form.data = form.data.copy()
                form.data["request_key"] = uuid.uuid4().hex
                form.add_error(
                    None, _("This form already created a tenant. Send it again to create another.")
                )
            else:
                form_errors_show(form, error)
        else:
            if result.created:
                messages.success(
                    request,
                    _(
                        "%(name)s was provisioned in %(seconds).2f s. Its first admin, "
                        "%(email)s, was sent an invitation to choose a password."
                    )
                    % {
                        "name": result.tenant.name,
                        "seconds": result.seconds,
                        "email": result.tenant.contact_email,
                    },
                )
            else:
                messages.info(request, _("This tenant had already been created."))
            return redirect("operator-tenant", slug=result.tenant.slug)
    return render(request, "operators/tenant_create.html", {"form": form}, status=400)


def _tenant_page(
    request: HttpRequest,
    tenant: Tenant,
    *,
    domain_form: DomainAddForm | None = None,
    action_error: str = "",
    status: int = 200,
) -> HttpResponse:
    domains = [
        {"domain": d.domain, "primary": d.is_primary, "url": portal_url(d.domain)}
        for d in tenant.domains.all()
    ]
    return render(
        request,
        "operators/tenant_detail.html",
        {
            "tenant": tenant,
            "usage": selectors.tenant_usage(tenant=tenant),
            # What wings add to the page (platform billing: the plan and subscription).
            "extra_sections": [mark_safe(html) for html in tenant_sections_for(request, tenant)],  # noqa: S308 - each section is its own escaped template
            "domains": domains,
            "domain_form": domain_form or DomainAddForm(),
            "action_error": action_error,
            "can_suspend": not tenant.is_deleted and tenant.status != TenantStatus.SUSPENDED,
            "can_resume": not tenant.is_deleted
            and tenant.status in {TenantStatus.SUSPENDED, TenantStatus.ARCHIVED},
            "can_archive": not tenant.is_deleted
            and tenant.status in {TenantStatus.ACTIVE, TenantStatus.SUSPENDED},
            "grace_days": settings.TENANT_DELETE_GRACE_DAYS,
        },
        status=status,
    )


@page_requires(is_operator)
def tenant_detail(request: HttpRequest, slug: str) -> HttpResponse:
    return _tenant_page(request, selectors.tenant_get(slug=slug))


def _transition_page(
    action: Callable[..., Tenant], done: str
) -> Callable[[HttpRequest, str], HttpResponse]:
    @page_requires(is_operator)
    @require_POST
    def transition(request: HttpRequest, slug: str) -> HttpResponse:
        tenant = selectors.tenant_get(slug=slug)
        try:
            changed = action(tenant=tenant)
        except ApplicationError as error:
            return _tenant_page(
                request, selectors.tenant_get(slug=slug), action_error=error.message, status=409
            )
        messages.success(request, done % {"name": changed.name})
        return redirect("operator-tenant", slug=changed.slug)

    return transition


tenant_suspend = _transition_page(
    services.tenant_suspend,
    gettext_lazy("%(name)s is suspended: its people see a notice, no data."),
)
tenant_resume = _transition_page(services.tenant_resume, gettext_lazy("%(name)s is open again."))
tenant_archive = _transition_page(services.tenant_archive, gettext_lazy("%(name)s is archived."))
tenant_restore = _transition_page(services.tenant_restore, gettext_lazy("%(name)s is restored."))


@page_requires(is_operator)
def tenant_delete(request: HttpRequest, slug: str) -> HttpResponse:
    tenant = selectors.tenant_get(slug=slug)
    form = TenantDeleteForm(request.POST or None, slug=tenant.slug)
    context = {
        "tenant": tenant,
        "form": form,
        "grace_days": settings.TENANT_DELETE_GRACE_DAYS,
        "purge_after": timezone.now() + timedelta(days=settings.TENANT_DELETE_GRACE_DAYS),
    }
    if request.method != "POST":
        return render(request, "operators/tenant_delete.html", context)
    if not form.is_valid():
        return render(request, "operators/tenant_delete.html", context, status=400)
    deleted = services.tenant_delete(tenant=tenant)
    messages.success(
        request,
        _("%(name)s is deleted. It can be restored until %(date)s.")
        % {
            "name": deleted.name,
            "date": date_format(timezone.localtime(deleted.purge_after), "DATETIME_FORMAT"),
        },
    )
    return redirect("operator-tenant", slug=deleted.slug)


@page_requires(is_operator)
@require_POST
def domain_add(request: HttpRequest, slug: str) -> HttpResponse:
    tenant = selectors.tenant_get(slug=slug)
    form = DomainAddForm(request.POST)
    if form.is_valid():
        try:
            added = services.domain_add(tenant=tenant, domain=form.cleaned_data["domain"])
        except ApplicationError as error:
            form_errors_show(form, error)
        else:
            messages.success(request, _("%(domain)s now routes here.") % {"domain": added.domain})
            return redirect("operator-tenant", slug=tenant.slug)
    return _tenant_page(request, selectors.tenant_get(slug=slug), domain_form=form, status=400)


@page_requires(is_operator)
@require_POST
def domain_remove(request: HttpRequest, slug: str) -> HttpResponse:
    tenant = selectors.tenant_get(slug=slug)
    form = DomainRemoveForm(request.POST)
    if not form.is_valid():
        return _tenant_page(request, tenant, action_error=_("Choose a domain."), status=400)
    try:
        services.domain_remove(tenant=tenant, domain=form.cleaned_data["domain"])
    except ApplicationError as error:
        if error.status == 404:
            raise
        return _tenant_page(
            request, selectors.tenant_get(slug=slug), action_error=error.message, status=409
        )
    messages.success(
        request, _("%(domain)s no longer routes here.") % {"domain": form.cleaned_data["domain"]}
    )
    return redirect("operator-tenant", slug=tenant.slug)


@page_requires(is_operator)
def platform_metrics(request: HttpRequest) -> HttpResponse:
    metrics = selectors.platform_metrics()
    by_status = [
        selectors.CountOf(str(STATUS_LABELS[row.label]), row.count) for row in metrics.by_status
    ]
    charts = {
        "by_status": {
            "labels": [row.label for row in by_status],
            "values": [row.count for row in by_status],
            "label": _("Tenants"),
        },
        "new_by_month": {
            "labels": [row.label for row in metrics.new_by_month],
            "values": [row.count for row in metrics.new_by_month],
            "label": _("New tenants"),
        },
        "active_learners": {
            "labels": [row.label for row in metrics.active_learners.top],
            "values": [row.count for row in metrics.active_learners.top],
            "label": _("Active learners"),
        },
    }
    return render(
        request,
        "operators/metrics.html",
        {
            "metrics": metrics,
            "by_status": by_status,
            "charts": charts,
            "active_days": selectors.ACTIVE_LEARNER_DAYS,
            "tenant_total": sum(row.count for row in metrics.by_status),
        },
    )
