"""The pay page on the public host (`/billing/pay/<token>/`, from the dunning e-mails):
what the tenant owes and whether its portal is open, and a button to Stripe's customer
portal. A GET only shows; the portal session is made on the button's POST (mail scanners
open links)."""

from __future__ import annotations

import logging

from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.views.decorators.http import require_http_methods

from billing.subscriptions.models import TenantSubscription
from billing.subscriptions.pay_links import PayLinkExpired, PayLinkInvalid, pay_link_tenant
from billing.subscriptions.services.dunning import OVERDUE, grace_ends
from billing.subscriptions.services.plans import billing_portal_start
from core.errors import ApplicationError

logger = logging.getLogger("billing.subscriptions")


@require_http_methods(["GET", "POST"])
def pay_page(request: HttpRequest, token: str) -> HttpResponse:
    try:
        tenant = pay_link_tenant(token)
    except PayLinkExpired:
        return render(request, "subscriptions/pay.html", {"expired": True}, status=410)
    except PayLinkInvalid:
        return render(request, "subscriptions/pay.html", {"invalid": True}, status=404)
    account = TenantSubscription.objects.filter(tenant=tenant).first()
    context = {
        "tenant": tenant,
        "account": account,
        "grace_ends": grace_ends(account) if account else None,
    }
    overdue = account is not None and (
        account.status in OVERDUE or account.suspended_for_nonpayment_at is not None
    )
    context["overdue"] = overdue
    if request.method == "POST":
        if not overdue:  # the link pays what is overdue; it is no key to the billing portal
            return render(request, "subscriptions/pay.html", context, status=409)
        try:
            url = billing_portal_start(
                tenant=tenant, return_url=request.build_absolute_uri(request.path)
            )
        except ApplicationError as error:
            context["error"] = error.message
            return render(request, "subscriptions/pay.html", context, status=error.status)
        logger.info("billing pay link of %s opened the customer portal", tenant.slug)
        return redirect(url)
    return render(request, "subscriptions/pay.html", context)
