"""The tenant admin's plan page (`/manage/billing/plan/`): the plan, its status and trial,
usage against each limit, an upgrade through Stripe Checkout and the customer portal for
cards and invoices. Admins only (MANAGE_BILLING); the tenant is the request's host."""

from __future__ import annotations

from django.contrib import messages
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from billing.subscriptions import selectors
from billing.subscriptions.hooks import can_manage_billing
from billing.subscriptions.manage_forms import UpgradeForm
from billing.subscriptions.services.plans import billing_portal_start, checkout_start
from core.errors import ApplicationError
from core.pages import form_errors_show, page_requires


def _redirect_away(request: HttpRequest, url: str) -> HttpResponse:
    """To the provider's page; HTMX follows HX-Redirect instead of swapping it in."""
    if getattr(request, "htmx", False):
        response = HttpResponse(status=204)
        response["HX-Redirect"] = url
        return response
    return redirect(url)


def _page(request: HttpRequest, form: UpgradeForm | None = None, status: int = 200, error=""):
    page = selectors.plan_page(tenant=request.tenant)
    offered = [
        {
            "plan": plan,
            "month": selectors.price_text(plan, "month"),
            "year": selectors.price_text(plan, "year"),
        }
        for plan in page.offered
    ]
    form = form or UpgradeForm(plans=page.offered, initial={"plan": page.tenant.plan_code})
    return render(
        request,
        "subscriptions/manage/plan.html",
        {"page": page, "offered": offered, "form": form, "portal_error": error},
        status=status,
    )


@page_requires(can_manage_billing)
def plan_home(request: HttpRequest) -> HttpResponse:
    if request.GET.get("checkout") == "done":
        messages.success(
            request, _("Thank you. Your plan changes as soon as the payment is confirmed.")
        )
        return redirect("manage-billing-plan")
    return _page(request)


@require_POST
@page_requires(can_manage_billing)
def plan_upgrade(request: HttpRequest) -> HttpResponse:
    form = UpgradeForm(request.POST, plans=selectors.plans_offered())
    if not form.is_valid():
        return _page(request, form, status=400)
    home = request.build_absolute_uri(reverse("manage-billing-plan"))
    try:
        url = checkout_start(
            tenant=request.tenant,
            plan_code=form.cleaned_data["plan"],
            interval=form.cleaned_data["interval"],
            success_url=home + "?checkout=done",
            cancel_url=home,
        )
    except ApplicationError as error:
        form_errors_show(form, error)
        return _page(request, form, status=400 if error.status < 500 else error.status)
    return _redirect_away(request, url)


@require_POST
@page_requires(can_manage_billing)
def billing_portal(request: HttpRequest) -> HttpResponse:
    try:
        url = billing_portal_start(
            tenant=request.tenant,
            return_url=request.build_absolute_uri(reverse("manage-billing-plan")),
        )
    except ApplicationError as error:
        return _page(request, status=error.status, error=error.message)
    return _redirect_away(request, url)
