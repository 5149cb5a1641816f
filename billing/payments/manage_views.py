"""The tenant admin's set-up pages of course payments (`/manage/payments/...`): the
providers (connect, replace, disconnect; secrets never shown again), the payment settings,
and coupons (list, create, deactivate). Each page authorises with the API's rule
(`may_manage_payments`), calls one service, and renders. Payments and refunds are in
manage_payment_views.py."""

from __future__ import annotations

from django.contrib import messages as flash
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from billing.payments import selectors, selectors_admin
from billing.payments.manage_forms import CouponForm, PaymentSettingsForm, ProviderKeysForm
from billing.payments.models import Provider
from billing.payments.permissions import may_manage_payments
from billing.payments.services import accounts, coupons
from core.errors import ApplicationError
from core.pages import form_errors_show, page_requires


def _provider(provider: str) -> str:
    if provider not in Provider.values:
        raise Http404
    return provider


def _webhook_url(request: HttpRequest, provider: str) -> str:
    return request.build_absolute_uri(
        reverse("payments-provider-webhook", kwargs={"provider": provider})
    )


def _settings_form(data=None) -> PaymentSettingsForm:
    row = accounts.payment_settings_get()
    return PaymentSettingsForm(
        data,
        initial={
            "prices_include_tax": row.prices_include_tax,
            "tax_label": row.tax_label,
            "pending_timeout_minutes": row.pending_timeout_minutes,
        },
    )


def _providers_page(request: HttpRequest, settings_form, status: int = 200) -> HttpResponse:
    hints = selectors_admin.account_hints()
    providers = [
        {
            "code": code,
            "name": name,
            "hints": hints.get(code),
            "webhook_url": _webhook_url(request, code),
        }
        for code, name in Provider.choices
    ]
    return render(
        request,
        "payments/manage/providers.html",
        {"providers": providers, "settings_form": settings_form},
        status=status,
    )


@page_requires(may_manage_payments)
def providers_home(request: HttpRequest) -> HttpResponse:
    """Each provider, connected or not, with its webhook URL; and the payment settings."""
    return _providers_page(request, _settings_form())


@page_requires(may_manage_payments)
def provider_connect(request: HttpRequest, provider: str) -> HttpResponse:
    """Connect a provider, or replace its keys (all typed again: none is shown)."""
    provider = _provider(provider)
    form = ProviderKeysForm(request.POST or None, provider=provider)
    status = 200
    if request.method == "POST":
        if form.is_valid():
            try:
                accounts.payment_account_save(
                    provider=provider, actor=request.user, **form.values()
                )
            except ApplicationError as error:
                form_errors_show(form, error)
            else:
                flash.success(
                    request,
                    _("Saved the %(provider)s keys.") % {"provider": Provider(provider).label},
                )
                return redirect("manage-payment-providers")
        status = 400
    hints = selectors_admin.account_hints().get(provider)
    response = render(
        request,
        "payments/manage/provider_connect.html",
        {
            "form": form,
            "provider": provider,
            "provider_name": Provider(provider).label,
            "hints": hints,
            "webhook_url": _webhook_url(request, provider),
        },
        status=status,
    )
    response["Cache-Control"] = "no-store"
    return response


@require_POST
@page_requires(may_manage_payments)
def provider_disconnect(request: HttpRequest, provider: str) -> HttpResponse:
    provider = _provider(provider)
    accounts.payment_account_remove(provider=provider, actor=request.user)
    flash.success(
        request,
        _("Disconnected %(provider)s. Learners cannot pay with it until it is connected again.")
        % {"provider": Provider(provider).label},
    )
    return redirect("manage-payment-providers")


@require_POST
@page_requires(may_manage_payments)
def settings_save(request: HttpRequest) -> HttpResponse:
    form = _settings_form(request.POST)
    if form.is_valid():
        try:
            accounts.payment_settings_update(actor=request.user, **form.values())
        except ApplicationError as error:
            form_errors_show(form, error)
        else:
            flash.success(request, _("Saved the payment settings."))
            return redirect("manage-payment-providers")
    return _providers_page(request, form, status=400)


@page_requires(may_manage_payments)
def coupons_home(request: HttpRequest) -> HttpResponse:
    return render(
        request, "payments/manage/coupons.html", {"coupons": list(selectors.coupons_all())}
    )


@page_requires(may_manage_payments)
def coupon_add(request: HttpRequest) -> HttpResponse:
    form = CouponForm(request.POST or None, courses=selectors_admin.paid_course_choices())
    status = 200
    if request.method == "POST":
        if form.is_valid():
            try:
                coupon = coupons.coupon_create(actor=request.user, **form.values())
            except ApplicationError as error:
                form_errors_show(form, error, form.service_field_names())
            else:
                flash.success(request, _("Created the coupon %(code)s.") % {"code": coupon.code})
                return redirect("manage-payment-coupons")
        status = 400
    return render(request, "payments/manage/coupon_add.html", {"form": form}, status=status)


@require_POST
@page_requires(may_manage_payments)
def coupon_deactivate(request: HttpRequest, coupon_id: int) -> HttpResponse:
    coupon = coupons.coupon_get(coupon_id)
    coupons.coupon_update(coupon=coupon, actor=request.user, active=False)
    flash.success(
        request,
        _("Deactivated %(code)s: it no longer applies at checkout.") % {"code": coupon.code},
    )
    return redirect("manage-payment-coupons")
