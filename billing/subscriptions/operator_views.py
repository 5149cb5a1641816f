"""The operator console's billing pages on the public host: the overview (MRR per
currency, plan mix chart, past-due tenants, subscriptions by status), plans (list, create,
edit, archive) and a tenant's plan. Operators only (`is_operator`, as the console)."""

from __future__ import annotations

from django.contrib import messages
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.template.loader import render_to_string
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from billing.subscriptions import selectors
from billing.subscriptions.models import Plan, TenantSubscription
from billing.subscriptions.operator_forms import PlanForm, SubscriptionFilterForm, TenantPlanForm
from billing.subscriptions.services import plans
from core.errors import ApplicationError
from core.money import Money
from core.pages import form_errors_show, page_requires
from shared_apps.operators.permissions import is_operator
from shared_apps.tenants import selectors as tenant_selectors


@page_requires(is_operator)
def billing_overview(request: HttpRequest) -> HttpResponse:
    form = SubscriptionFilterForm(request.GET or None)
    status = form.cleaned_data["status"] if form.is_valid() else ""
    mix = selectors.plan_mix()
    names = dict(Plan.objects.values_list("code", "name"))
    return render(
        request,
        "subscriptions/operator/overview.html",
        {
            "mrr": [
                {"currency": currency, "amount": Money(amount, currency).display()}
                for currency, amount in selectors.monthly_recurring_revenue().items()
            ],
            "mix": [{"label": names.get(code, code), "count": count} for code, count in mix],
            "charts": {
                "plan_mix": {
                    "labels": [names.get(code, code) for code, _count in mix],
                    "values": [count for _code, count in mix],
                    "label": _("Tenants"),
                }
            },
            "past_due": selectors.past_due_list(),
            "subscriptions": selectors.subscriptions_list(status=status),
            "filter_form": form,
        },
    )


@page_requires(is_operator)
def plan_list(request: HttpRequest) -> HttpResponse:
    rows = [
        {
            "plan": plan,
            "month": selectors.price_text(plan, "month"),
            "year": selectors.price_text(plan, "year"),
        }
        for plan in Plan.objects.all()
    ]
    return render(request, "subscriptions/operator/plans.html", {"rows": rows})


def _plan_form_page(request: HttpRequest, form: PlanForm, plan: Plan | None) -> HttpResponse:
    status = 400 if request.method == "POST" else 200
    context = {"form": form, "plan": plan}
    return render(request, "subscriptions/operator/plan_form.html", context, status=status)


@page_requires(is_operator)
def plan_create(request: HttpRequest) -> HttpResponse:
    form = PlanForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            plan = plans.plan_create(code=form.cleaned_data["code"], **form.service_values())
        except ApplicationError as error:
            form_errors_show(form, error)
        else:
            messages.success(request, _("The plan %(name)s was created.") % {"name": plan.name})
            return redirect("operator-plans")
    status = 400 if request.method == "POST" else 200
    return render(
        request,
        "subscriptions/operator/plan_form.html",
        {"form": form, "plan": None},
        status=status,
    )


@page_requires(is_operator)
def plan_edit(request: HttpRequest, code: str) -> HttpResponse:
    plan = get_object_or_404(Plan, code=code)
    form = PlanForm(request.POST or None, initial=PlanForm.initial_of(plan), editing=True)
    if request.method == "POST" and form.is_valid():
        try:
            plans.plan_update(plan=plan, **form.service_values())
        except ApplicationError as error:
            form_errors_show(form, error)
        else:
            messages.success(request, _("The plan %(name)s was saved.") % {"name": plan.name})
            return redirect("operator-plans")
    status = 400 if request.method == "POST" else 200
    return render(
        request,
        "subscriptions/operator/plan_form.html",
        {"form": form, "plan": plan},
        status=status,
    )


@require_POST
@page_requires(is_operator)
def plan_archive(request: HttpRequest, code: str) -> HttpResponse:
    plan = get_object_or_404(Plan, code=code)
    plans.plan_archive(plan=plan)
    messages.success(request, _("The plan %(name)s is no longer offered.") % {"name": plan.name})
    return redirect("operator-plans")


@require_POST
@page_requires(is_operator)
def tenant_plan_change(request: HttpRequest, slug: str) -> HttpResponse:
    tenant = tenant_selectors.tenant_get(slug=slug)
    form = TenantPlanForm(request.POST)
    if form.is_valid():
        try:
            plans.tenant_plan_change(
                tenant=tenant,
                plan_code=form.cleaned_data["plan"],
                operator_email=request.user.email,
            )
        except ApplicationError as error:
            messages.error(request, error.message)
        else:
            messages.success(request, _("The tenant's plan was changed."))
    else:
        messages.error(request, _("Choose a plan from the list."))
    return redirect("operator-tenant", slug=tenant.slug)


def tenant_plan_section(request: HttpRequest, tenant) -> str:
    """The tenant page's billing section (registered with the console's hook)."""
    return render_to_string(
        "subscriptions/operator/_tenant_plan.html",
        {
            "tenant": tenant,
            "account": TenantSubscription.objects.filter(tenant=tenant).first(),
            "form": TenantPlanForm(initial={"plan": tenant.plan_code}),
        },
        request=request,
    )
